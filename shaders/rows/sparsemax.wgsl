// keras.activations.sparsemax, forward: max(x - tau, 0) per row, with the
// threshold of sparsemax_tau.wgsl. One workgroup per row.

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    // Uniform per workgroup, so the early return keeps barriers uniform.
    let row = workgroup.y * params.grid_x + workgroup.x;
    if row >= params.rows {
        return;
    }
    let base = row_base(row);
    let t = row_threshold(base, local);
    for (var k = local; k < params.row_len; k += WORKGROUP_SIZE) {
        let o = row_element(base, k).x;
        let x = f32(input[o]);
        // Outputs are never negative: +0, set by bits (GL may fold max's sign).
        let value = bitcast<f32>(bitcast<u32>(max((x - t.max) - t.tau, 0.0)) & 0x7fffffffu);
        output[o] = stored(select(value, nan(), t.poisoned || is_nan1(x)));
    }
}
