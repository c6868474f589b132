// PReLU's alpha gradient, one workgroup per alpha element (the shared part is
// shaders/rows/prelu_alpha_grad_common.wgsl): invocations stride through the
// element's contributions, a workgroup tree sums them.

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    // Uniform per workgroup, so the early return keeps barriers uniform.
    let row = workgroup.y * params.grid_x + workgroup.x;
    if row >= params.rows {
        return;
    }
    let base = row_base(row);
    var s = negative_zero();
    for (var k = local; k < params.row_len; k += WORKGROUP_SIZE) {
        s += contribution(base, k);
    }
    let total = workgroup_sum(local, s);
    if local == 0u {
        output[row] = total + penalty(row);
    }
}
