// keras.activations.sparse_plus(x) = where(x <= -1, 0, where(x >= 1, x,
// (x + 1)^2 / 4)), in Keras's f32 order (exact). NaN stays NaN.

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let t = v + 1.0;
    let middle = select(t * t / 4.0, v, v >= vec4<f32>(1.0));
    // NaN by its bits: Mesa's GL may find NaN <= -1 true.
    return select(select(middle, vec4<f32>(0.0), v <= vec4<f32>(-1.0)), v, is_nan4(v));
}
