// keras.activations.log_softmax per row: (x - m) - ln(sum(exp(x - m))),
// m the row's max. One workgroup per row, three passes: the max; the
// number of entries at the max and the sum of exp(x - m) over the rest
// (exp_difference, online_softmax.wgsl, to about an ulp, Kahan-summed);
// then the outputs. ln(count + rest) is log1p(rest) for a lone max (rest
// < 1 is kept exactly, where Keras's ln(1 + rest) rounds 1 + rest first),
// else from the exponent and a log1p of the mantissa (math.wgsl), so each
// output is within a few ulps: x - m <= 0 and -ln(...) <= 0 add without
// cancelling.
//
// log_of_sum and log_softmax_at: log_softmax_common.wgsl.
//
// Policy, as Keras on JAX: a NaN or +inf makes the row NaN, a row of -inf
// is NaN, a -inf entry gives -inf.

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    // Uniform per workgroup, so the early return keeps barriers uniform.
    let row = workgroup.y * params.grid_x + workgroup.x;
    if row >= params.rows {
        return;
    }
    let base = row_base(row);
    var m = neg_inf();
    var poisons = 0u;
    for (var k = local; k < params.row_len; k += WORKGROUP_SIZE) {
        let x = f32(input[row_element(base, k).x]);
        if poisons_row(x) {
            poisons += 1u;
        } else if x > m {
            m = x;
        }
    }
    m = workgroup_max(local, m);
    let poisoned = workgroup_count(local, poisons) != 0u || is_neg_inf(m);
    var ties = 0u;
    var sum = 0.0;
    var carry = 0.0;
    for (var k = local; k < params.row_len; k += WORKGROUP_SIZE) {
        let x = f32(input[row_element(base, k).x]);
        if x == m {
            ties += 1u;
        } else {
            // Kahan, its compensation kept by the run-time 1.0.
            let y = exp_difference(x, m, 0) - carry;
            let s = sum + y;
            carry = (s * opaque_one() - sum) - y;
            sum = s;
        }
    }
    let rest = workgroup_sum(local, sum - carry);
    let count = workgroup_count(local, ties);
    let lse = log_of_sum(max(count, 1u), rest);
    for (var k = local; k < params.row_len; k += WORKGROUP_SIZE) {
        let o = row_element(base, k).x;
        output[o] = stored(log_softmax_at(f32(input[o]), m, lse, poisoned));
    }
}
