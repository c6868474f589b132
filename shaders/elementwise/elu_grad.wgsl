// Backward of Keras ELU(alpha): dx = dy for x > 0, dy * alpha * exp(x) for
// x <= 0 (so alpha at the kink, as jax.nn.elu's expm1 branch gives). From x,
// not y: alpha * exp(x) = y + alpha would cancel where y is near -alpha.

// The Rust twin is `ScalarParams` in src/activations/elementwise.rs; src/kernels/tests.rs
// checks name and size.
struct ScalarParams {
    alpha: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(1) var<uniform> params: ScalarParams;

// dy * alpha * exp(x) for x <= 0, to a few ulps over the whole f32 range.
// WGSL's exp may be off by 3 + 2|x| ulps (lavapipe: 9 ulps at x = -87), and
// here exp(x) is a factor of the result, not a term next to 1; and any order
// of the three products can overflow or go subnormal where the result does
// not. So exp(x) = p * 2^k by Cody-Waite reduction (x = k ln2 + r, |r| <=
// ln2 / 2, ln2 split so k * ln2_hi is exact, Taylor to degree 7 for e^r),
// the three mantissas multiply in [0.5, 1.5), and one ldexp applies the
// summed exponents at the end.
fn scaled_exp(dy: vec4<f32>, alpha: f32, x: vec4<f32>) -> vec4<f32> {
    // Below -200 the result is 0 even for the largest dy and alpha.
    let clamped = max(x, vec4<f32>(-200.0));
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
    let d = frexp(dy);
    let a = frexp(vec4<f32>(alpha));
    let exponent = d.exp + a.exp + vec4<i32>(k);
    let mantissa = (d.fract * a.fract) * p;
    // ldexp's exponent must stay within f32's range, so apply it in two
    // halves: past 256 the result overflows, past -300 it is 0, either way.
    let e = clamp(exponent, vec4<i32>(-300), vec4<i32>(256));
    let half = e / vec4<i32>(2);
    let saturated = ldexp(ldexp(mantissa, half), e - half);
    // An infinite or NaN dy (or alpha) has no mantissa: IEEE products
    // instead, with exp(x) as the 1 it is beside infinity for every x above
    // -inf (exp(x) > 0 however far it underflows in f32, so inf * exp(-150)
    // is inf, not NaN); exp(-inf) = 0 makes it NaN.
    let exponent_bits = vec4<u32>(0x7f800000u);
    let finite = ((bitcast<vec4<u32>>(dy) & exponent_bits) != exponent_bits)
        & vec4<bool>((bitcast<u32>(alpha) & 0x7f800000u) != 0x7f800000u);
    // -inf by its bits: Chromium's Tint rejects -f32::MAX written in decimal.
    let above_neg_inf = select(vec4<f32>(0.0), vec4<f32>(1.0), bitcast<vec4<u32>>(x) != vec4<u32>(0xff800000u));
    return select((dy * alpha) * above_neg_inf, saturated, finite);
}

// dx = dy for x > 0, dy * alpha * exp(x) below; NaN where x is NaN.
fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let dy = upstream_at(first);
    let below = scaled_exp(dy, params.alpha, min(x, vec4<f32>(0.0)));
    return select(select(below, dy, x > vec4<f32>(0.0)), x, is_nan4(x));
}
