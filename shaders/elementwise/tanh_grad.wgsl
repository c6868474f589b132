// Backward of keras.activations.tanh: dx = dy (1 - tanh^2 x) =
// 4 dy σ(2x) σ(-2x), from x (JAX's 1 - t^2 is 0 once t rounds to ±1),
// rounded once with dy (`times_scaled`). 0 at ±inf; NaN where x is NaN.

fn tanh_grad1(x: f32, dy: f32) -> f32 {
    if !is_finite1(x) {
        return times_zero(dy, 1.0);
    }
    let s = sigmoid_slope_scaled(2.0 * x);
    return times_scaled(dy, Scaled(4.0 * s.m, s.k));
}

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let dy = upstream_at(first);
    let dx = vec4<f32>(
        tanh_grad1(x.x, dy.x),
        tanh_grad1(x.y, dy.y),
        tanh_grad1(x.z, dy.z),
        tanh_grad1(x.w, dy.w),
    );
    return select(dx, x, is_nan4(x));
}
