// Backward of Keras ELU(alpha): dx = dy for x > 0, dy * alpha * exp(x) for
// x <= 0 (so alpha at the kink, as jax.nn.elu's expm1 branch gives). From x,
// not y: alpha * exp(x) = y + alpha would cancel where y is near -alpha.

// Keep in step with `ScalarParams` in src/kernels.rs.
struct Params {
    alpha: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(1) var<uniform> params: Params;

// exp(x) for x <= 0 to about an ulp. WGSL's exp may be off by 3 + 2|x| ulps
// (lavapipe: 9 ulps at x = -87), and here exp(x) is the result, not a term
// next to 1. Cody-Waite reduction x = k ln2 + r, |r| <= ln2 / 2, ln2 split
// so k * ln2_hi is exact, then Taylor to degree 7 (remainder under 1e-8).
fn exp_nonpositive(x: vec4<f32>) -> vec4<f32> {
    // Below -104, exp(x) is 0 in f32 even before flushing subnormals.
    let clamped = max(x, vec4<f32>(-104.0));
    let k = round(clamped * 1.442695041);
    let r = (clamped - k * 0.693145752) - k * 1.428606765e-6;
    var p = vec4<f32>(1.0 / 5040.0);
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    return ldexp(p, vec4<i32>(k));
}

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let below = params.alpha * exp_nonpositive(min(x, vec4<f32>(0.0)));
    return gradient(x, first, select(below, vec4<f32>(1.0), x > vec4<f32>(0.0)));
}
