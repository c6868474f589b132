// Shared by the softmax backward kernels, prepended after
// shaders/rows/rows.wgsl, whose `input` holds the forward output y and
// whose `output` receives dx. Per row: dx = y * (dy - s), s = sum(dy * y) over
// the row's unmasked elements; masked elements get 0.

@group(0) @binding(5) var<storage, read> upstream: array<stored>;

// This element's term of s.
fn dot_term(o: vec2<u32>) -> f32 {
    if is_masked(o) {
        return 0.0;
    }
    return f32(upstream[o.x]) * f32(input[o.x]);
}

// dx at `o` given its row's s.
fn gradient_at(o: vec2<u32>, s: f32) -> f32 {
    if is_masked(o) {
        return 0.0;
    }
    return f32(input[o.x]) * (f32(upstream[o.x]) - s);
}
