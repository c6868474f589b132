// Keras LeakyReLU(negative_slope): x for x >= 0, negative_slope * x below.
// NaN stays NaN. Slope 0 gives -0 on negatives as Keras's 0 * x does, and
// -0 (not Keras's NaN) for -inf.

// The Rust twin is `ScalarParams` in src/activations/elementwise.rs; src/kernels/tests.rs
// checks name and size.
struct ScalarParams {
    negative_slope: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(1) var<uniform> params: ScalarParams;

// Branch-free on all four lanes: NaN fails `v < 0` and passes through.
fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let slope = params.negative_slope;
    let negative = select(slope * v, signed_zeros(v), slope == 0.0);
    return select(v, negative, v < vec4<f32>(0.0));
}
