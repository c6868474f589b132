// Shared by keras.activations.glu's kernels (glu.wgsl, glu_grad.wgsl).

// The output offset of input offset `i` of an `a` entry: the input holds
// blocks of row_len * inner elements (inner: the axis's stride), the
// output blocks of half of that.
fn output_offset(i: u32, half: u32, inner: u32) -> u32 {
    let block = params.row_len * inner;
    return i - (i / block) * (half * inner);
}

