// Keras Softmax over any set of axes, with an optional mask.
//
// One workgroup per row (a row = every element that shares the kept
// coordinates). Pass 1 reads the row once, keeping a running max and a sum
// rescaled to it (online softmax), then a workgroup tree reduction combines
// the invocations; pass 2 writes exp(x - max) / sum. 2 reads + 1 write.
//
// Policy, as Keras 3 on JAX: an unmasked NaN or +inf makes the row NaN; a row
// of -inf is NaN; a -inf entry gives 0. Masked entries (mask <= 0.5) count as
// -1e9 and give 0, so a fully masked row is all zeros.

// Keep in step with `SoftmaxParams` in src/kernels.rs. Axes are merged where
// strides allow; at most 8 kept and 8 reduced.
struct Params {
    rows: u32,
    row_len: u32,
    kept_rank: u32,
    reduced_rank: u32,
    has_mask: u32,
    grid_x: u32,
    _pad0: u32,
    _pad1: u32,
    kept_dims: array<vec4<u32>, 2>,
    kept_strides: array<vec4<u32>, 2>,
    kept_mask_strides: array<vec4<u32>, 2>,
    reduced_dims: array<vec4<u32>, 2>,
    reduced_strides: array<vec4<u32>, 2>,
    reduced_mask_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(1) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> input: array<f32>;
@group(0) @binding(3) var<storage, read_write> output: array<f32>;
@group(0) @binding(4) var<storage, read> mask: array<f32>;

const MASKED_LOGIT: f32 = -1e9;

var<workgroup> wg_max: array<f32, WORKGROUP_SIZE>;
var<workgroup> wg_sum: array<f32, WORKGROUP_SIZE>;
var<workgroup> wg_poisoned: array<u32, WORKGROUP_SIZE>;

fn neg_inf() -> f32 {
    return bitcast<f32>(0xff800000u);
}

// NaN or +inf, by bits so no compiler can assume them away.
fn poisons_row(x: f32) -> bool {
    let bits = bitcast<u32>(x);
    return (bits & 0x7fffffffu) > 0x7f800000u || bits == 0x7f800000u;
}

fn is_neg_inf(x: f32) -> bool {
    return bitcast<u32>(x) == 0xff800000u;
}

// Input and mask offsets of `index` decomposed over (dims, strides, mask strides).
fn offsets(index: u32, rank: u32, dims: array<vec4<u32>, 2>, strides: array<vec4<u32>, 2>, mask_strides: array<vec4<u32>, 2>) -> vec2<u32> {
    var rest = index;
    var out = vec2<u32>(0u, 0u);
    for (var d = 0u; d < rank; d++) {
        let axis = rank - 1u - d;
        let dim = dims[axis / 4u][axis % 4u];
        let c = rest % dim;
        rest /= dim;
        out += c * vec2<u32>(strides[axis / 4u][axis % 4u], mask_strides[axis / 4u][axis % 4u]);
    }
    return out;
}

// A sum rescaled from max m to max target; an empty part (sum 0) stays 0 even
// when both maxima are -inf.
fn rescale(sum: f32, m: f32, to: f32) -> f32 {
    if sum == 0.0 {
        return 0.0;
    }
    return sum * exp(m - to);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let row = workgroup.y * params.grid_x + workgroup.x;
    if row >= params.rows {
        return;
    }
    let base = offsets(row, params.kept_rank, params.kept_dims, params.kept_strides, params.kept_mask_strides);

    var m = neg_inf();
    var s = 0.0;
    var poisoned = 0u;
    for (var k = local; k < params.row_len; k += WORKGROUP_SIZE) {
        let o = base + offsets(k, params.reduced_rank, params.reduced_dims, params.reduced_strides, params.reduced_mask_strides);
        var x = input[o.x];
        if params.has_mask != 0u && !(mask[o.y] > 0.5) {
            x = MASKED_LOGIT;
        }
        if poisons_row(x) {
            poisoned = 1u;
        } else if x > m {
            s = rescale(s, m, x) + 1.0;
            m = x;
        } else if !is_neg_inf(x) {
            s += exp(x - m);
        }
    }
    wg_max[local] = m;
    wg_sum[local] = s;
    wg_poisoned[local] = poisoned;
    workgroupBarrier();
    for (var span = WORKGROUP_SIZE / 2u; span > 0u; span /= 2u) {
        if local < span {
            let m2 = wg_max[local + span];
            let mm = max(wg_max[local], m2);
            wg_sum[local] = rescale(wg_sum[local], wg_max[local], mm) + rescale(wg_sum[local + span], m2, mm);
            wg_max[local] = mm;
            wg_poisoned[local] |= wg_poisoned[local + span];
        }
        workgroupBarrier();
    }
    let row_max = wg_max[0];
    let row_sum = wg_sum[0];
    let row_poisoned = wg_poisoned[0] != 0u;

    for (var k = local; k < params.row_len; k += WORKGROUP_SIZE) {
        let o = base + offsets(k, params.reduced_rank, params.reduced_dims, params.reduced_strides, params.reduced_mask_strides);
        if params.has_mask != 0u && !(mask[o.y] > 0.5) {
            output[o.x] = 0.0;
        } else if row_poisoned {
            output[o.x] = bitcast<f32>(0x7fc00000u);
        } else {
            output[o.x] = exp(input[o.x] - row_max) / row_sum;
        }
    }
}
