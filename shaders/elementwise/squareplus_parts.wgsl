// keras.activations.squareplus's parts, shared by its forward and gradient
// kernels (both include this file): y = (x + s) / 2 with s = sqrt(x^2 + b),
// without Keras's cancellation for x < 0 or its overflow of x^2 past 1.8e19.

// The Rust twin is `ScalarParams` in src/kernels/params.rs; src/kernels/tests.rs
// checks name and size.
struct ScalarParams {
    b: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(1) var<uniform> params: ScalarParams;

struct SquareplusParts {
    y: vec4<f32>,
    s: vec4<f32>,
}

fn squareplus_parts(v: vec4<f32>) -> SquareplusParts {
    let a = abs(v);
    let b = params.b;
    // s = hypot(|x|, sqrt(b)) = m sqrt(1 + (n / m)^2), m the larger: x^2
    // neither overflows (past 1.8e19) nor loses bits as a subnormal (below
    // 1e-19). m = 0 only where x = ±0 and b = 0, and then s = 0.
    let r = sqrt(b);
    let m = max(a, vec4<f32>(r));
    let q = min(a, vec4<f32>(r)) / m;
    let k = sqrt(1.0 + q * q);
    let s = select(m * k, vec4<f32>(0.0), m == vec4<f32>(0.0));
    // x >= 0: x + b / (2(s + x)), a small positive term added to x; where
    // s + x overflows, the term is far below half an ulp of x. Not 0.5x +
    // 0.5s: Mesa folds that to 0.5(x + s), which overflows at 3e38. s + x
    // is 0 only for x = ±0 and b = 0, where y is 0.
    let sum = s + v;
    let positive = v + select((0.5 * b) / sum, vec4<f32>(0.0), sum == vec4<f32>(0.0));
    // x < 0: b / (2(s - x)), where x + s would cancel (Keras gives 0 for
    // squareplus(-1e4), whose value is 2e-4); s - x = |x|(k + 1) where |x|
    // is the larger, which cannot overflow.
    let negative = select((0.5 * b) / (s + a), ((0.5 * b) / a) / (k + 1.0), a >= vec4<f32>(r));
    // y >= 0: a zero is +0, as Keras's (-0 + 0) / 2.
    return SquareplusParts(positive_zeros(select(negative, positive, v >= vec4<f32>(0.0))), s);
}
