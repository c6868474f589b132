// Keras ReLU(max_value, negative_slope, threshold).
//   x >  threshold: min(x, max_value)
//   x <= threshold: negative_slope * (x - threshold)
// NaN stays NaN; -inf with slope 0 gives 0 (the limit) instead of 0 * -inf.

// Keep in step with `ReluParams` in src/kernels.rs.
struct Params {
    max_value: f32,
    negative_slope: f32,
    threshold: f32,
    // 1 when max_value is set.
    has_max: u32,
}

@group(0) @binding(1) var<uniform> params: Params;

fn relu(x: f32) -> f32 {
    if x > params.threshold {
        if params.has_max != 0u {
            return min(x, params.max_value);
        }
        return x;
    }
    if x <= params.threshold {
        if params.negative_slope == 0.0 {
            return 0.0;
        }
        return params.negative_slope * (x - params.threshold);
    }
    return x; // NaN
}

fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    return vec4<f32>(relu(v.x), relu(v.y), relu(v.z), relu(v.w));
}
