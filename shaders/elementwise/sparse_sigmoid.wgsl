// keras.activations.sparse_sigmoid(x) = 0.5 * clip(x + 1, 0, 2), with x + 1
// rounded in f32 first as Keras does, so the result is exact. Zeros are +0.

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let clipped = positive_zeros(min(max(v + 1.0, vec4<f32>(0.0)), vec4<f32>(2.0)));
    return select(0.5 * clipped, v, is_nan4(v));
}
