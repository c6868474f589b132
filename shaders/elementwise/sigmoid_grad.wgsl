// Backward of keras.activations.sigmoid: dx = dy σ(x) σ(-x), from x
// (`sigmoid_slope_scaled`: e / (1 + e)^2, e = e^-|x|), where JAX's s (1 - s)
// is 0 once s rounds to 1. The product with dy is rounded once
// (`times_scaled`), so it keeps its bits where σ'(x) alone underflows.
// The derivative is 0 at ±inf; NaN where x is NaN.

fn sigmoid_grad1(x: f32, dy: f32) -> f32 {
    if !is_finite1(x) {
        return times_zero(dy, 1.0);
    }
    return times_scaled(dy, sigmoid_slope_scaled(x));
}

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let dy = upstream_at(first);
    let dx = vec4<f32>(
        sigmoid_grad1(x.x, dy.x),
        sigmoid_grad1(x.y, dy.y),
        sigmoid_grad1(x.z, dy.z),
        sigmoid_grad1(x.w, dy.w),
    );
    return select(dx, x, is_nan4(x));
}
