// keras.activations.relu6(x) = min(max(x, 0), 6) (jax.nn.relu6). No
// parameters, so no `params` binding.
// NaN stays NaN (selected by its bits: max and min may drop a NaN operand,
// and lavapipe folds `v != v` away); -inf gives 0, +inf gives 6. Zeros are +0 as JAX's max(-0, 0)
// gives them, set with bit operations (`positive_zeros`, common.wgsl).

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let clamped = min(max(v, vec4<f32>(0.0)), vec4<f32>(6.0));
    return select(positive_zeros(clamped), v, is_nan4(v));
}
