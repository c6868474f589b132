// Shared by the row kernels; `Kernel::source` (src/kernels/spec.rs) prepends it, with
// shaders/rows/online_softmax.wgsl (the running state and its exp), after
// shaders/common.wgsl. A row is every element that shares the kept
// coordinates; the softmax runs over the row.
//
// Policy, as Keras 3 on JAX: an unmasked NaN or +inf makes the row NaN; a row
// of -inf is NaN; a -inf entry gives 0. Masked entries (mask <= 0.5) count as
// MASKED_LOGIT (-1e9, or -3e4 for f16 as in Keras) and give 0, so a fully masked row is all zeros.

// The Rust twin is `RowParams` in src/kernels/rows.rs; src/kernels/tests.rs
// checks name and size. Axes are merged where
// strides allow; at most 8 kept and 8 reduced.
struct RowParams {
    rows: u32,
    row_len: u32,
    kept_rank: u32,
    reduced_rank: u32,
    has_mask: u32,
    grid_x: u32,
    // Segments per row and elements per segment: rows too long for one
    // workgroup are cut into segments, a workgroup each (*_parts.wgsl); 1 and
    // row_len otherwise.
    parts: u32,
    part_len: u32,
    kept_dims: array<vec4<u32>, 2>,
    kept_strides: array<vec4<u32>, 2>,
    kept_mask_strides: array<vec4<u32>, 2>,
    reduced_dims: array<vec4<u32>, 2>,
    reduced_strides: array<vec4<u32>, 2>,
    reduced_mask_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(1) var<uniform> params: RowParams;
// Input and output hold `stored` (f32 or f16, aliased by the registry); the
// arithmetic is f32. The mask is always f32.
@group(0) @binding(2) var<storage, read> input: array<stored>;
@group(0) @binding(3) var<storage, read_write> output: array<stored>;
@group(0) @binding(4) var<storage, read> mask: array<f32>;


// 1 when the kept (resp. reduced) axes merged into one: index without the
// division loop. Fixed per pipeline (`Specialization::overrides` in src/kernels/spec.rs),
// because CPU adapters would run both sides of a uniform branch.
override KEPT_SINGLE: u32 = 0u;
override REDUCED_SINGLE: u32 = 0u;
// 1 when a mask is bound; fixed per pipeline so unmasked runs never read it.
override HAS_MASK: u32 = 0u;

// -inf and NaN from bits held in a variable: as constant expressions WGSL
// rejects them (Chromium's Tint: "value -inf cannot be represented as 'f32'").
fn neg_inf() -> f32 {
    var bits = 0xff800000u;
    return bitcast<f32>(bits);
}

fn nan() -> f32 {
    var bits = 0x7fc00000u;
    return bitcast<f32>(bits);
}

// NaN or +inf, by bits so no compiler can assume them away.
fn poisons_row(x: f32) -> bool {
    let bits = bitcast<u32>(x);
    return (bits & 0x7fffffffu) > 0x7f800000u || bits == 0x7f800000u;
}

// NaN, by bits.
fn is_nan1(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

fn is_neg_inf(x: f32) -> bool {
    return bitcast<u32>(x) == 0xff800000u;
}

// Input and mask offsets of a row's first element: `row` decomposed over
// the kept axes, innermost fastest. One axis (the common case) needs no division.
// row_base and row_element repeat one loop over different uniform arrays on
// purpose: a shared helper taking the arrays by value copied them for every
// element and was 5x slower on lavapipe.
fn row_base(row: u32) -> vec2<u32> {
    if KEPT_SINGLE == 1u {
        return row * vec2<u32>(params.kept_strides[0].x, params.kept_mask_strides[0].x);
    }
    var rest = row;
    var out = vec2<u32>(0u, 0u);
    for (var axis = params.kept_rank; axis > 0u; axis--) {
        let a = axis - 1u;
        let dim = params.kept_dims[a / 4u][a % 4u];
        out += (rest % dim) * vec2<u32>(params.kept_strides[a / 4u][a % 4u], params.kept_mask_strides[a / 4u][a % 4u]);
        rest /= dim;
    }
    return out;
}

// Input and mask offsets of element k of the row starting at `base`.
fn row_element(base: vec2<u32>, k: u32) -> vec2<u32> {
    if REDUCED_SINGLE == 1u {
        return base + k * vec2<u32>(params.reduced_strides[0].x, params.reduced_mask_strides[0].x);
    }
    var rest = k;
    var out = base;
    for (var axis = params.reduced_rank; axis > 0u; axis--) {
        let a = axis - 1u;
        let dim = params.reduced_dims[a / 4u][a % 4u];
        out += (rest % dim) * vec2<u32>(params.reduced_strides[a / 4u][a % 4u], params.reduced_mask_strides[a / 4u][a % 4u]);
        rest /= dim;
    }
    return out;
}

fn is_masked(o: vec2<u32>) -> bool {
    return HAS_MASK == 1u && !(mask[o.y] > 0.5);
}

// This invocation's share of elements [start, end) of a row when a
// workgroup owns them: start + local, then every WORKGROUP_SIZE-th.
fn segment_share(base: vec2<u32>, start: u32, end: u32, local: u32) -> Running {
    var r = running_empty();
    for (var k = start + local; k < end; k += WORKGROUP_SIZE) {
        r = accumulate(r, row_element(base, k));
    }
    return r;
}

// Writes this invocation's share of elements [start, end) of a row whose
// whole state is `whole`.
fn write_segment(base: vec2<u32>, start: u32, end: u32, local: u32, whole: Running) {
    let total = row_total(whole);
    for (var k = start + local; k < end; k += WORKGROUP_SIZE) {
        let o = row_element(base, k);
        output[o.x] = stored(softmax_at(o, whole, total));
    }
}

fn workgroup_share(base: vec2<u32>, local: u32) -> Running {
    return segment_share(base, 0u, params.row_len, local);
}

fn write_workgroup_share(base: vec2<u32>, local: u32, whole: Running) {
    write_segment(base, 0u, params.row_len, local, whole);
}

// The segment a workgroup owns when rows are cut into `params.parts`: its
// row, and its elements [x, y) of that row (an end that cannot overflow).
fn segment_of(segment: u32) -> vec3<u32> {
    let row = segment / params.parts;
    let start = (segment % params.parts) * params.part_len;
    return vec3<u32>(row, start, start + min(params.part_len, params.row_len - start));
}

var<workgroup> partial_sums: array<f32, MAX_WORKGROUP_SIZE>;

// The sum of every invocation's `value` over the workgroup, returned to all
// of them; a tree through workgroup memory. Call from uniform control flow.
fn workgroup_sum(local: u32, value: f32) -> f32 {
    partial_sums[local] = value;
    workgroupBarrier();
    for (var span = WORKGROUP_SIZE / 2u; span > 0u; span /= 2u) {
        if local < span {
            partial_sums[local] += partial_sums[local + span];
        }
        workgroupBarrier();
    }
    return partial_sums[0];
}
