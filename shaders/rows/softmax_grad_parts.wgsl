// Backward of Keras Softmax for rows too long for one workgroup, cut into
// segments as in softmax_parts.wgsl. Two dispatches of the same grid:
//   FINISH = 0: each workgroup's share of s = sum(dy * y) goes to `partials`;
//   FINISH = 1: each workgroup sums its row's partials and writes its
//               segment of dx = y * (dy - s).

override FINISH: u32 = 0u;

@group(0) @binding(6) var<storage, read_write> partials: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    // Uniform per workgroup, so the early return keeps barriers uniform.
    let segment = workgroup.y * params.grid_x + workgroup.x;
    let s = segment_of(segment);
    if s.x >= params.rows {
        return;
    }
    let base = row_base(s.x);
    if FINISH == 0u {
        var sum = 0.0;
        for (var k = s.y + local; k < s.z; k += WORKGROUP_SIZE) {
            sum += dot_term(row_element(base, k));
        }
        let mine = workgroup_sum(local, sum);
        if local == 0u {
            partials[segment] = mine;
        }
        return;
    }
    var sum = 0.0;
    let first = s.x * params.parts;
    for (var j = local; j < params.parts; j += WORKGROUP_SIZE) {
        sum += partials[first + j];
    }
    let total = workgroup_sum(local, sum);
    for (var k = s.y + local; k < s.z; k += WORKGROUP_SIZE) {
        let o = row_element(base, k);
        output[o.x] = stored(gradient_at(o, total));
    }
}
