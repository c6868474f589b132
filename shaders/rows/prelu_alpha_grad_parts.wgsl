// PReLU's alpha gradient for alpha elements with too many contributions for
// one workgroup (a large batch and shared axes): each element's contributions
// are cut into segments as in softmax_parts.wgsl. Two dispatches:
//   FINISH = 0: a workgroup per segment sums its share into `partials`;
//   FINISH = 1: a workgroup per alpha element sums its partials and adds the
//               regularizer's gradient.

override FINISH: u32 = 0u;

@group(0) @binding(8) var<storage, read_write> partials: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    // Uniform per workgroup, so the early returns keep barriers uniform.
    let id = workgroup.y * params.grid_x + workgroup.x;
    if FINISH == 1u {
        if id >= params.rows {
            return;
        }
        var sum = negative_zero();
        let first = id * params.parts;
        for (var j = local; j < params.parts; j += WORKGROUP_SIZE) {
            sum += partials[first + j];
        }
        let total = workgroup_sum(local, sum);
        if local == 0u {
            output[id] = total + penalty(id);
        }
        return;
    }
    let s = segment_of(id);
    if s.x >= params.rows {
        return;
    }
    let base = row_base(s.x);
    var sum = negative_zero();
    for (var k = s.y + local; k < s.z; k += WORKGROUP_SIZE) {
        sum += contribution(base, k);
    }
    let mine = workgroup_sum(local, sum);
    if local == 0u {
        partials[id] = mine;
    }
}
