// Accurate f32 exp, expm1, log1p, tanh and erfc pieces for the transcendental
// kernels (`KernelSpec::with_math` includes this file after the family's
// prelude, which defines `runtime_one`; log_softmax's row kernels include it
// too). Scalar functions, each one
// lane; the kernels map them over their vec4s.
//
// Why not WGSL's own: its exp may be off by 3 + 2|x| ulps (lavapipe: 9 at
// x = -87), its tanh and log have looser bounds still, it has no expm1,
// log1p or erfc, and a result that passes through a subnormal or an overflow
// before its last multiplication loses bits or becomes inf * 0. Here every
// result is within a few ulps of the exact value (tests/elementwise.rs and
// tests/backward.rs compare each kernel with its f64 CPU twin), and an
// exponential is carried as m * 2^k until the last operation.
//
// Compilers may rewrite float algebra: Mesa's NIR folds (a + b) - a to b
// unless an operation is marked exact, which WGSL cannot ask for. The error
// terms below that rely on such a difference multiply by `runtime_one()`, a
// 1.0 that only exists at run time (as shaders/rows/online_softmax.wgsl does).
// Products that must be exact are of 12-bit halves split by bits, which no
// compiler can fold, and which a fused multiply-add leaves unchanged.

// `runtime_one()`, a 1.0 that only exists at run time, comes from the
// family's prelude: shaders/elementwise/main.wgsl (from `launch`) or
// shaders/rows/rows.wgsl (from `params`).

// a with the sign of b (a >= 0), by bits.
fn with_sign_of(a: f32, b: f32) -> f32 {
    return bitcast<f32>(bitcast<u32>(a) | (bitcast<u32>(b) & 0x80000000u));
}

// y with +0 wherever the input v is ±0 (Keras's x - tanh(x), max(x, 0) + ...),
// by bits: SwiftShader folded the float form (a select of 0.0) to -0.
fn positive_at_zeros(y: vec4<f32>, v: vec4<f32>) -> vec4<f32> {
    let sign = select(vec4<u32>(0u), vec4<u32>(0x80000000u), v == vec4<f32>(0.0));
    return bitcast<vec4<f32>>(bitcast<vec4<u32>>(y) & ~sign);
}

// Whether v is finite, by bits.
fn is_finite1(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}

// x == -inf and x == +inf, by bits (Chromium's Tint rejects -f32::MAX
// written in decimal, and no infinity can be written at all).
fn is_neg_inf1(x: f32) -> bool {
    return bitcast<u32>(x) == 0xff800000u;
}

fn is_pos_inf1(x: f32) -> bool {
    return bitcast<u32>(x) == 0x7f800000u;
}

// +inf, for IEEE products with it. Made at run time: Chromium's Tint
// refuses a constant expression that evaluates to inf (bitcast included).
fn pos_inf() -> f32 {
    return bitcast<f32>(select(0x7f800000u, 0u, runtime_one() == 0.0));
}

// dy times a derivative that is exactly 0 (with the sign of `sign`), as an
// IEEE product: a zero of the product's sign, NaN for an infinite or NaN
// dy. The zero is made at run time: compilers fold x * 0.0 to 0.
fn times_zero(dy: f32, sign: f32) -> f32 {
    return dy * with_sign_of(1.0 - runtime_one(), sign);
}

// s + e == a + b exactly, s = fl(a + b) (Knuth's two-sum).
fn two_sum(a: f32, b: f32) -> vec2<f32> {
    let one = runtime_one();
    let s = a + b;
    let s1 = s * one;
    let v = (s1 - a) * one;
    return vec2<f32>(s, (a - (s1 - v)) + (b - v));
}

// a as hi + lo with 12 significant bits each (hi by truncating bits), so the
// product of two halves is exact in f32.
fn split12(a: f32) -> vec2<f32> {
    let hi = bitcast<f32>(bitcast<u32>(a) & 0xfffff000u);
    return vec2<f32>(hi, a - hi);
}

