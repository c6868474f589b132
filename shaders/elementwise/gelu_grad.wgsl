// Backward of keras.activations.gelu(x, approximate), from x. Both forms
// satisfy gelu(x) - gelu(-x) = x, so gelu'(x) = 1 - D(|x|) for x >= 0 and
// D(|x|) below, where D(y) = gelu'(-y) is computed as m * 2^k and rounded
// with dy once (`times_scaled`):
// - erfc form: D(y) = e^(-w^2) (0.5 H(w) / (1 + 2w) - w / sqrt(pi)),
//   w = c y (gelu.wgsl), e^(-w^2) from the exact w^2;
// - tanh form: D(y) = σ(-2U) (1 - 2 y c' (1 + 3 a y^2) σ(2U)).
// Near D's root (x = -0.7518, and -0.7525 in the tanh form) its two terms cancel: there the
// error is a few ulps of the terms, not of the result.
// The limits at ±inf: 1 and -0 (Keras: NaN); NaN where x is NaN.

fn gelu_erf_slope(y: f32) -> Scaled {
    let w = two_prod(y, 0.707106769);
    let wc = min(w.x, 20.0);
    let e = gauss_scaled(w.x, w.y);
    let l = select(0.0, w.y, w.x <= 20.0);
    let b = 0.5 * erfc_h(wc) / ((1.0 + 2.0 * wc) + 2.0 * l) - (wc + l) * 0.564189613;
    return Scaled(e.m * b, e.k);
}

fn gelu_tanh_slope(y: f32) -> Scaled {
    let yc = min(y, 14.0);
    let u = gelu_twice_u(yc);
    let e = exp_scaled(-u.x, -u.y);
    let d = 1.0 + ldexp2(e.m, e.k);
    let b = 1.0 - 2.0 * yc * 0.797884583 * (1.0 + 3.0 * 0.0447149985 * yc * yc) / d;
    return Scaled(e.m / d * b, e.k);
}

fn gelu_grad1(x: f32, dy: f32, approximate: bool) -> f32 {
    if is_neg_inf1(x) {
        return times_zero(dy, -1.0);
    }
    var s: Scaled;
    if approximate {
        s = gelu_tanh_slope(abs(x));
    } else {
        s = gelu_erf_slope(abs(x));
    }
    if x < 0.0 {
        return times_scaled(dy, s);
    }
    return dy * (1.0 - ldexp2(s.m, s.k));
}

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let dy = upstream_at(first);
    let a = params.approximate != 0u;
    let dx = vec4<f32>(
        gelu_grad1(x.x, dy.x, a),
        gelu_grad1(x.y, dy.y, a),
        gelu_grad1(x.z, dy.z, a),
        gelu_grad1(x.w, dy.w, a),
    );
    return select(dx, x, is_nan4(x));
}
