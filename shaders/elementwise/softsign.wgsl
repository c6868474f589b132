// keras.activations.softsign(x) = x / (|x| + 1). ±inf gives ±1, the limit
// (Keras: inf / inf = NaN); ±0 keep their sign; NaN stays NaN.

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let infinite = (bitcast<vec4<u32>>(v) & vec4<u32>(0x7fffffffu)) == vec4<u32>(0x7f800000u);
    return select(v / (abs(v) + 1.0), sign(v), infinite);
}
