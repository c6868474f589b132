// Keras ELU(alpha): x for x > 0, alpha * expm1(x) otherwise.
// WGSL has no expm1 and exp(x) - 1 loses every digit near 0, so small |x| uses
// a Taylor polynomial (mirrored in src/cpu/elu.rs's tests of accuracy).
// NaN stays NaN; -inf gives -alpha.

// Keep in step with `EluParams` in src/kernels.rs.
struct Params {
    alpha: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(1) var<uniform> params: Params;

// expm1 for x <= 0. Below -ln 2 the result is at most -0.5, where exp(x) - 1
// loses nothing; above it, Taylor to degree 10 is exact to well under an ulp.
fn expm1_nonpositive(x: f32) -> f32 {
    if x < -0.6931472 {
        return exp(x) - 1.0;
    }
    var p = 1.0 / 3628800.0;
    p = p * x + 1.0 / 362880.0;
    p = p * x + 1.0 / 40320.0;
    p = p * x + 1.0 / 5040.0;
    p = p * x + 1.0 / 720.0;
    p = p * x + 1.0 / 120.0;
    p = p * x + 1.0 / 24.0;
    p = p * x + 1.0 / 6.0;
    p = p * x + 0.5;
    return x + x * (x * p);
}

fn elu(x: f32) -> f32 {
    if x > 0.0 {
        return x;
    }
    if x <= 0.0 {
        return params.alpha * expm1_nonpositive(x);
    }
    return x; // NaN
}

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    return vec4<f32>(elu(v.x), elu(v.y), elu(v.z), elu(v.w));
}
