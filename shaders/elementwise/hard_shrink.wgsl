// keras.activations.hard_shrink(x, threshold) = where(|x| > t, x, 0).
// The test is strict (±t gives +0). Keras gives 0 for NaN; NaN stays NaN here.

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
    let keep = (abs(v) > vec4<f32>(params.threshold)) | is_nan4(v);
    return select(vec4<f32>(0.0), v, keep);
}
