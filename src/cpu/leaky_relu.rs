//! CPU twin of shaders/leaky_relu.wgsl.

use crate::layers::leaky_relu::LeakyReLU;

/// Keras `LeakyReLU` on the CPU; NaN stays NaN, `-inf` with slope 0 gives 0.
pub fn leaky_relu(layer: &LeakyReLU, x: &[f32]) -> Vec<f32> {
    let slope = layer.negative_slope();
    x.iter()
        .map(|&x| match (x < 0.0, slope == 0.0) {
            (true, true) => 0.0,
            (true, false) => slope * x,
            (false, _) => x,
        })
        .collect()
}
