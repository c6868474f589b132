//! CPU twin of shaders/thresholded_relu.wgsl.

use crate::layers::thresholded_relu::ThresholdedReLU;

/// Keras `ThresholdedReLU` on the CPU: `x` strictly above theta, else 0; NaN stays NaN.
pub fn thresholded_relu(layer: &ThresholdedReLU, x: &[f32]) -> Vec<f32> {
    let theta = layer.theta();
    x.iter()
        .map(|&x| if x <= theta { 0.0 } else { x })
        .collect()
}
