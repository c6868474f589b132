// Keras Softmax, one workgroup per row: for long rows. Pass 1 reads the row
// once with a running max and rescaled sum (online softmax), invocations
// striding through it; a workgroup tree reduction combines them; pass 2
// writes exp(x - max) / sum. 2 reads + 1 write per element.

var<workgroup> partial: array<Running, MAX_WORKGROUP_SIZE>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    // Uniform per workgroup, so the early return keeps barriers uniform.
    let row = workgroup.y * params.grid_x + workgroup.x;
    if row >= params.rows {
        return;
    }
    let base = row_base(row);
    let r = workgroup_share(base, local);
    partial[local] = r;
    workgroupBarrier();
    for (var span = WORKGROUP_SIZE / 2u; span > 0u; span /= 2u) {
        if local < span {
            partial[local] = combine(partial[local], partial[local + span]);
        }
        workgroupBarrier();
    }
    let whole = partial[0];
    write_workgroup_share(base, local, whole);
}
