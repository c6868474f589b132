// keras.activations.sparsemax's threshold, shared by its forward and
// backward kernels (both include this file after the row prelude):
// per row, tau with sum(max(x - tau, 0)) = 1 (Martins & Astudillo; Keras
// 3.15.1 computes it wrongly, upstream PR 23469 fixes it).
//
// tau by Michelot's algorithm: the support starts as every finite entry
// and keeps the entries above tau = (sum of the support - 1) / its size,
// until the support stops shrinking; each round is one pass over the row,
// and few rows take more than a handful. Entries are taken relative to the
// row's max, which is always in the support, so the sums stay small and
// +-3e38 rows give the true sparsemax ([1, 0, ...]), not Keras's +inf.
//
// Policy: a NaN entry gives NaN there and is left out of the others (as
// Keras's sort puts it last); a -inf entry gives 0; a row with +inf, or of
// -inf and NaN only, is NaN. The workgroup max and count come from
// reductions.wgsl, included before this file.
// A row's threshold: entries d = x - max are in the support where
// d > tau, and `size` of them are.
struct Threshold {
    max: f32,
    tau: f32,
    size: u32,
    poisoned: bool,
}

// The threshold of the row at `base`; call from uniform control flow.
fn row_threshold(base: vec2<u32>, local: u32) -> Threshold {
    // The max over non-NaN entries, and whether +inf is among them.
    var m = neg_inf();
    var infinite = 0u;
    for (var k = local; k < params.row_len; k += WORKGROUP_SIZE) {
        let x = f32(input[row_element(base, k).x]);
        if x > m {
            m = x;
        }
        infinite += u32(bitcast<u32>(x) == 0x7f800000u);
    }
    m = workgroup_max(local, m);
    let poisoned = workgroup_count(local, infinite) != 0u || is_neg_inf(m);
    // Michelot's rounds: the support is {x - m > tau}; tau starts below
    // every finite entry. The size only shrinks, so at most row_len rounds.
    var tau = neg_inf();
    var size = params.row_len + 1u;
    for (var round = 0u; round <= params.row_len && !poisoned; round++) {
        var sum = 0.0;
        var carry = 0.0;
        // The same sum scaled by 2^-32, for rows whose sum overflows f32
        // (entries of -3e38 beside a max of 3e38).
        var scaled = 0.0;
        var n = 0u;
        for (var k = local; k < params.row_len; k += WORKGROUP_SIZE) {
            let d = f32(input[row_element(base, k).x]) - m;
            if d > tau {
                // Kahan, its compensation kept by the run-time 1.0 (NIR
                // would fold it away): sums of many small entries.
                let y = d - carry;
                let s = sum + y;
                carry = (s * opaque_one() - sum) - y;
                sum = s;
                scaled += ldexp(d, -32);
                n += 1u;
            }
        }
        let total = workgroup_sum(local, sum - carry);
        // workgroup_sum leaves its result in workgroup memory: every
        // invocation reads it before the next sum overwrites it.
        workgroupBarrier();
        let scaled_total = workgroup_sum(local, scaled);
        let count = workgroup_count(local, n);
        if count >= size {
            break;
        }
        size = count;
        // The mean of finite entries is finite even where their sum is not.
        let overflowed = (bitcast<u32>(total) & 0x7fffffffu) >= 0x7f800000u;
        tau = select((total - 1.0) / f32(count), ldexp(scaled_total / f32(count), 32) - 1.0 / f32(count), overflowed);
    }
    return Threshold(m, tau, size, poisoned);
}
