// Keras ReLU(max_value, negative_slope, threshold).
//   x >  threshold: min(x, max_value)
//   x <= threshold: negative_slope * (x - threshold)
// NaN stays NaN; -inf with slope 0 gives 0 (the limit) instead of 0 * -inf.

// The Rust twin is `ReluParams` in src/activations/relu.rs; src/kernels/tests.rs
// checks name and size.
struct ReluParams {
    max_value: f32,
    negative_slope: f32,
    threshold: f32,
    // 1 when max_value is set.
    has_max: u32,
}

@group(0) @binding(1) var<uniform> params: ReluParams;

// Branch-free on all four lanes. NaN fails both comparisons and passes through.
// Zeros below the threshold are +0 as Keras's `0 - slope * relu(t - x)`,
// except where Keras calls leaky_relu (slope, no clip, threshold 0), whose
// `slope * x` keeps -0 (`ReLU::is_leaky` in src/activations/relu.rs).
fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {
    let t = vec4<f32>(params.threshold);
    let slope = params.negative_slope;
    let leaky = slope != 0.0 && params.has_max == 0u && params.threshold == 0.0;
    // clip(x, 0, max_value): the 0 only bites below a negative threshold,
    // which keras.activations.relu allows.
    let clipped = positive_zeros(min(max(v, vec4<f32>(0.0)), vec4<f32>(params.max_value)));
    // A negative slope's `y - slope * relu(threshold - x)` adds +0 above
    // the threshold, which makes a -0 (x = -0 over a negative threshold) +0.
    let kept = select(v, clipped, params.has_max != 0u);
    let above = select(kept, positive_zeros(kept), slope < 0.0);
    let scaled = select(slope * (v - t), vec4<f32>(0.0), slope == 0.0);
    let below = select(positive_zeros(scaled), scaled, leaky);
    return select(select(v, below, v <= t), above, v > t);
}
