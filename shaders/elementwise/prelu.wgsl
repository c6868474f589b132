// Keras PReLU: x for x > 0, alpha * x for x < 0, 0 at +-0, with alpha
// (shaders/elementwise/prelu_alpha.wgsl) broadcast over the batch axis and the shared axes.
// NaN stays NaN; -inf with alpha 0 gives 0 (the limit) instead of 0 * -inf.

// x for x > 0, alpha * x for x < 0 (0 where alpha is 0), 0 at +-0; NaN
// fails every comparison and passes through.
fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let a = alpha4(first);
    // Keras adds relu(x) = +0 to alpha * x, so a product that underflows is +0.
    let negative = positive_zeros(select(a * v, vec4<f32>(0.0), a == vec4<f32>(0.0)));
    return select(positive_zeros(v), negative, v < vec4<f32>(0.0));
}
