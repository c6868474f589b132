// keras.activations.hard_silu(x) = x * (relu6(x + 3) / 6), in Keras's f32
// order: -0 below -3 (x * +0), and -0 at -inf, the limit, where Keras's
// -inf * 0 is NaN. NaN stays NaN.

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let h = positive_zeros(min(max(v + 3.0, vec4<f32>(0.0)), vec4<f32>(6.0))) / 6.0;
    // -inf by its bits: Chromium's Tint rejects -f32::MAX written in decimal.
    let negative_infinity = bitcast<vec4<u32>>(v) == vec4<u32>(0xff800000u);
    return select(v * h, signed_zeros(v), negative_infinity);
}
