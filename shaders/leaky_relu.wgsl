// Keras LeakyReLU(negative_slope): x for x >= 0, negative_slope * x below.
// NaN stays NaN; -inf with slope 0 gives 0 (the limit) instead of 0 * -inf.

// Keep in step with `LeakyReluParams` in src/kernels.rs.
struct Params {
    negative_slope: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(1) var<uniform> params: Params;

fn leaky_relu(x: f32) -> f32 {
    if x < 0.0 {
        if params.negative_slope == 0.0 {
            return 0.0;
        }
        return params.negative_slope * x;
    }
    return x;
}

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    return vec4<f32>(leaky_relu(v.x), leaky_relu(v.y), leaky_relu(v.z), leaky_relu(v.w));
}
