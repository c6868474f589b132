//! CPU twin of shaders/thresholded_relu.wgsl.

use crate::layers::thresholded_relu::ThresholdedReLU;

/// Keras `ThresholdedReLU` on the CPU: `x` strictly above theta, else a
/// zero with the sign of `x` (Keras computes `x * (x > theta)`, so negative
/// inputs give `-0`; `-inf` gives `-0` where Keras gives NaN); NaN stays NaN.
pub fn thresholded_relu(layer: &ThresholdedReLU, x: &[f32]) -> Vec<f32> {
    let theta = layer.theta();
    x.iter()
        .map(|&x| if x <= theta { 0.0f32.copysign(x) } else { x })
        .collect()
}
