// Shared by keras.activations.log_softmax's kernels (one workgroup per
// row, one invocation per row), included after math.wgsl.

// ln(count + rest) for count >= 1 and rest >= 0.
fn log_of_sum(count: u32, rest: f32) -> f32 {
    if count == 1u && rest <= 1.0 {
        return log1p_unit(rest);
    }
    // s = 2^e (1 + f), f in [0, 1): ln s = e ln 2 + ln(1 + f), ln 2 split
    // so its high part adds last.
    let parts = frexp(f32(count) + rest);
    let e = f32(parts.exp - 1);
    let f = parts.fract * 2.0 - 1.0;
    return e * 0.693145752 + (log1p_unit(f) + e * 1.428606765e-6);
}

// The output for x given its row's max m and lse = ln(sum(exp(x - m))):
// (x - m) - lse, a zero made +0 by bits (x - m with x = -0 and m = +0
// would give -0, as the order in which ±0 are met picks m); NaN for a
// poisoned row.
fn log_softmax_at(x: f32, m: f32, lse: f32, poisoned: bool) -> f32 {
    let y = (x - m) - lse;
    let zeroed = bitcast<f32>(select(bitcast<u32>(y), 0u, y == 0.0));
    return select(zeroed, nan(), poisoned);
}
