// Gradient of Keras's mean squared error with respect to the prediction y:
// 2 * (y - target) / n, with `upstream` holding the target and `scale` = 2 / n.

// The Rust twin is `ScalarParams` in src/activations/elementwise.rs; src/kernels/tests.rs
// checks name and size.
struct ScalarParams {
    scale: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(1) var<uniform> params: ScalarParams;

fn apply(y: vec4<f32>, first: u32) -> vec4<f32> {
    return params.scale * (y - upstream_at(first));
}
