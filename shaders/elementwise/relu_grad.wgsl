// Backward of Keras ReLU(max_value, negative_slope, threshold): dx = dy * f'(x)
// with the subgradients JAX gives Keras 3's composition (the CPU twin,
// `Elementwise::backward` in src/activations/relu.rs, spells it out):
//   - jax.nn.relu and the threshold mask are 0 at the kink (x == threshold);
//   - the clip to max_value splits its tie: 1/2 at x == max_value, except
//     max_value 6 with threshold 0, which Keras sends to jax.nn.relu6 (0 at 6);
//   - the negative part adds negative_slope for x < threshold;
//   - slope > 0 with neither clip nor threshold is jax.nn.leaky_relu: 1 for x >= 0.

// The Rust twin is `ReluGradParams` in src/activations/relu.rs; src/kernels/tests.rs
// checks name and size.
struct ReluGradParams {
    // The positive part passes for x > lo (strict), or x >= lo when `inclusive`.
    lo: f32,
    // The negative part adds `slope` for x < lo.
    slope: f32,
    // Clip bound and the derivative there (1/2, or 0 for relu6), when `clip`.
    hi: f32,
    tie: f32,
    clip: u32,
    inclusive: u32,
    // 1 when the clip's lower bound 0 is above lo (a negative threshold):
    // maximum(x, 0)'s derivative, 1/2 at the tie, multiplies the positive part.
    floor: u32,
    _pad: u32,
}

@group(0) @binding(1) var<uniform> params: ReluGradParams;

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let lo = vec4<f32>(params.lo);
    let hi = vec4<f32>(params.hi);
    let passes = (x > lo) | ((x == lo) & vec4<bool>(params.inclusive != 0u));
    let clipped = select(select(vec4<f32>(0.0), vec4<f32>(params.tie), x == hi), vec4<f32>(1.0), x < hi);
    let floored = select(vec4<f32>(1.0), select(vec4<f32>(0.0), vec4<f32>(0.5), x == vec4<f32>(0.0)), x <= vec4<f32>(0.0));
    let bounded = clipped * select(vec4<f32>(1.0), floored, params.floor != 0u);
    let positive = select(vec4<f32>(0.0), select(vec4<f32>(1.0), bounded, params.clip != 0u), passes);
    let negative = select(vec4<f32>(0.0), vec4<f32>(params.slope), x < lo);
    return gradient(x, first, positive + negative);
}
