//! CPU twin of shaders/elu.wgsl, with `expm1` in f64.

use crate::layers::elu::ELU;

/// Keras `ELU` on the CPU: `x` for `x > 0`, else `alpha * expm1(x)` in f64,
/// rounded once to f32. NaN stays NaN, `-inf` gives `-alpha`.
pub fn elu(layer: &ELU, x: &[f32]) -> Vec<f32> {
    let alpha = f64::from(layer.alpha());
    x.iter()
        .map(|&x| {
            if x > 0.0 || x.is_nan() {
                x
            } else {
                (alpha * f64::from(x).exp_m1()) as f32
            }
        })
        .collect()
}
