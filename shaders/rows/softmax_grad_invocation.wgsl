// Backward of Keras Softmax, one invocation per row (short rows, and rows
// over outer axes, where neighbouring invocations read neighbouring addresses).

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let row = invocation_index(workgroup, local, params.grid_x);
    if row >= params.rows {
        return;
    }
    let base = row_base(row);
    var s = 0.0;
    for (var k = 0u; k < params.row_len; k++) {
        s += dot_term(row_element(base, k));
    }
    for (var k = 0u; k < params.row_len; k++) {
        let o = row_element(base, k);
        output[o.x] = stored(gradient_at(o, s));
    }
}
