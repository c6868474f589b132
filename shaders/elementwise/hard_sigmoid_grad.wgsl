// Backward of keras.activations.hard_sigmoid: dy / 6 where 0 < x + 3 < 6
// (relu6's custom derivative is 0 at both kinks), dy * 0 elsewhere. The
// zero product comes from `gradient` with a derivative known only at run
// time: a literal `dy * 0.0` is folded to +0 by compilers.

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let t = x + 3.0;
    let inside = (t > vec4<f32>(0.0)) & (t < vec4<f32>(6.0));
    let product = gradient(x, first, select(vec4<f32>(0.0), vec4<f32>(1.0 / 6.0), inside));
    return select(product, upstream_at(first) / 6.0, inside & !is_nan4(x));
}
