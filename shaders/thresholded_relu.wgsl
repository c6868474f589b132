// Keras ThresholdedReLU(theta): x for x > theta (strict), 0 otherwise.
// NaN stays NaN; -inf gives 0.

// Keep in step with `ThresholdedReluParams` in src/kernels.rs.
struct Params {
    theta: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(0) var<uniform> launch: Launch;
@group(0) @binding(1) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> input: array<f32>;
@group(0) @binding(3) var<storage, read_write> output: array<f32>;

fn thresholded_relu(x: f32) -> f32 {
    if x <= params.theta {
        return 0.0;
    }
    return x; // x > theta, or NaN
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let i = element_index(workgroup, local, launch.grid_x);
    if i < launch.len {
        output[i] = thresholded_relu(input[i]);
    }
}
