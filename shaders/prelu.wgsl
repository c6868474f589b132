// Keras PReLU: x for x > 0, alpha * x for x < 0, 0 at +-0, with alpha
// broadcast over the batch axis and the shared axes.
// NaN stays NaN; -inf with alpha 0 gives 0 (the limit) instead of 0 * -inf.

// The input's shape with adjacent compatible axes merged (at most 8,
// PRELU_MAX_RANK in src/kernels.rs) and alpha's stride along each (0 on the
// batch axis and on shared axes).
// Keep in step with `PreluParams` in src/kernels.rs.
struct Params {
    rank: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
    dims: array<vec4<u32>, 2>,
    alpha_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(1) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read> alpha: array<f32>;

fn alpha_index(flat: u32) -> u32 {
    var rest = flat;
    var index = 0u;
    for (var d = 0u; d < params.rank; d++) {
        let axis = params.rank - 1u - d;
        let dim = params.dims[axis / 4u][axis % 4u];
        index += (rest % dim) * params.alpha_strides[axis / 4u][axis % 4u];
        rest /= dim;
    }
    return index;
}

fn prelu(x: f32, a: f32) -> f32 {
    if x > 0.0 {
        return x;
    }
    if x < 0.0 {
        if a == 0.0 {
            return 0.0;
        }
        return a * x;
    }
    if x == 0.0 {
        return 0.0;
    }
    return x; // NaN
}

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    return vec4<f32>(
        prelu(v.x, alpha[alpha_index(first)]),
        prelu(v.y, alpha[alpha_index(first + 1u)]),
        prelu(v.z, alpha[alpha_index(first + 2u)]),
        prelu(v.w, alpha[alpha_index(first + 3u)]),
    );
}
