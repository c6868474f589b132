// Backward of Keras ThresholdedReLU(theta): dx = dy for x > theta, 0 otherwise
// (the mask x > theta is a constant to autodiff, so 0 at x == theta).

// The Rust twin is `ScalarParams` in src/activations/elementwise.rs; src/kernels/tests.rs
// checks name and size.
struct ScalarParams {
    theta: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(1) var<uniform> params: ScalarParams;

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let derivative = select(vec4<f32>(0.0), vec4<f32>(1.0), x > vec4<f32>(params.theta));
    return gradient(x, first, derivative);
}