// p + e == a * b exactly, p = fl(a * b) (Dekker's product), for |a * b|
// between 2^-100 and 2^100.
fn two_prod(a: f32, b: f32) -> vec2<f32> {
    let p = a * b;
    let x = split12(a);
    let y = split12(b);
    let e = (((x.x * y.x - p) + x.x * y.y) + x.y * y.x) + x.y * y.y;
    return vec2<f32>(p, e);
}

// m * 2^k in two halves of k, since 2^k alone is not an f32 for k past
// ±127: exact unless the result is subnormal (then rounded once, or flushed
// to the zero of its sign), inf above f32's range.
fn ldexp2(m: f32, k: i32) -> f32 {
    let e = clamp(k, -300, 256);
    let half = e / 2;
    return ldexp(ldexp(m, half), e - half);
}

// A value m * 2^k kept apart, for a factor that may leave f32's range (an
// exponential) before its result does.
struct Scaled {
    m: f32,
    k: i32,
}

// frexp that also takes subnormals (lavapipe's frexp gets their exponent
// wrong): v = m * 2^k, 0.5 <= |m| < 1 (m = 0 for a zero, or for a
// subnormal on a device that flushes it).
fn frexp_any(v: f32) -> Scaled {
    let tiny = abs(v) < 1.17549435e-38;
    let f = frexp(select(v, v * 18446744073709551616.0, tiny));
    return Scaled(f.fract, f.exp - select(0, 64, tiny));
}

// dy * s, rounded once: the mantissas of dy and s.m multiply in [0.25, 1)
// and one ldexp applies all the exponents. An infinite or NaN dy has no
// mantissa: there the IEEE product dy * s.m, where s.m (nonzero wherever
// the factor is) stands for a factor however far it underflows, so an
// infinite dy gives ±inf where the exact factor is nonzero, NaN where it is 0.
fn times_scaled(dy: f32, s: Scaled) -> f32 {
    let d = frexp_any(dy);
    let f = frexp_any(s.m);
    let scaled = ldexp2(d.m * f.m, d.k + f.k + s.k);
    return select(dy * s.m, scaled, is_finite1(dy));
}

// e^(hi + lo) - 1 = (q + 1) 2^k - 1 as q and k, |q| <= 0.42: Cody-Waite
// reduction hi + lo = k ln2 + r (ln2 split so k * ln2_hi is exact,
// |r| <= ln2 / 2 + ulps), then q = e^r - 1 = r + r^2 p, p = 1/2 + r/6 + ...
// + r^6/8! (Taylor to degree 8, below 2e-10 of e^r); so where k = 0,
// (e^r - 1) / r = 1 + r p. `lo` is a small correction (|lo| <= 2^-8 |hi|,
// or below 0.1); hi is clamped to ±200, where every product with a finite
// f32 has under- or overflowed (2^±288).
struct Reduced {
    q: f32,
    k: i32,
    r: f32,
    p: f32,
}

fn exp_reduced(hi: f32, lo: f32) -> Reduced {
    let h = clamp(hi, -200.0, 200.0);
    let l = select(0.0, lo, abs(hi) <= 200.0);
    let k = round((h + l) * 1.442695041);
    let r = ((h - k * 0.693145752) - k * 1.428606765e-6) + l;
    var p = 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    return Reduced(r + (r * r) * p, i32(k), r, p);
}

// e^(hi + lo) as m * 2^k, m in [0.7, 1.42].
fn exp_scaled(hi: f32, lo: f32) -> Scaled {
    let e = exp_reduced(hi, lo);
    return Scaled(1.0 + e.q, e.k);
}

// e^x, to about an ulp; 0 below -103.97 (subnormal results may flush), inf
// from 88.7228394 (where e^x rounds past f32::MAX).
fn exp_acc(x: f32) -> f32 {
    let e = exp_scaled(x, 0.0);
    return ldexp2(e.m, e.k);
}

// e^(hi + lo) - 1 from its reduction, to about an ulp; -inf gives -1, +inf
// inf. Near 0 it is the polynomial itself (k = 0); elsewhere
// 2^k q + (2^k - 1), both terms exact but the sum, or (q + 1) 2^k where 1
// no longer counts.
fn expm1_of(e: Reduced) -> f32 {
    let big = ldexp2(1.0 + e.q, e.k);
    let mid = ldexp(e.q, e.k) + (ldexp(1.0, e.k) - 1.0);
    return select(select(mid, big, e.k >= 64), e.q, e.k == 0);
}

