// keras.activations.tanh(x): math.wgsl's `tanh_acc`, a rational function
// of x^2 below |x| = 0.55 and 1 - 2 / (e^2|x| + 1) from expm1 above, to
// about an ulp, without overflow for large |x|.
// NaN stays NaN; ±0 keep their sign; ±inf give ±1.

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let y = vec4<f32>(tanh_acc(v.x), tanh_acc(v.y), tanh_acc(v.z), tanh_acc(v.w));
    return select(y, v, is_nan4(v));
}
