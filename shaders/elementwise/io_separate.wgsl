// Elementwise I/O, out of place: read `input`, write `output`. Tensors hold
// `stored` (f32 or f16, aliased by the registry); kernels compute in f32.

@group(0) @binding(2) var<storage, read> input: array<vec4<stored>>;
@group(0) @binding(3) var<storage, read_write> output: array<vec4<stored>>;

fn load(i: u32) -> vec4<f32> {
    return vec4<f32>(input[i]);
}

fn store(i: u32, v: vec4<f32>) {
    output[i] = vec4<stored>(v);
}
