// Backward of keras.activations.hard_silu: dy * (2x + 3) / 6 where
// 0 < x + 3 < 6 (2x + 3 is exact where it is small: Sterbenz), dy * h(x)
// outside, which is 0 below and dy above (so 0 at -3 and 1 at 3, as relu6's
// custom derivative gives in JAX, and the limits at ±inf). JAX's own
// dy * h + (dy * x) / 6 cancels near x = -1.5.

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let t = x + 3.0;
    let h = positive_zeros(min(max(t, vec4<f32>(0.0)), vec4<f32>(6.0))) / 6.0;
    let inside = (t > vec4<f32>(0.0)) & (t < vec4<f32>(6.0));
    return gradient(x, first, select(h, (2.0 * x + 3.0) / 6.0, inside));
}
