// Backward of Keras LeakyReLU(negative_slope): dx = dy for x >= 0 (jax.nn.leaky_relu
// takes the identity branch at 0), dy * negative_slope below.

// The Rust twin is `ScalarParams` in src/activations/elementwise.rs; src/kernels/tests.rs
// checks name and size.
struct ScalarParams {
    negative_slope: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(1) var<uniform> params: ScalarParams;

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let derivative = select(vec4<f32>(params.negative_slope), vec4<f32>(1.0), x >= vec4<f32>(0.0));
    return gradient(x, first, derivative);
}
