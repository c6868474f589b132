// Backward of keras.activations.tanh_shrink: dx = dy tanh^2(x) (JAX's
// 1 - (1 - t^2)), from x: up to |x| = 1, t = |x| (1 - x^2 R(x^2))
// (math.wgsl's `tanh_rest`) squared as m * 2^k, so that dy t^2 rounds once
// even where t^2 alone underflows; above, 1 - q (2 - q) with
// q = 2 / (e^2|x| + 1) = 1 - |tanh x|. 0 at 0, 1 at ±inf; NaN where x is NaN.

fn tanh_shrink_grad1(x: f32, dy: f32) -> f32 {
    let a = abs(x);
    if a > 1.0 {
        let q = tanh_complement(a);
        return dy * (1.0 - q * (2.0 - q));
    }
    let f = frexp_any(a);
    let t = f.m * (1.0 - (a * a) * tanh_rest(a * a));
    return times_scaled(dy, Scaled(t * t, 2 * f.k));
}

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let dy = upstream_at(first);
    let dx = vec4<f32>(
        tanh_shrink_grad1(x.x, dy.x),
        tanh_shrink_grad1(x.y, dy.y),
        tanh_shrink_grad1(x.z, dy.z),
        tanh_shrink_grad1(x.w, dy.w),
    );
    return select(dx, x, is_nan4(x));
}
