// Workgroup reductions beside rows.wgsl's `workgroup_sum`, for the row
// kernels that need a max or a count (sparsemax, log_softmax). Each leaves
// its workgroup memory free again before it returns, and returns a uniform
// value (workgroupUniformLoad): sparsemax's rounds loop on them around
// barriers, which WGSL allows only in uniform control flow (Chromium's Tint
// checks it; naga does not).

var<workgroup> reduce_max: array<f32, MAX_WORKGROUP_SIZE>;
var<workgroup> reduce_count: array<u32, MAX_WORKGROUP_SIZE>;

// The largest of every invocation's `value` (NaN left out), to all of them.
fn workgroup_max(local: u32, value: f32) -> f32 {
    reduce_max[local] = value;
    workgroupBarrier();
    for (var span = WORKGROUP_SIZE / 2u; span > 0u; span /= 2u) {
        if local < span {
            let other = reduce_max[local + span];
            if other > reduce_max[local] {
                reduce_max[local] = other;
            }
        }
        workgroupBarrier();
    }
    let whole = workgroupUniformLoad(&reduce_max[0]);
    workgroupBarrier();
    return whole;
}

// The sum of every invocation's `value`, to all of them.
fn workgroup_count(local: u32, value: u32) -> u32 {
    reduce_count[local] = value;
    workgroupBarrier();
    for (var span = WORKGROUP_SIZE / 2u; span > 0u; span /= 2u) {
        if local < span {
            reduce_count[local] += reduce_count[local + span];
        }
        workgroupBarrier();
    }
    let whole = workgroupUniformLoad(&reduce_count[0]);
    workgroupBarrier();
    return whole;
}
