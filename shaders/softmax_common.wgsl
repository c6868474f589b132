// Shared by the softmax kernels; the registry (src/kernels.rs) prepends it
// after shaders/common.wgsl. A row is every element that shares the kept
// coordinates; the softmax runs over the row.
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

// The online softmax state of part of a row: its max, the sum of
// exp(x - max) over it, and whether an unmasked NaN or +inf was seen.
struct Running {
    peak: f32,
    sum: f32,
    poisoned: u32,
}

fn running_empty() -> Running {
    return Running(neg_inf(), 0.0, 0u);
}

// Input and mask offsets of a row's first element.
fn row_base(row: u32) -> vec2<u32> {
    return offsets(row, params.kept_rank, params.kept_dims, params.kept_strides, params.kept_mask_strides);
}

// Input and mask offsets of element k of the row starting at `base`.
fn row_element(base: vec2<u32>, k: u32) -> vec2<u32> {
    return base + offsets(k, params.reduced_rank, params.reduced_dims, params.reduced_strides, params.reduced_mask_strides);
}

fn is_masked(o: vec2<u32>) -> bool {
    return params.has_mask != 0u && !(mask[o.y] > 0.5);
}

// Adds the element at `o` to `r`; a -inf logit adds nothing.
fn accumulate(r: Running, o: vec2<u32>) -> Running {
    var x = input[o.x];
    if is_masked(o) {
        x = MASKED_LOGIT;
    }
    var out = r;
    if poisons_row(x) {
        out.poisoned = 1u;
    } else if x > r.peak {
        out.sum = rescale(r.sum, r.peak, x) + 1.0;
        out.peak = x;
    } else if !is_neg_inf(x) {
        out.sum += exp(x - r.peak);
    }
    return out;
}

fn combine(a: Running, b: Running) -> Running {
    let m = max(a.peak, b.peak);
    return Running(m, rescale(a.sum, a.peak, m) + rescale(b.sum, b.peak, m), a.poisoned | b.poisoned);
}

// The softmax output at `o` given its whole row's state.
fn softmax_at(o: vec2<u32>, row: Running) -> f32 {
    if is_masked(o) {
        return 0.0;
    }
    if row.poisoned != 0u {
        return bitcast<f32>(0x7fc00000u);
    }
    return exp(input[o.x] - row.peak) / row.sum;
}
