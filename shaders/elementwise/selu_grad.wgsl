// Backward of keras.activations.selu: dx = dy * scale for x > 0, and
// dy * scale * alpha * e^x at and below 0 (scale * alpha = 1.7580993 at 0,
// as JAX's `where` takes the elu branch there), e^x carried as m * 2^k and
// rounded with dy once (`times_scaled`). 0 at -inf; NaN where x is NaN.

fn selu_grad1(x: f32, dy: f32) -> f32 {
    if x > 0.0 {
        return dy * 1.05070102;
    }
    if is_neg_inf1(x) {
        return times_zero(dy, 1.0);
    }
    let e = exp_scaled(x, 0.0);
    return times_scaled(dy, Scaled(e.m * 1.75809932 + e.m * 2.87923712e-8, e.k));
}

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let dy = upstream_at(first);
    let dx = vec4<f32>(
        selu_grad1(x.x, dy.x),
        selu_grad1(x.y, dy.y),
        selu_grad1(x.z, dy.z),
        selu_grad1(x.w, dy.w),
    );
    return select(dx, x, is_nan4(x));
}
