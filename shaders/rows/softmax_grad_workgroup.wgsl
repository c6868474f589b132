// Backward of Keras Softmax, one workgroup per row (long rows): invocations
// stride through the row summing dy * y, a tree reduction through workgroup
// memory combines them, then each writes its share of dx.

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    // Uniform per workgroup, so the early return keeps barriers uniform.
    let row = workgroup.y * params.grid_x + workgroup.x;
    if row >= params.rows {
        return;
    }
    let base = row_base(row);
    var s = 0.0;
    for (var k = local; k < params.row_len; k += WORKGROUP_SIZE) {
        s += dot_term(row_element(base, k));
    }
    let total = workgroup_sum(local, s);
    for (var k = local; k < params.row_len; k += WORKGROUP_SIZE) {
        let o = row_element(base, k);
        output[o.x] = stored(gradient_at(o, total));
    }
}
