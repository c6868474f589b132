// Backward of keras.activations.log_sigmoid: dx = dy σ(-x), from x
// (`sigmoid_scaled`), rounded once with dy (`times_scaled`). σ(-x) is 1 at
// -inf and 0 at +inf (so an infinite dy gives NaN there); NaN where x is NaN.

fn log_sigmoid_grad1(x: f32, dy: f32) -> f32 {
    if is_pos_inf1(x) {
        return times_zero(dy, 1.0);
    }
    return times_scaled(dy, sigmoid_scaled(-x));
}

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let dy = upstream_at(first);
    let dx = vec4<f32>(
        log_sigmoid_grad1(x.x, dy.x),
        log_sigmoid_grad1(x.y, dy.y),
        log_sigmoid_grad1(x.z, dy.z),
        log_sigmoid_grad1(x.w, dy.w),
    );
    return select(dx, x, is_nan4(x));
}
