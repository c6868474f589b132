// keras.activations.silu(x) = x σ(x) (swish), with σ(x) carried as m * 2^k
// (`sigmoid_scaled`) so that x σ(x) rounds once, even where it is subnormal.
// NaN stays NaN; +inf gives +inf; -inf the limit -0, where Keras computes
// -inf * 0 = NaN (x is clamped to -1e4, where the result is -0 already).

fn silu1(x: f32) -> f32 {
    let s = sigmoid_scaled(x);
    return ldexp2(max(x, -1e4) * s.m, s.k);
}

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let y = vec4<f32>(silu1(v.x), silu1(v.y), silu1(v.z), silu1(v.w));
    return select(y, v, is_nan4(v));
}
