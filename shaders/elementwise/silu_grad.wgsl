// Backward of keras.activations.silu: dx = dy σ(x) (1 + x σ(-x)), from x.
// For x >= 0, with e = e^-x: (1 + x e / (1 + e)) / (1 + e). Below 0, with
// e = e^x = (1 + q) 2^k: e (1 + x + e) / (1 + e)^2, where
// 1 + x + e = ((1 + x) + 2^k) + 2^k q: near the root at x = -1.2785 the
// first two sums are exact, so the cancellation leaves only 2^k q's
// rounding; the result is carried as m * 2^k and rounded with dy once
// (`times_scaled`). The limits at ±inf: 1 and -0 (Keras: NaN); NaN where x
// is NaN.

fn silu_grad1(x: f32, dy: f32) -> f32 {
    if is_neg_inf1(x) {
        return times_zero(dy, -1.0);
    }
    if x >= 0.0 {
        let xc = min(x, 1e4);
        let e = exp_acc(-xc);
        let d = 1.0 + e;
        return dy * ((1.0 + xc * (e / d)) / d);
    }
    let xc = max(x, -1e4);
    let e = exp_reduced(xc, 0.0);
    let p = ldexp(1.0, e.k);
    let ev = ldexp2(1.0 + e.q, e.k);
    let n = ((1.0 + xc) + p) + p * e.q;
    let y = n / (1.0 + ev * (2.0 + ev));
    return times_scaled(dy, Scaled(y + y * e.q, e.k));
}

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let dy = upstream_at(first);
    let dx = vec4<f32>(
        silu_grad1(x.x, dy.x),
        silu_grad1(x.y, dy.y),
        silu_grad1(x.z, dy.z),
        silu_grad1(x.w, dy.w),
    );
    return select(dx, x, is_nan4(x));
}
