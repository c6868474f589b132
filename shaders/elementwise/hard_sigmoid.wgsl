// keras.activations.hard_sigmoid(x) = relu6(x + 3) / 6, in Keras's f32
// order. Zeros are +0; NaN stays NaN.

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let r = positive_zeros(min(max(v + 3.0, vec4<f32>(0.0)), vec4<f32>(6.0)));
    return select(r / 6.0, v, is_nan4(v));
}
