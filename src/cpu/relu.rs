//! CPU twin of shaders/relu.wgsl.

use crate::layers::relu::ReLU;

/// Keras `ReLU` on the CPU; NaN stays NaN, `-inf` with slope 0 gives 0.
///
/// Zeros are `+0` as Keras's `y - slope * relu(threshold - x)` gives them,
/// except where Keras calls `leaky_relu` (a slope with neither clip nor
/// threshold), which keeps the sign of `slope * x`: `ReLU(-0)` is `-0` there.
pub fn relu(layer: &ReLU, x: &[f32]) -> Vec<f32> {
    let (slope, threshold) = (layer.negative_slope(), layer.threshold());
    let leaky = layer.is_leaky();
    x.iter()
        .map(|&x| {
            if x > threshold {
                layer.max_value().map_or(x, |m| x.min(m))
            } else if x <= threshold {
                let below = if slope == 0.0 {
                    0.0
                } else {
                    slope * (x - threshold)
                };
                if below == 0.0 && !leaky {
                    0.0
                } else {
                    below
                }
            } else {
                x
            }
        })
        .collect()
}
