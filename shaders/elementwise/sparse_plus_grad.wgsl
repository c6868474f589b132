// Backward of keras.activations.sparse_plus: 0 up to -1, 1 from 1 (the
// branches `where` takes at the kinks), (x + 1) / 2 between, so dx = dy *
// (x + 1) / 2: JAX's (dy / 4) * (2(x + 1)) to the bit, both scalings being
// exact; the limits at ±inf (JAX: NaN).

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let middle = select(0.5 * (x + 1.0), vec4<f32>(1.0), x >= vec4<f32>(1.0));
    return gradient(x, first, select(middle, vec4<f32>(0.0), x <= vec4<f32>(-1.0)));
}
