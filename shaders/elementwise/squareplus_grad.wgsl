// Backward of keras.activations.squareplus: (1 + x / s) / 2 with s =
// sqrt(x^2 + b), which is y / s (no cancellation for x < 0); 1 at +inf
// (inf / inf). Where s is 0 (b = 0, x = ±0), the derivative of (x + |x|) / 2
// at its kink, 1/2.

// dy * y / s over f32's whole range: y / s underflows for x << 0 (it is
// b / (4x^2)) where a large dy brings the product back, so the mantissas
// combine in [0.125, 2) and a split ldexp applies the summed exponents (as
// ELU's gradient does); IEEE products where dy is not finite.
fn scaled_ratio(dy: vec4<f32>, y: vec4<f32>, s: vec4<f32>) -> vec4<f32> {
    let d = frexp(dy);
    let n = frexp(y);
    let q = frexp(s);
    let e = clamp(d.exp + n.exp - q.exp, vec4<i32>(-300), vec4<i32>(256));
    let half = e / vec4<i32>(2);
    let scaled = ldexp(ldexp((d.fract * n.fract) / q.fract, half), e - half);
    let exponent_bits = vec4<u32>(0x7f800000u);
    let finite = ((bitcast<vec4<u32>>(dy) & exponent_bits) != exponent_bits)
        & ((bitcast<vec4<u32>>(s) & exponent_bits) != exponent_bits);
    return select(dy * (y / s), scaled, finite);
}

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let parts = squareplus_parts(x);
    let dy = upstream_at(first);
    let kink = parts.s == vec4<f32>(0.0);
    let positive_infinity = bitcast<vec4<u32>>(x) == vec4<u32>(0x7f800000u);
    // The limits and the kink as IEEE products with dy.
    let product = gradient(x, first, select(vec4<f32>(0.5), vec4<f32>(1.0), positive_infinity));
    let ratio = scaled_ratio(dy, parts.y, select(parts.s, vec4<f32>(1.0), kink));
    return select(ratio, product, kink | positive_infinity | is_nan4(x));
}