// e^x - 1 to about an ulp; ±0 keep their sign (set by bits: e^x - 1 has
// x's sign, and a float select of x at 0 may be folded to +0).
fn expm1_acc(x: f32) -> f32 {
    return with_sign_of(abs(expm1_of(exp_reduced(x, 0.0))), x);
}

// ln(1 + f) for f in [-0.25, 0.5]: with s = f / (2 + f), ln(1 + f) =
// 2 atanh(s) = f - f^2/2 + s (f^2/2 + R), R = 2 s^2/3 + 2 s^4/5 + ... (to
// s^12, below 1e-10 for s^2 <= 0.04): f is exact and the rest corrects it,
// so the error of s reaches the result shrunk by s^2.
fn log1p_small(f: f32) -> f32 {
    let s = f / (2.0 + f);
    let z = s * s;
    var r = 2.0 / 13.0;
    r = r * z + 2.0 / 11.0;
    r = r * z + 2.0 / 9.0;
    r = r * z + 2.0 / 7.0;
    r = r * z + 2.0 / 5.0;
    r = r * z + 2.0 / 3.0;
    let hfsq = 0.5 * f * f;
    return f - (hfsq - s * (hfsq + z * r));
}

// ln(1 + y) for y in [0, 1], to about an ulp: above 1/2, 1 + y = 2 (1 + f)
// with f = (y - 1) / 2 exact, and ln 2 split so its high part adds last.
fn log1p_unit(y: f32) -> f32 {
    let above = 0.693145752 + (log1p_small((y - 1.0) * 0.5) + 1.428606765e-6);
    return select(log1p_small(y), above, y > 0.5);
}

// ln(1 + e^-t) for t >= 0 (softplus(-t)), t = +inf included.
fn log1p_exp_neg(t: f32) -> f32 {
    return log1p_unit(exp_acc(-t));
}

// softplus(x) = ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|) (jax.nn.softplus's
// logaddexp(x, 0)): no overflow, x itself once e^-|x| stops counting.
fn softplus1(x: f32) -> f32 {
    return max(x, 0.0) + log1p_exp_neg(abs(x));
}

// (x - tanh x) / x^3 = n / d as functions of u = x^2, for u <= 1
// (|x| <= 1): the continued fraction tanh x = x / (1 + u / (3 + u / (5 + ...)))
// cut after 11 and written as one rational function, whose coefficients are
// all positive: no cancellation, n and d each within an ulp in f32 (the cut
// costs < 1e-10).
fn tanh_rest_parts(u: f32) -> vec2<f32> {
    var n = 5.99400599e-4;
    n = n * u + 6.15384615e-2;
    n = n * u + 1.0;
    var d = 6.21600622e-4;
    d = d * u + 6.99300699e-2;
    d = d * u + 1.38461538;
    d = d * u + 3.0;
    return vec2<f32>(n, d);
}

fn tanh_rest(u: f32) -> f32 {
    let r = tanh_rest_parts(u);
    return r.x / r.y;
}

// 1 - tanh |x| = q = 2 / (e^2|x| + 1), from expm1: q is exact to about an
// ulp, and 1 - q loses nothing where tanh |x| >= 0.5.
fn tanh_complement(a: f32) -> f32 {
    return 2.0 / (expm1_acc(2.0 * a) + 2.0);
}

// tanh x to about an ulp: x (1 - u R(u)) below 0.55 (u R <= 0.09), 1 - q
// above; ±0 keep their sign, ±inf give ±1.
fn tanh_acc(x: f32) -> f32 {
    let a = abs(x);
    let small = a * (1.0 - (a * a) * tanh_rest(a * a));
    let t = select(1.0 - tanh_complement(a), small, a <= 0.55);
    return with_sign_of(t, x);
}

