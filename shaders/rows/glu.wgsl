// keras.activations.glu(x, axis): the axis split in halves a and b, the
// output a * sigmoid(b), whose axis is half as long. A row is the split
// axis; one invocation per row, neighbouring invocations on neighbouring
// addresses where the axis is not the innermost. a * sigmoid(b) is rounded
// once (math.wgsl: sigmoid as m * 2^k), so it keeps every bit where
// sigmoid(b) underflows.

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let row = invocation_index(workgroup, local, params.grid_x);
    if row >= params.rows {
        return;
    }
    let base = row_base(row);
    let half = params.row_len / 2u;
    let inner = params.reduced_strides[0].x;
    for (var k = 0u; k < half; k++) {
        let i = row_element(base, k).x;
        let a = f32(input[i]);
        let b = f32(input[row_element(base, k + half).x]);
        // NaN in either half gives NaN (a + b, made at run time): the
        // scaled sigmoid of a NaN need not be NaN.
        // sigmoid(-inf) is exactly 0: a * 0, NaN for an infinite a, as Keras.
        let gated = select(times_scaled(a, sigmoid_scaled(b)), times_zero(a, 1.0), is_neg_inf1(b));
        let y = select(gated, a + b, is_nan1(a) || is_nan1(b));
        output[output_offset(i, half, inner)] = stored(y);
    }
}
