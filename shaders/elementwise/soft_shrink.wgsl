// keras.activations.soft_shrink(x, threshold) =
// where(x > t, x - t, where(x < -t, x + t, 0)), with Keras's precedence when
// a negative t makes both tests true. Keras gives 0 for NaN; NaN stays NaN here.

// The Rust twin is `ScalarParams` in src/kernels/params.rs; src/kernels/tests.rs
// checks name and size.
struct ScalarParams {
    threshold: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(1) var<uniform> params: ScalarParams;

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let t = vec4<f32>(params.threshold);
    let shrunk = select(select(vec4<f32>(0.0), v + t, v < -t), v - t, v > t);
    return select(shrunk, v, is_nan4(v));
}
