// Backward of Keras PReLU with respect to its input: dx = dy for x > 0,
// dy * alpha for x < 0, and 0 at +-0 (relu'(0) = 0 on both of Keras's terms).
// alpha4 comes from shaders/elementwise/prelu_alpha.wgsl.

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let zero = vec4<f32>(0.0);
    let derivative = select(select(zero, alpha4(first), x < zero), vec4<f32>(1.0), x > zero);
    return gradient(x, first, derivative);
}
