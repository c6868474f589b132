// Backward of keras.activations.log_softmax, from its output y: per row,
// dx = dy - exp(y) sum(dy) (JAX's, with the max held constant). exp(y) for
// y <= 0 to about an ulp (exp_difference); the sum Kahan-compensated. One
// workgroup per row; NaN where y is NaN.

@group(0) @binding(5) var<storage, read> upstream: array<stored>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let row = workgroup.y * params.grid_x + workgroup.x;
    if row >= params.rows {
        return;
    }
    let base = row_base(row);
    var sum = 0.0;
    var carry = 0.0;
    for (var k = local; k < params.row_len; k += WORKGROUP_SIZE) {
        let y = f32(upstream[row_element(base, k).x]) - carry;
        let s = sum + y;
        carry = (s * opaque_one() - sum) - y;
        sum = s;
    }
    let total = workgroup_sum(local, sum - carry);
    for (var k = local; k < params.row_len; k += WORKGROUP_SIZE) {
        let o = row_element(base, k).x;
        let y = f32(input[o]);
        let dx = f32(upstream[o]) - exp_difference(y, 0.0, 0) * total;
        output[o] = stored(select(dx, y, is_nan1(y)));
    }
}
