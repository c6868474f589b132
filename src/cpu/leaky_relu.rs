//! CPU twin of shaders/leaky_relu.wgsl.

use crate::layers::leaky_relu::LeakyReLU;

/// Keras `LeakyReLU` on the CPU; NaN stays NaN. Negative inputs with slope 0
/// give `-0` as Keras's `0 * x` does, `-inf` included (Keras: NaN).
pub fn leaky_relu(layer: &LeakyReLU, x: &[f32]) -> Vec<f32> {
    let slope = layer.negative_slope();
    x.iter()
        .map(|&x| match (x < 0.0, slope == 0.0) {
            (true, true) => -0.0,
            (true, false) => slope * x,
            (false, _) => x,
        })
        .collect()
}