// The logistic function σ(x) = 1 / (1 + e^-x) as m * 2^k, with e = e^-|x|
// carried scaled: 1 / (1 + e) for x >= 0, e / (1 + e) below (so its tail
// keeps every bit however far it underflows).
fn sigmoid_scaled(x: f32) -> Scaled {
    let e = exp_scaled(-abs(x), 0.0);
    let ev = ldexp2(e.m, e.k);
    let d = 1.0 + ev;
    if x >= 0.0 {
        return Scaled(1.0 / d, 0);
    }
    return Scaled(e.m / d, e.k);
}

// σ(x) σ(-x) = e / (1 + e)^2 as m * 2^k, e = e^-|x|: symmetric, from x (not
// s (1 - s), which cancels), with (1 + e)^2 = 1 + e (2 + e).
fn sigmoid_slope_scaled(x: f32) -> Scaled {
    let e = exp_scaled(-abs(x), 0.0);
    let ev = ldexp2(e.m, e.k);
    return Scaled(e.m / (1.0 + ev * (2.0 + ev)), e.k);
}

// H(w) = (1 + 2w) e^(w^2) erfc w for w >= 0 (from 1 at 0 to 2/sqrt(pi) at
// infinity, at most 1.29), from two Chebyshev fits (rounded to f32, within
// 1 ulp): below w = 1/2 a degree-7 polynomial in w itself; above, a
// degree-13 polynomial in t = (w - 3) / (w + 3), which maps [0, inf] onto
// [-1, 1] (not below 1/2: t's rounding near -1 would cost 1.5 ulps).
fn erfc_h(w: f32) -> f32 {
    var s_p = 9.175624698e-02;
    s_p = s_p * w - 3.317507207e-01;
    s_p = s_p * w + 6.596395969e-01;
    s_p = s_p * w - 9.958087802e-01;
    s_p = s_p * w + 1.246684313;
    s_p = s_p * w - 1.256693721;
    s_p = s_p * w + 8.716193438e-01;
    s_p = s_p * w + 1.000000000;
    let t = (w - 3.0) / (w + 3.0);
    var t_p = -1.105723004e-05;
    t_p = t_p * t + 3.861849109e-06;
    t_p = t_p * t + 1.132462421e-04;
    t_p = t_p * t - 1.041307114e-04;
    t_p = t_p * t - 7.713736850e-04;
    t_p = t_p * t + 1.888112864e-03;
    t_p = t_p * t + 2.526068827e-03;
    t_p = t_p * t - 2.377033420e-02;
    t_p = t_p * t + 6.830870360e-02;
    t_p = t_p * t - 1.192736924e-01;
    t_p = t_p * t + 1.296450943e-01;
    t_p = t_p * t - 4.756229371e-02;
    t_p = t_p * t - 1.356211007e-01;
    t_p = t_p * t + 5.025018979e-8;
    return select(1.253008008 + t_p, s_p, w < 0.5);
}

// e^(-w^2) reduced (q, k) for w = wh + wl >= 0, w given as an exact sum
// of two floats so that w^2 is exact too (e^(-w^2) turns an absolute error
// in w^2 into a relative one: rounding w alone would cost 2 w^2 half-ulps).
// Past w = 20 (e^-400, beyond every product with an f32) it is w = 20's.
fn gauss_reduced(wh: f32, wl: f32) -> Reduced {
    let w = min(wh, 20.0);
    let sq = two_prod(w, w);
    let lo = select(0.0, sq.y + 2.0 * w * wl, wh <= 20.0);
    return exp_reduced(-sq.x, -lo);
}

// e^(-w^2) as m * 2^k (`gauss_reduced`).
fn gauss_scaled(wh: f32, wl: f32) -> Scaled {
    let e = gauss_reduced(wh, wl);
    return Scaled(1.0 + e.q, e.k);
}

// erfc w = e^(-w^2) H(w) / (1 + 2w) as m * 2^k, for w = wh + wl >= 0 as
// `gauss_scaled` takes it: relative accuracy however small erfc w is.
fn erfc_scaled(wh: f32, wl: f32) -> Scaled {
    let w = min(wh, 20.0);
    let e = gauss_scaled(wh, wl);
    let l = select(0.0, 2.0 * wl, wh <= 20.0);
    return Scaled(e.m * (erfc_h(w) / ((1.0 + 2.0 * w) + l)), e.k);
}
