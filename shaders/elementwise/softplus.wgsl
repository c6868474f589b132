// keras.activations.softplus(x) = ln(1 + e^x), as jax.nn.softplus computes
// it: max(x, 0) + ln(1 + e^-|x|) (math.wgsl's `softplus1`), so
// softplus(1e4) = 1e4 where ln(1 + e^x) overflows from 88.7.
// NaN stays NaN; -inf gives 0, +inf inf.

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let y = vec4<f32>(softplus1(v.x), softplus1(v.y), softplus1(v.z), softplus1(v.w));
    return select(y, v, is_nan4(v));
}
