// Keras Softmax, one invocation per row: for short rows, and for reductions
// over outer axes, where neighbouring invocations own neighbouring rows and so
// read neighbouring addresses at every step (coalesced, no transpose).
// Pass 1: the running state (shaders/rows/online_softmax.wgsl); pass 2:
// exp(x - max) / sum.

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let row = invocation_index(workgroup, local, params.grid_x);
    if row >= params.rows {
        return;
    }
    let base = row_base(row);
    var r = running_empty();
    for (var k = 0u; k < params.row_len; k++) {
        r = accumulate(r, row_element(base, k));
    }
    let total = row_total(r);
    for (var k = 0u; k < params.row_len; k++) {
        let o = row_element(base, k);
        output[o.x] = stored(softmax_at(o, r, total));
    }
}
