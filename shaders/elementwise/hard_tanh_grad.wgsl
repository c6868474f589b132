// Backward of keras.activations.hard_tanh: 1 on [-1, 1] (JAX's `where`
// takes the x branch at both ends), 0 outside.

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let inside = (x >= vec4<f32>(-1.0)) & (x <= vec4<f32>(1.0));
    return gradient(x, first, select(vec4<f32>(0.0), vec4<f32>(1.0), inside));
}
