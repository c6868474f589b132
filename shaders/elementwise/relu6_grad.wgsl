// Backward of keras.activations.relu6: jax.nn.relu6's custom derivative,
// 1 strictly between 0 and 6 and 0 elsewhere (0 at both kinks).
// dx = dy * that, NaN where x is NaN (`gradient`, io_gradient.wgsl).

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let inside = (x > vec4<f32>(0.0)) & (x < vec4<f32>(6.0));
    return gradient(x, first, select(vec4<f32>(0.0), vec4<f32>(1.0), inside));
}
