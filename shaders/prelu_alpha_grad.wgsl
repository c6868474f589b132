// PReLU's alpha gradient, one workgroup per alpha element, prepended with
// shaders/softmax_common.wgsl for its row indexing: a row is alpha element
// `row` (kept axes: alpha's own) and runs over the batch axis and the shared
// axes (reduced axes). `input` holds x, `output` receives d_alpha:
//   d_alpha = sum over the row of dy * min(x, 0), plus, when asked, the
//   regularizer's gradient l1 * sign(alpha) + 2 * l2 * alpha.

@group(0) @binding(5) var<storage, read> upstream: array<f32>;
@group(0) @binding(6) var<storage, read> alpha: array<f32>;

// Keep in step with `Regularization` in src/kernels.rs (zeros when not asked).
struct Regularization {
    l1: f32,
    l2: f32,
    _pad0: f32,
    _pad1: f32,
}

@group(0) @binding(7) var<uniform> regularization: Regularization;

// min(x, 0), keeping NaN (WGSL's min may drop it, and GLSL compilers may
// fold comparisons with NaN, so NaN is found by its bits) and mapping -0 to 0.
fn negative_part(x: f32) -> f32 {
    let nan = (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
    return select(select(0.0, x, x < 0.0), x, nan);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    // Uniform per workgroup, so the early return keeps barriers uniform.
    let row = workgroup.y * params.grid_x + workgroup.x;
    if row >= params.rows {
        return;
    }
    let base = row_base(row);
    var s = 0.0;
    for (var k = local; k < params.row_len; k += WORKGROUP_SIZE) {
        let o = row_element(base, k).x;
        s += upstream[o] * negative_part(input[o]);
    }
    let total = workgroup_sum(local, s);
    if local == 0u {
        let a = alpha[row];
        let penalty = regularization.l1 * sign(a) + 2.0 * regularization.l2 * a;
        output[row] = total + penalty;
    }
}
