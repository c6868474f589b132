// Backward of keras.activations.glu from x and dy (dy has the output's
// shape): da = dy sigmoid(b), db = dy a sigmoid(b) sigmoid(-b), each
// rounded about once (math.wgsl's scaled sigmoid and its slope, from b, so
// no 1 - sigmoid cancels). NaN for both entries where either is NaN.

@group(0) @binding(5) var<storage, read> upstream: array<stored>;

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
        let ia = row_element(base, k).x;
        let ib = row_element(base, k + half).x;
        let a = f32(input[ia]);
        let b = f32(input[ib]);
        let dy = f32(upstream[output_offset(ia, half, inner)]);
        // At b = ±inf the slope is exactly 0, and sigmoid(-inf) too: IEEE
        // products with a zero made at run time.
        let zero = times_zero(dy, 1.0);
        let da = select(times_scaled(dy, sigmoid_scaled(b)), zero, is_neg_inf1(b));
        // dy a sigmoid'(b), rounded about once: dy a first where finite;
        // otherwise an infinite a carries the slope however far it
        // underflows (inf where dy is nonzero, NaN where it is 0).
        let slope = sigmoid_slope_scaled(b);
        let p = dy * a;
        let through = select(times_scaled(a, slope) * dy, times_scaled(p, slope), is_finite1(p));
        let db = select(through, zero * a, !is_finite1(b));
        // A NaN in either half makes both NaN (a + b, made at run time).
        let poisoned = is_nan1(a) || is_nan1(b);
        output[ia] = stored(select(da, a + b, poisoned));
        output[ib] = stored(select(db, a + b, poisoned));
    }
}
