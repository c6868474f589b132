// Keras LeakyReLU(negative_slope): x for x >= 0, negative_slope * x below.
// NaN stays NaN; -inf with slope 0 gives 0 (the limit) instead of 0 * -inf.

// Keep in step with `LeakyReluParams` in src/kernels.rs.
struct Params {
    negative_slope: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(0) var<uniform> launch: Launch;
@group(0) @binding(1) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> input: array<f32>;
@group(0) @binding(3) var<storage, read_write> output: array<f32>;

fn leaky_relu(x: f32) -> f32 {
    if x < 0.0 {
        if params.negative_slope == 0.0 {
            return 0.0;
        }
        return params.negative_slope * x;
    }
    return x;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let i = element_index(workgroup, local, launch.grid_x);
    if i < launch.len {
        output[i] = leaky_relu(input[i]);
    }
}
