// keras.activations.tanh_shrink(x) = x - tanh(x), which cancels near 0
// (Keras's f32 tanh_shrink(1e-7) is 0). Below |x| = 1 it is
// |x|^3 n(x^2) / d(x^2) (math.wgsl's `tanh_rest_parts`: (x - tanh x) / x^3
// as a rational function with positive coefficients), with |x|^3 exact as
// two floats; from 1, (|x| - 1) + 2 / (e^2|x| + 1), whose first term is
// exact and whose second is at least the whole at 1.
// NaN stays NaN; ±0 give +0 (Keras's x - tanh(x)); ±inf give ±inf.

fn tanh_shrink1(x: f32) -> f32 {
    let a = abs(x);
    var r: f32;
    if a < 1.0 {
        // a^3 = a (uh + ul) as ch + cl, then (ch + cl) n / d.
        let u = two_prod(a, a);
        let c = two_prod(a, u.x);
        let nd = tanh_rest_parts(u.x);
        r = (c.x * nd.x + (c.y + a * u.y) * nd.x) / nd.y;
    } else {
        r = (a - 1.0) + tanh_complement(a);
    }
    return with_sign_of(r, x);
}

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let y = vec4<f32>(tanh_shrink1(v.x), tanh_shrink1(v.y), tanh_shrink1(v.z), tanh_shrink1(v.w));
    return select(positive_at_zeros(y, v), v, is_nan4(v));
}
