// Backward of keras.activations.sparse_sigmoid: 0.5 where 0 < x + 1 < 2,
// 0.25 where x + 1 is exactly 0 or 2 (JAX's clip splits ties), 0 outside.

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let t = x + 1.0;
    let half = vec4<f32>(0.5);
    let lower = select(select(vec4<f32>(0.0), half, t == vec4<f32>(0.0)), vec4<f32>(1.0), t > vec4<f32>(0.0));
    let upper = select(select(vec4<f32>(0.0), half, t == vec4<f32>(2.0)), vec4<f32>(1.0), t < vec4<f32>(2.0));
    return gradient(x, first, half * lower * upper);
}
