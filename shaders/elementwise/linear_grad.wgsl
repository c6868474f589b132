// Backward of keras.activations.linear: dx = dy (NaN where x is NaN).

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    return gradient(x, first, vec4<f32>(1.0));
}
