// Backward of keras.activations.softplus: dx = dy σ(x), from x
// (`sigmoid_scaled`), rounded once with dy (`times_scaled`). σ is 0 at -inf
// (so an infinite dy gives NaN there) and 1 at +inf; NaN where x is NaN.

fn softplus_grad1(x: f32, dy: f32) -> f32 {
    if is_neg_inf1(x) {
        return times_zero(dy, 1.0);
    }
    return times_scaled(dy, sigmoid_scaled(x));
}

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let dy = upstream_at(first);
    let dx = vec4<f32>(
        softplus_grad1(x.x, dy.x),
        softplus_grad1(x.y, dy.y),
        softplus_grad1(x.z, dy.z),
        softplus_grad1(x.w, dy.w),
    );
    return select(dx, x, is_nan4(x));
}
