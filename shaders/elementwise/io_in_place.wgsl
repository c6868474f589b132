// Elementwise I/O, in place: one read-write binding (a buffer may not be
// bound both read-only and writable in one dispatch).

@group(0) @binding(3) var<storage, read_write> output: array<vec4<stored>>;

fn load(i: u32) -> vec4<f32> {
    return vec4<f32>(output[i]);
}

fn store(i: u32, v: vec4<f32>) {
    output[i] = vec4<stored>(v);
}
