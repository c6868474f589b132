// Backward of keras.activations.threshold: 1 above the threshold, else 0.

// The Rust twin is `ScalarParams` in src/kernels/params.rs; src/kernels/tests.rs
// checks name and size.
struct ScalarParams {
    threshold: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(1) var<uniform> params: ScalarParams;

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let above = x > vec4<f32>(params.threshold);
    return gradient(x, first, select(vec4<f32>(0.0), vec4<f32>(1.0), above));
}
