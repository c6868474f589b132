// Keras ThresholdedReLU(theta): x for x > theta (strict), 0 otherwise.
// NaN stays NaN; -inf gives 0.

// Keep in step with `ThresholdedReluParams` in src/kernels.rs.
struct Params {
    theta: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(1) var<uniform> params: Params;

fn thresholded_relu(x: f32) -> f32 {
    if x <= params.theta {
        return 0.0;
    }
    return x; // x > theta, or NaN
}

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    return vec4<f32>(thresholded_relu(v.x), thresholded_relu(v.y), thresholded_relu(v.z), thresholded_relu(v.w));
}
