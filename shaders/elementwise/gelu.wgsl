// keras.activations.gelu(x, approximate), with Keras's float32 constants.
// approximate = false: x Φ(x) = 0.5 x erfc(-x c), c = sqrt(0.5). With
// w = |x| c kept exact as two floats, erfc w = e^(-w^2) H(w) / (1 + 2w)
// (math.wgsl's `erfc_h`, `gauss_reduced`), carried as m * 2^k: for x < 0
// the result is 0.5 x erfc w, rounded once into its exponent however small
// (gelu(-10) = -7.62e-23, where 1 + erf gives 0); for w >= 1/2 it is
// x (1 - 0.5 erfc w), and for 0 <= w < 1/2, 0.5 x (1 + erf w) by erf's
// Taylor series.
// approximate = true: 0.5 x (1 + tanh u), u = c' (x + a x^3), which is
// x σ(2u); with U = c' |x| (1 + a x^2) in double-float (so that e^-2U keeps
// its relative precision where 2U reaches 100), x σ(2u) is x / (1 + e) for
// x >= 0 and x e / (1 + e) below, e = e^-2U carried as m * 2^k.
// NaN stays NaN; ±0 keep their sign; +inf gives +inf; -inf the limit -0,
// where Keras computes NaN (x is clamped to -1e4, where the result is -0
// already).

// x Φ(x) for x < 0: 0.5 x e^(-w^2) H(w) / (1 + 2w), w = -x c exact as two
// floats, with as few roundings as the product allows: x H, then / (1 + 2w)
// by its rounded high part, then one correction for both e^-w^2's
// (1 + q) and (1 + 2w)'s low part; the power of two last.
fn gelu_erf_negative(x: f32) -> f32 {
    let w = two_prod(-x, 0.707106769);
    let wc = min(w.x, 20.0);
    let wl = select(0.0, w.y, w.x <= 20.0);
    let e = gauss_reduced(w.x, w.y);
    let d = two_sum(1.0, 2.0 * wc);
    let dl = (d.y + 2.0 * wl) / d.x;
    let z = (max(x, -1e4) * erfc_h(wc)) / d.x;
    let y = z + z * (e.q - dl * (1.0 + e.q));
    return ldexp2(0.5 * y, e.k);
}

// x Φ(x) = 0.5 x + 0.5 x erf(w) for 0 <= w = x c < 1/2, with
// erf w = w P(w^2), P the Taylor series of erf(w) / w to w^14 (the rest
// < 3e-11), 2/sqrt(pi) as a high and a low part: erf w is at most 0.52 of
// 1 + erf w, so its error counts a third.
fn gelu_erf_small(x: f32) -> f32 {
    let w = two_prod(x, 0.707106769);
    let v = w.x * w.x;
    var p = -1.492565025e-05;
    p = p * v + 1.205533263e-04;
    p = p * v - 8.548327023e-04;
    p = p * v + 5.223977845e-03;
    p = p * v - 2.686617151e-02;
    p = p * v + 1.128379181e-01;
    p = p * v - 3.761263788e-01;
    p = p * v - 5.863538277e-08;
    p = 1.128379226 + p;
    let erf = w.x * p + w.y * p;
    let h = 0.5 * x;
    return h + h * erf;
}

fn gelu_erf1(x: f32) -> f32 {
    if x < 0.0 {
        return gelu_erf_negative(x);
    }
    if x < 0.707106769 {
        return gelu_erf_small(x);
    }
    // 1 - 0.5 erfc w, w = x c: Φ(x) >= 0.76, so erfc's error counts a third.
    let w = two_prod(x, 0.707106769);
    let e = erfc_scaled(w.x, w.y);
    return x * (1.0 - ldexp2(0.5 * e.m, e.k));
}

// x σ(2u): x / (1 + e) for x >= 0, x e / (1 + e) below, e = e^-2U.
fn gelu_tanh1(x: f32) -> f32 {
    let u = gelu_twice_u(abs(x));
    let e = exp_scaled(-u.x, -u.y);
    let d = 1.0 + ldexp2(e.m, e.k);
    if x < 0.0 {
        return ldexp2(max(x, -1e4) * (e.m / d), e.k);
    }
    return x / d;
}

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    var y: vec4<f32>;
    if params.approximate != 0u {
        y = vec4<f32>(gelu_tanh1(v.x), gelu_tanh1(v.y), gelu_tanh1(v.z), gelu_tanh1(v.w));
    } else {
        y = vec4<f32>(gelu_erf1(v.x), gelu_erf1(v.y), gelu_erf1(v.z), gelu_erf1(v.w));
    }
    return select(y, v, is_nan4(v));
}
