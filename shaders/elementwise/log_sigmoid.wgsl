// keras.activations.log_sigmoid(x) = -softplus(-x) (jax.nn.log_sigmoid),
// math.wgsl's `softplus1`: log_sigmoid(-1e4) = -1e4.
// NaN stays NaN; -inf gives -inf, +inf -0.

fn log_sigmoid1(x: f32) -> f32 {
    return -softplus1(-x);
}

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let y = vec4<f32>(log_sigmoid1(v.x), log_sigmoid1(v.y), log_sigmoid1(v.z), log_sigmoid1(v.w));
    return select(y, v, is_nan4(v));
}
