// keras.activations.sigmoid(x) = 1 / (1 + e^-x) (lax.logistic), from
// math.wgsl's `sigmoid_scaled`: e^-|x| carried as m * 2^k, so the left
// tail keeps every bit until the result itself is subnormal.
// NaN stays NaN; -inf gives 0, +inf 1.

fn sigmoid1(x: f32) -> f32 {
    let s = sigmoid_scaled(x);
    return ldexp2(s.m, s.k);
}

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let y = vec4<f32>(sigmoid1(v.x), sigmoid1(v.y), sigmoid1(v.z), sigmoid1(v.w));
    return select(y, v, is_nan4(v));
}
