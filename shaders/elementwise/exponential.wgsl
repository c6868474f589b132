// keras.activations.exponential(x) = e^x, math.wgsl's `exp_acc` (Cody-Waite
// reduction, Taylor to degree 8, one ldexp), to about an ulp where WGSL's
// exp may be 3 + 2|x| ulps off: inf from 88.72283935546875, subnormal
// (or flushed) below -87.34, 0 below -103.97.
// NaN stays NaN; -inf gives 0, +inf inf.

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let y = vec4<f32>(exp_acc(v.x), exp_acc(v.y), exp_acc(v.z), exp_acc(v.w));
    return select(y, v, is_nan4(v));
}
