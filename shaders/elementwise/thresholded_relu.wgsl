// Keras ThresholdedReLU(theta): x for x > theta (strict), otherwise Keras's
// x * 0: a zero with the sign of x. NaN stays NaN; -inf gives -0 (Keras: NaN).

// The Rust twin is `ScalarParams` in src/activations/elementwise.rs; src/kernels/tests.rs
// checks name and size.
struct ScalarParams {
    theta: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(1) var<uniform> params: ScalarParams;

// NaN fails `v <= theta` and passes through.
fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    return select(v, signed_zeros(v), v <= vec4<f32>(params.theta));
}
