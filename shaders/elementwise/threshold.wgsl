// keras.activations.threshold(x, threshold, default_value) =
// where(x > threshold, x, default_value), strict. Keras gives default_value
// for NaN; NaN stays NaN here.

// The Rust twin is `ThresholdParams` in src/activations/activation/threshold.rs;
// src/kernels/tests.rs checks name and size.
struct ThresholdParams {
    threshold: f32,
    default_value: f32,
    _pad0: f32,
    _pad1: f32,
}

@group(0) @binding(1) var<uniform> params: ThresholdParams;

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let keep = (v > vec4<f32>(params.threshold)) | is_nan4(v);
    return select(vec4<f32>(params.default_value), v, keep);
}
