// Backward of keras.activations.log_softmax, one invocation per row (as
// log_softmax_invocation.wgsl): dx = dy - exp(y) sum(dy).

@group(0) @binding(5) var<storage, read> upstream: array<stored>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let row = invocation_index(workgroup, local, params.grid_x);
    if row >= params.rows {
        return;
    }
    let base = row_base(row);
    var sum = 0.0;
    var carry = 0.0;
    for (var k = 0u; k < params.row_len; k++) {
        let y = f32(upstream[row_element(base, k).x]) - carry;
        let s = sum + y;
        carry = (s * opaque_one() - sum) - y;
        sum = s;
    }
    let total = sum - carry;
    for (var k = 0u; k < params.row_len; k++) {
        let o = row_element(base, k).x;
        let y = f32(input[o]);
        let dx = f32(upstream[o]) - exp_difference(y, 0.0, 0) * total;
        output[o] = stored(select(dx, y, is_nan1(y)));
    }
}
