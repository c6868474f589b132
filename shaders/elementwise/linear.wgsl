// keras.activations.linear(x) = x.

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    return v;
}
