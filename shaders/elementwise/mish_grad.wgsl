// Backward of keras.activations.mish: dx = dy (T + x S), T = tanh(sp),
// S = sech^2(sp) σ(x), sp = softplus(x), from x. For x >= -1/4, with
// u = e^-x and D = 1 + 2u + 2u^2: T = 1 - 2u^2 / D, S = 4u^2 (1 + u) / D^2
// (no cancellation above 0, a little below). Further down, with
// e = e^x = (1 + q) 2^k and D = e (e + 2) + 2:
// T + x S = e ((e + 2) D + 4x (1 + e)) / D^2, whose bracket is
// 4 (1 + x) + e (e (e + 4) + (6 + 4x)): near the root at x = -1.1924,
// 1 + x and 6 + 4x are exact, so the cancellation leaves only the
// roundings of a term of 0.77 (not of two of 6.2); e is carried as m * 2^k
// and rounded with dy once (`times_scaled`).
// The limits at ±inf: 1 and -0 (Keras: NaN); NaN where x is NaN.

fn mish_grad1(x: f32, dy: f32) -> f32 {
    if is_neg_inf1(x) {
        return times_zero(dy, -1.0);
    }
    if x >= -0.25 {
        let xc = min(x, 1e4);
        let u = exp_acc(-xc);
        let d = 1.0 + 2.0 * u * (1.0 + u);
        let uu = u * u;
        return dy * ((1.0 - 2.0 * uu / d) + xc * (4.0 * uu * (1.0 + u) / (d * d)));
    }
    let xc = max(x, -1e4);
    let e = exp_reduced(xc, 0.0);
    let ev = ldexp2(1.0 + e.q, e.k);
    let d = ev * (ev + 2.0) + 2.0;
    let n = 4.0 * (1.0 + xc) + ev * (ev * (ev + 4.0) + (6.0 + 4.0 * xc));
    let y = n / (d * d);
    return times_scaled(dy, Scaled(y + y * e.q, e.k));
}

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let dy = upstream_at(first);
    let dx = vec4<f32>(
        mish_grad1(x.x, dy.x),
        mish_grad1(x.y, dy.y),
        mish_grad1(x.z, dy.z),
        mish_grad1(x.w, dy.w),
    );
    return select(dx, x, is_nan4(x));
}
