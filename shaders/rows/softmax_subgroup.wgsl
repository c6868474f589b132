// Keras Softmax, one workgroup per row, reduced with subgroup operations:
// the same passes as softmax_workgroup.wgsl, but each subgroup combines its
// invocations' partial (max, sum) in registers, so the workgroup shares one
// partial per subgroup instead of running a tree of barriers over 256.
// Used only where the device has Features::SUBGROUP. (wgpu 30's naga offers
// the subgroup builtins natively and rejects `enable subgroups;` as not yet
// implemented, so there is no enable directive.)

// One slot per subgroup (as many as invocations, should subgroups be of one).
var<workgroup> partial: array<Running, MAX_WORKGROUP_SIZE>;

// `r` combined over the subgroup of `lanes` invocations (a power of two),
// the same in every invocation: a butterfly of `combine`s, so the sum stays
// compensated (subgroupAdd would round it log2(lanes) times).
fn subgroup_combine(r: Running, lanes: u32) -> Running {
    var out = r;
    for (var mask = 1u; mask < lanes; mask *= 2u) {
        let other = Running(
            subgroupShuffleXor(out.base, mask),
            subgroupShuffleXor(out.sum, mask),
            subgroupShuffleXor(out.carry, mask),
            subgroupShuffleXor(out.poisoned, mask),
        );
        out = combine(out, other);
    }
    return out;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
    @builtin(workgroup_id) workgroup: vec3<u32>,
    @builtin(local_invocation_index) local: u32,
    @builtin(subgroup_invocation_id) lane: u32,
    @builtin(subgroup_size) lanes: u32,
    @builtin(subgroup_id) subgroup: u32,
    @builtin(num_subgroups) subgroups: u32,
) {
    // Uniform per workgroup, so the early return keeps barriers uniform.
    let row = workgroup.y * params.grid_x + workgroup.x;
    if row >= params.rows {
        return;
    }
    let base = row_base(row);
    let r = workgroup_share(base, local);
    let mine = subgroup_combine(r, lanes);
    if lane == 0u {
        partial[subgroup] = mine;
    }
    workgroupBarrier();
    // Every subgroup folds all the slots, so all invocations end up with the
    // row's state without a second barrier.
    var whole = running_empty();
    for (var j = lane; j < subgroups; j += lanes) {
        whole = combine(whole, partial[j]);
    }
    whole = subgroup_combine(whole, lanes);
    write_workgroup_share(base, local, whole);
}
