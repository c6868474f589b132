// Elementwise I/O, out of place: read `input`, write `output`.

@group(0) @binding(2) var<storage, read> input: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> output: array<vec4<f32>>;

fn load(i: u32) -> vec4<f32> {
    return input[i];
}

fn store(i: u32, v: vec4<f32>) {
    output[i] = v;
}
