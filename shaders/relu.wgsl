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

@group(0) @binding(0) var<uniform> launch: Launch;
@group(0) @binding(1) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> input: array<f32>;
@group(0) @binding(3) var<storage, read_write> output: array<f32>;

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

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let i = element_index(workgroup, local, launch.grid_x);
    if i < launch.len {
        output[i] = relu(input[i]);
    }
}
