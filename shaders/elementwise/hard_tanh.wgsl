// keras.activations.hard_tanh(x) = where(x > 1, 1, where(x < -1, -1, x)).
// ±0 keep their sign. NaN is kept by its bits: Mesa's GL found NaN < -1 true.

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let clipped = select(select(v, vec4<f32>(-1.0), v < vec4<f32>(-1.0)), vec4<f32>(1.0), v > vec4<f32>(1.0));
    return select(clipped, v, is_nan4(v));
}
