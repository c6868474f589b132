// keras.activations.squareplus(x, b) = (x + sqrt(x^2 + b)) / 2, without
// Keras's cancellation or overflow (squareplus_parts.wgsl). +inf gives +inf,
// -inf gives +0 (the limits; Keras: NaN); NaN stays NaN.

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    return squareplus_parts(v).y;
}
