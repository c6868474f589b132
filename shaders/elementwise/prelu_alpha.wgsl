// PReLU's alpha, broadcast over the batch axis and the shared axes: its
// parameters and `alpha4(first)`, shared by the forward kernel
// (shaders/elementwise/prelu.wgsl) and the input gradient (shaders/elementwise/prelu_grad.wgsl).

// The input's shape with adjacent compatible axes merged (at most 8,
// PRELU_MAX_RANK in src/activations/prelu/layer.rs) and alpha's stride along each (0 on the
// batch axis and on shared axes).
// The Rust twin is `PreluParams` in src/activations/prelu/layer.rs; src/kernels/tests.rs
// checks name and size.
struct PreluParams {
    rank: u32,
    // 1 when alpha varies along at most one merged axis (the usual case:
    // channels, or all of input_shape[1:]); its index is then (i / inner) % dim.
    single_axis: u32,
    inner: u32,
    dim: u32,
    dims: array<vec4<u32>, 2>,
    alpha_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(1) var<uniform> params: PreluParams;
// How alpha4 finds alpha, fixed when the pipeline is created (a branch on a
// uniform would still run every path on CPU adapters). The Rust twin is
// `PreluAlpha` in src/kernels/spec.rs.
//   0: the general index loop, per element;
//   1: alpha varies along the innermost axis, a multiple of 4 long: one aligned vec4;
//   2: alpha varies along one outer axis whose inner block is a multiple of 4: one value.
override ALPHA_MODE: u32 = 0u;

// alpha, padded to whole vec4s like every tensor. It stays f32 (Keras keeps
// variables in f32 under mixed precision) and is rounded to the tensors'
// type where it is used, as Keras casts it to the compute type.
@group(0) @binding(4) var<storage, read> alpha: array<vec4<f32>>;

fn alpha_index(flat: u32) -> u32 {
    if params.single_axis != 0u {
        return (flat / params.inner) % params.dim;
    }
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

fn alpha_at(i: u32) -> f32 {
    return f32(stored(alpha[i / 4u][i % 4u]));
}

// alpha for the four elements starting at `first` (a multiple of 4).
fn alpha4(first: u32) -> vec4<f32> {
    if ALPHA_MODE == 1u {
        return vec4<f32>(vec4<stored>(alpha[(first % params.dim) / 4u]));
    }
    if ALPHA_MODE == 2u {
        return vec4<f32>(alpha_at((first / params.inner) % params.dim));
    }
    return vec4<f32>(alpha_at(alpha_index(first)), alpha_at(alpha_index(first + 1u)), alpha_at(alpha_index(first + 2u)), alpha_at(alpha_index(first + 3u)));
}
