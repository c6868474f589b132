// Backward of keras.activations.exponential: dx = dy e^x, with e^x carried
// as m * 2^k and rounded with dy once (`times_scaled`): finite wherever the
// product is, though e^x alone overflows from 88.7228394 (JAX multiplies by
// the rounded output, so it gives inf there). The derivative is inf at +inf
// and 0 at -inf (IEEE products with dy); NaN where x is NaN.

fn exponential_grad1(x: f32, dy: f32) -> f32 {
    if is_pos_inf1(x) {
        return dy * pos_inf();
    }
    if is_neg_inf1(x) {
        return times_zero(dy, 1.0);
    }
    return times_scaled(dy, exp_scaled(x, 0.0));
}

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let dy = upstream_at(first);
    let dx = vec4<f32>(
        exponential_grad1(x.x, dy.x),
        exponential_grad1(x.y, dy.y),
        exponential_grad1(x.z, dy.z),
        exponential_grad1(x.w, dy.w),
    );
    return select(dx, x, is_nan4(x));
}
