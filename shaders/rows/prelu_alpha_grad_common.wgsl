// Shared by PReLU's alpha-gradient kernels (prelu_alpha_grad.wgsl, a
// workgroup per alpha element; prelu_alpha_grad_parts.wgsl, several), prepended
// after shaders/rows/rows.wgsl for its row indexing: a row is alpha element
// `row` (kept axes: alpha's own) and runs over the batch axis and the shared
// axes (reduced axes). `input` holds x, `output` receives d_alpha:
//   d_alpha = sum over the row of dy * min(x, 0), plus, when asked, the
//   regularizer's gradient l1 * sign(alpha) + 2 * l2 * alpha.

@group(0) @binding(5) var<storage, read> upstream: array<f32>;
@group(0) @binding(6) var<storage, read> alpha: array<f32>;

// `Regularization` in src/activations/prelu/layer.rs (zeros when not asked).
struct Regularization {
    l1: f32,
    l2: f32,
    _pad0: f32,
    _pad1: f32,
}

@group(0) @binding(7) var<uniform> regularization: Regularization;

// Keras's -relu(-x): x below 0, else -0 (so dy * it is a zero with the sign
// Keras's gradient has). NaN is kept and found by its bits: WGSL's min may
// drop it, and GLSL compilers may fold comparisons with NaN.
fn negative_part(x: f32) -> f32 {
    let nan = (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
    return select(select(negative_zero(), x, x < 0.0), x, nan);
}

// Row element k's term of d_alpha: dy * min(x, 0).
fn contribution(base: vec2<u32>, k: u32) -> f32 {
    let o = row_element(base, k).x;
    return upstream[o] * negative_part(input[o]);
}

// The regularizer's gradient at alpha element `row`; -0 when not asked, the
// additive identity that keeps an all -0 sum -0 as Keras's is.
fn penalty(row: u32) -> f32 {
    let a = alpha[row];
    let asked = regularization.l1 != 0.0 || regularization.l2 != 0.0;
    return select(negative_zero(), regularization.l1 * sign(a) + 2.0 * regularization.l2 * a, asked);
}
