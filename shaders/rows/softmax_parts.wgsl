// Keras Softmax for rows too long for one workgroup: each row is cut into
// `params.parts` segments of `params.part_len` elements, a workgroup each, so
// a few long rows still fill the device, and no invocation loops past
// llvmpipe's budget (src/loop_budget.rs). Two dispatches of the same grid:
//   FINISH = 0: each workgroup's online (max, sum) over its segment goes to
//               `partials`, one per segment;
//   FINISH = 1: each workgroup folds its row's partials and writes its
//               segment, exp(x - max) / sum.
// 2 reads + 1 write per element, as softmax_workgroup.wgsl.

override FINISH: u32 = 0u;

@group(0) @binding(6) var<storage, read_write> partials: array<Running>;

var<workgroup> states: array<Running, MAX_WORKGROUP_SIZE>;

// `r` combined over the workgroup, returned to every invocation; a tree
// through workgroup memory. Call from uniform control flow.
fn workgroup_combine(local: u32, r: Running) -> Running {
    states[local] = r;
    workgroupBarrier();
    for (var span = WORKGROUP_SIZE / 2u; span > 0u; span /= 2u) {
        if local < span {
            states[local] = combine(states[local], states[local + span]);
        }
        workgroupBarrier();
    }
    return states[0];
}

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
        let mine = workgroup_combine(local, segment_share(base, s.y, s.z, local));
        if local == 0u {
            partials[segment] = mine;
        }
        return;
    }
    var r = running_empty();
    let first = s.x * params.parts;
    for (var j = local; j < params.parts; j += WORKGROUP_SIZE) {
        r = combine(r, partials[first + j]);
    }
    write_segment(base, s.y, s.z, local, workgroup_combine(local, r));
}
