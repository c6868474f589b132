// A regularizer's penalty on a parameter w, one workgroup:
//   l1 * sum(|w|) + l2 * sum(w^2)  (Keras L1L2; L1 and L2 are l2 = 0 and l1 = 0)
// over w[first .. first + len), added to output[0] (written where first is 0).
// One dispatch covers w where llvmpipe's loop budget allows (about 16M
// elements, src/loop_budget.rs); past it the host dispatches consecutive
// chunks, each adding its share.

// The Rust twin is `PenaltyParams` in src/weights/kernels.rs; src/kernels/tests.rs
// checks name and size.
struct PenaltyParams {
    len: u32,
    l1: f32,
    l2: f32,
    first: u32,
}

@group(0) @binding(1) var<uniform> params: PenaltyParams;
@group(0) @binding(2) var<storage, read> input: array<f32>;
@group(0) @binding(3) var<storage, read_write> output: array<f32>;

// (sum |w|, sum w^2) of each invocation's share.
var<workgroup> partial: array<vec2<f32>, MAX_WORKGROUP_SIZE>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(local_invocation_index) local: u32) {
    var s = vec2<f32>(0.0);
    for (var i = local; i < params.len; i += WORKGROUP_SIZE) {
        let w = input[params.first + i];
        s += vec2<f32>(abs(w), w * w);
    }
    partial[local] = s;
    workgroupBarrier();
    for (var span = WORKGROUP_SIZE / 2u; span > 0u; span /= 2u) {
        if local < span {
            partial[local] += partial[local + span];
        }
        workgroupBarrier();
    }
    if local == 0u {
        let before = select(output[0], 0.0, params.first == 0u);
        output[0] = before + (params.l1 * partial[0].x + params.l2 * partial[0].y);
    }
}
