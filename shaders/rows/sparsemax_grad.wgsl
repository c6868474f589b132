// Backward of keras.activations.sparsemax, from x (the threshold again,
// sparsemax_tau.wgsl): with g = 1 on the support (x - max > tau), 1/2 at
// an entry exactly at tau (JAX's max splits the tie) and 0 below,
// dx = g dy - [on the support] sum(g dy) / size. One workgroup per row;
// NaN where x is NaN and over a NaN row.

@group(0) @binding(5) var<storage, read> upstream: array<stored>;

// max(x - tau, 0)'s derivative at d = x - max.
fn share(d: f32, tau: f32) -> f32 {
    return select(select(0.0, 0.5, d == tau), 1.0, d > tau);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let row = workgroup.y * params.grid_x + workgroup.x;
    if row >= params.rows {
        return;
    }
    let base = row_base(row);
    let t = row_threshold(base, local);
    var sum = 0.0;
    for (var k = local; k < params.row_len; k += WORKGROUP_SIZE) {
        let o = row_element(base, k).x;
        let d = f32(input[o]) - t.max;
        if d >= t.tau {
            sum += share(d, t.tau) * f32(upstream[o]);
        }
    }
    let mean = workgroup_sum(local, sum) / f32(max(t.size, 1u));
    for (var k = local; k < params.row_len; k += WORKGROUP_SIZE) {
        let o = row_element(base, k).x;
        let x = f32(input[o]);
        let d = x - t.max;
        let dy = f32(upstream[o]);
        let dx = select(share(d, t.tau) * dy, dy - mean, d > t.tau);
        output[o] = stored(select(dx, nan(), t.poisoned || is_nan1(x)));
    }
}
