// keras.activations.celu(x, alpha) = max(x, 0) + alpha * expm1(min(x, 0) / alpha).
// For x < 0 the quotient z = x / alpha is kept exact as zh + zl (the
// remainder x - zh * alpha is exact in f32: Dekker's product), since e^z
// turns z's rounding into |z| / 2 ulps; where |z| is below ln 2 / 2 the
// result is x (1 + z/2 + z^2/6 + ...), which no underflow of z can spoil.
// NaN stays NaN; ±0 give +0 (Keras's sum); -inf gives -alpha (-inf for a
// negative alpha).

// The Rust twin is `ScalarParams` in src/kernels/params.rs; src/kernels/tests.rs
// checks name and size.
struct ScalarParams {
    alpha: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(1) var<uniform> params: ScalarParams;

// x / alpha as the exact sum zh + zl (zl 0 where zh is past ±200 or not finite).
fn celu_quotient(x: f32, alpha: f32) -> vec2<f32> {
    let zh = x / alpha;
    let p = two_prod(zh, alpha);
    let zl = ((x - p.x) - p.y) / alpha;
    return vec2<f32>(zh, select(0.0, zl, abs(zh) <= 200.0));
}

fn celu1(x: f32, alpha: f32) -> f32 {
    if !(x < 0.0) {
        return x;
    }
    let z = celu_quotient(x, alpha);
    let e = exp_reduced(z.x, z.y);
    if e.k == 0 {
        return x * (1.0 + e.r * e.p);
    }
    if e.k >= 64 {
        // A negative alpha: alpha e^z, which may be an f32 where e^z is not.
        return ldexp2(alpha * (1.0 + e.q), e.k);
    }
    return alpha * expm1_of(e);
}

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let a = params.alpha;
    let y = vec4<f32>(celu1(v.x, a), celu1(v.y, a), celu1(v.z, a), celu1(v.w, a));
    return select(positive_at_zeros(y, v), v, is_nan4(v));
}
