// Keras ELU(alpha): x for x > 0, alpha * expm1(x) otherwise.
// WGSL has no expm1 and exp(x) - 1 loses every digit near 0, so small |x| uses
// a Taylor polynomial (checked within 4 ulps of the f64 twin in
// src/activations/elu.rs by tests/elementwise.rs).
// NaN stays NaN; -inf gives -alpha.

// The Rust twin is `ScalarParams` in src/activations/elementwise.rs; src/kernels/tests.rs
// checks name and size.
struct ScalarParams {
    alpha: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(1) var<uniform> params: ScalarParams;

// expm1 for x <= 0, on four lanes. Below -ln 2 the result is at most -0.5,
// where exp(x) - 1 loses nothing; above it, Taylor to degree 10 is exact to
// well under an ulp.
fn expm1_nonpositive(x: vec4<f32>) -> vec4<f32> {
    var p = vec4<f32>(1.0 / 3628800.0);
    p = p * x + 1.0 / 362880.0;
    p = p * x + 1.0 / 40320.0;
    p = p * x + 1.0 / 5040.0;
    p = p * x + 1.0 / 720.0;
    p = p * x + 1.0 / 120.0;
    p = p * x + 1.0 / 24.0;
    p = p * x + 1.0 / 6.0;
    p = p * x + 0.5;
    // At ±0 the sum would be +0 (-0 + +0); expm1(-0) is -0.
    let taylor = select(x + x * (x * p), x, x == vec4<f32>(0.0));
    return select(taylor, exp(x) - 1.0, x < vec4<f32>(-0.6931472));
}

// NaN fails the comparison and passes through. At ±0 the result is
// alpha * expm1(±0): a zero whose sign is sign(alpha) xor sign(x) (ELU(-0) is
// -0), set by bits because GL compilers fold the float form to +0.
fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let negative = params.alpha * expm1_nonpositive(select(v, vec4<f32>(0.0), v > vec4<f32>(0.0)));
    let alpha_sign = vec4<u32>(bitcast<u32>(params.alpha));
    let zero = signed_zeros(bitcast<vec4<f32>>(bitcast<vec4<u32>>(v) ^ alpha_sign));
    let below = select(negative, zero, v == vec4<f32>(0.0));
    return select(v, below, v <= vec4<f32>(0.0));
}
