//! CPU twin of shaders/relu.wgsl.

use crate::layers::relu::ReLU;

/// Keras `ReLU` on the CPU; NaN stays NaN, `-inf` with slope 0 gives 0.
pub fn relu(layer: &ReLU, x: &[f32]) -> Vec<f32> {
    let (slope, threshold) = (layer.negative_slope(), layer.threshold());
    x.iter()
        .map(|&x| {
            if x > threshold {
                layer.max_value().map_or(x, |m| x.min(m))
            } else if x <= threshold {
                if slope == 0.0 {
                    0.0
                } else {
                    slope * (x - threshold)
                }
            } else {
                x
            }
        })
        .collect()
}
