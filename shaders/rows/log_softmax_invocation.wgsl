// keras.activations.log_softmax, one invocation per row: for short rows
// (a workgroup per row spends its time in barriers there) and for rows
// over outer axes, where neighbouring invocations read neighbouring
// addresses. The same three passes as log_softmax.wgsl, without barriers.

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let row = invocation_index(workgroup, local, params.grid_x);
    if row >= params.rows {
        return;
    }
    let base = row_base(row);
    var m = neg_inf();
    var poisoned = false;
    for (var k = 0u; k < params.row_len; k++) {
        let x = f32(input[row_element(base, k).x]);
        poisoned = poisoned || poisons_row(x);
        if x > m {
            m = x;
        }
    }
    poisoned = poisoned || is_neg_inf(m);
    var ties = 0u;
    var sum = 0.0;
    var carry = 0.0;
    for (var k = 0u; k < params.row_len; k++) {
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
    let lse = log_of_sum(max(ties, 1u), sum - carry);
    for (var k = 0u; k < params.row_len; k++) {
        let o = row_element(base, k).x;
        output[o] = stored(log_softmax_at(f32(input[o]), m, lse, poisoned));
    }
}
