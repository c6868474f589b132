// keras.activations.mish(x) = x tanh(softplus(x)). With e = e^x,
// tanh(ln(1 + e)) = n / (n + 2) for n = e (e + 2); for x >= 0 that is
// 1 - 2u^2 / (1 + 2u + 2u^2) with u = e^-x (no overflow), and below 0 e is
// carried as m * 2^k so that the tail rounds once, even where subnormal.
// NaN stays NaN; +inf gives +inf; -inf the limit -0, where Keras computes
// -inf * 0 = NaN (x is clamped to -1e4, where the result is -0 already).

fn mish1(x: f32) -> f32 {
    if x >= 0.0 {
        let u = exp_acc(-x);
        let d = 1.0 + 2.0 * u * (1.0 + u);
        return x * (1.0 - 2.0 * u * u / d);
    }
    // x e (e + 2) / (e (e + 2) + 2), e = (1 + q) 2^k: the factor 1 + q
    // joins with one rounding.
    let e = exp_reduced(x, 0.0);
    let ev = ldexp2(1.0 + e.q, e.k);
    let a = ev + 2.0;
    let y = max(x, -1e4) * (a / (ev * a + 2.0));
    return ldexp2(y + y * e.q, e.k);
}

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let y = vec4<f32>(mish1(v.x), mish1(v.y), mish1(v.z), mish1(v.w));
    return select(y, v, is_nan4(v));
}
