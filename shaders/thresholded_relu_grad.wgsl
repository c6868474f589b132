// Backward of Keras ThresholdedReLU(theta): dx = dy for x > theta, 0 otherwise
// (the mask x > theta is a constant to autodiff, so 0 at x == theta).

// Keep in step with `ScalarParams` in src/kernels.rs.
struct Params {
    theta: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(1) var<uniform> params: Params;

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let derivative = select(vec4<f32>(0.0), vec4<f32>(1.0), x > vec4<f32>(params.theta));
    return gradient(x, first, derivative);
}
