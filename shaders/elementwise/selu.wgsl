// keras.activations.selu(x) = scale * x for x > 0, scale * alpha * expm1(x)
// otherwise (math.wgsl's `expm1_acc`, accurate near 0 and down to -inf),
// with Keras's float32 constants scale = 1.050701 and alpha = 1.6732632;
// their product 1.7580993 is applied as a high and a low part.
// NaN stays NaN; ±0 keep their sign; -inf gives -1.7580993.

fn selu1(x: f32) -> f32 {
    if x > 0.0 {
        return 1.05070102 * x;
    }
    let m = expm1_acc(x);
    return m * 1.75809932 + m * 2.87923712e-8;
}

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let y = vec4<f32>(selu1(v.x), selu1(v.y), selu1(v.z), selu1(v.w));
    return select(y, v, is_nan4(v));
}
