// Shared by gelu.wgsl and gelu_grad.wgsl (after math.wgsl): the uniform
// and the tanh form's argument.

// The Rust twin is `GeluParams` in src/activations/activation/gelu.rs;
// src/kernels/tests.rs checks name and size.
struct GeluParams {
    approximate: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(1) var<uniform> params: GeluParams;

// 2U = 2 c' y (1 + a y^2) for y = |x| <= 14 as hi + lo (c' = sqrt(2/pi),
// a = 0.044715, both as float32); every product and the sum with 1 exact
// (`two_prod`, `two_sum`). Past 14, e^-2U < e^-218 is beyond every product
// with an f32, so 14's will do.
fn gelu_twice_u(y: f32) -> vec2<f32> {
    let yc = min(y, 14.0);
    let s = two_prod(yc, yc);
    let t = two_prod(0.0447149985, s.x);
    let v = two_sum(1.0, t.x);
    let vl = v.y + (t.y + 0.0447149985 * s.y);
    let cy = two_prod(0.797884583, yc);
    let u = two_prod(cy.x, v.x);
    let ul = u.y + (cy.x * vl + cy.y * v.x);
    return vec2<f32>(2.0 * u.x, 2.0 * ul);
}
