// Elementwise I/O for a backward pass: read x (`input`) and the upstream
// gradient dy (`upstream`), write dx (`output`). Each gradient kernel's
// `apply(x, first)` returns `upstream_at(first) * f'(x)`.

@group(0) @binding(2) var<storage, read> input: array<vec4<stored>>;
@group(0) @binding(3) var<storage, read_write> output: array<vec4<stored>>;
@group(0) @binding(5) var<storage, read> upstream: array<vec4<stored>>;

fn load(i: u32) -> vec4<f32> {
    return vec4<f32>(input[i]);
}

fn store(i: u32, v: vec4<f32>) {
    output[i] = vec4<stored>(v);
}

// dy for the four elements starting at element `first` of the whole tensor.
// Chunks bind ranges of both tensors, so the index is relative to the chunk.
fn upstream_at(first: u32) -> vec4<f32> {
    return vec4<f32>(upstream[(first - launch.base) / 4u]);
}

// dy * f'(x), with NaN where x is NaN (the crate's NaN policy: NaN in, NaN out).
fn gradient(x: vec4<f32>, first: u32, derivative: vec4<f32>) -> vec4<f32> {
    return select(upstream_at(first) * derivative, x, is_nan4(x));
}
