//! The CPU reference path: one plain function per layer, written to be
//! obviously right (the `Activation` layer's functions are reached through
//! `Layer::reference`, e.g. `Activation::new("relu6")?.reference(..)`). The tests compare every GPU kernel against it. Each
//! twin lives beside its kernels in the activation's module; this module
//! gathers them under the names users call.
//!
//! Elementwise layers compute in f32 with the very formula of their shader
//! (IEEE `+ - *` are exactly rounded on both sides, so results match bit for
//! bit); ELU evaluates `expm1` in f64 and rounds once.
//!
//! ```
//! use wgpu_activations::{cpu, ReLU};
//! let relu = ReLU::new(Some(6.0), 0.0, 0.0)?;
//! assert_eq!(cpu::relu(&relu, &[-1.0, 3.0, 7.0]), vec![0.0, 3.0, 6.0]);
//! # Ok::<(), wgpu_activations::Error>(())
//! ```

use crate::activations::elementwise::{reference, reference_backward};
use crate::error::Result;
use crate::{LeakyReLU, ReLU, ThresholdedReLU, ELU};

pub use crate::activations::prelu::reference::{prelu, prelu_alpha_gradient, prelu_backward};
pub use crate::activations::softmax::reference::{softmax, softmax_backward, softmax_for};

/// Keras `ReLU` on the CPU; NaN stays NaN, `-inf` with slope 0 gives 0.
///
/// Zeros are `+0` as Keras's `y - slope * relu(threshold - x)` gives them,
/// except where Keras calls `leaky_relu` (a slope with neither clip nor
/// threshold), which keeps the sign of `slope * x`: `ReLU(-0)` is `-0` there.
pub fn relu(layer: &ReLU, x: &[f32]) -> Vec<f32> {
    reference(layer, x)
}

/// Keras `LeakyReLU` on the CPU; NaN stays NaN. Negative inputs with slope 0
/// give `-0` as Keras's `0 * x` does, `-inf` included (Keras: NaN).
pub fn leaky_relu(layer: &LeakyReLU, x: &[f32]) -> Vec<f32> {
    reference(layer, x)
}

/// Keras `ELU` on the CPU: `x` for `x > 0`, else `alpha * expm1(x)` in f64,
/// rounded once to f32. NaN stays NaN, `-inf` gives `-alpha`.
pub fn elu(layer: &ELU, x: &[f32]) -> Vec<f32> {
    reference(layer, x)
}

/// Keras `ThresholdedReLU` on the CPU: `x` strictly above theta, else a
/// zero with the sign of `x` (Keras computes `x * (x > theta)`, so negative
/// inputs give `-0`; `-inf` gives `-0` where Keras gives NaN); NaN stays NaN.
pub fn thresholded_relu(layer: &ThresholdedReLU, x: &[f32]) -> Vec<f32> {
    reference(layer, x)
}

/// The backward passes' CPU twins: `dx` from the forward input and the
/// upstream gradient `dy`, each derivative written the way autodiff reaches
/// it through Keras 3's own code on JAX, so the subgradient at every kink is
/// Keras's:
///
/// | layer | derivative | at the kinks |
/// |---|---|---|
/// | ReLU | 1 above the threshold (clipped: 0 above `max_value`), `negative_slope` below | 0 at `x == threshold`; 1/2 at `x == max_value` (JAX's clip splits ties), but 0 for `max_value = 6, threshold = 0` (Keras uses `relu6`); slope without clip or threshold is `leaky_relu`: 1 at 0 |
/// | LeakyReLU | 1 for `x >= 0`, `negative_slope` below | 1 at 0 |
/// | PReLU | 1 above 0, alpha below | 0 at ±0 |
/// | ELU | 1 above 0, `alpha * exp(x)` below | `alpha` at 0 |
/// | ThresholdedReLU | 1 above theta, 0 below | 0 at `x == theta` |
/// | Softmax | `dx = y * (dy - sum(dy * y))` over the axes | masked positions 0 |
///
/// `dx = dy * f'(x)` as an IEEE product, so NaN in `dy` gives NaN, and so
/// does an infinite `dy` where the derivative is 0. NaN in `x` gives NaN.
///
/// ```
/// use wgpu_activations::{cpu, ReLU};
/// let relu = ReLU::default();
/// assert_eq!(cpu::relu_backward(&relu, &[-1.0, 0.0, 2.0], &[5.0, 5.0, 5.0])?, vec![0.0, 0.0, 5.0]);
/// # Ok::<(), wgpu_activations::Error>(())
/// ```
pub fn relu_backward(layer: &ReLU, x: &[f32], dy: &[f32]) -> Result<Vec<f32>> {
    reference_backward(layer, x, dy)
}

/// LeakyReLU's `dx` (jax.nn.leaky_relu: 1 for `x >= 0`).
pub fn leaky_relu_backward(layer: &LeakyReLU, x: &[f32], dy: &[f32]) -> Result<Vec<f32>> {
    reference_backward(layer, x, dy)
}

/// ELU's `dx`: `alpha * exp(x)` for `x <= 0`, evaluated in f64 with `dy`
/// and rounded once.
pub fn elu_backward(layer: &ELU, x: &[f32], dy: &[f32]) -> Result<Vec<f32>> {
    reference_backward(layer, x, dy)
}

/// ThresholdedReLU's `dx`: 1 strictly above theta.
pub fn thresholded_relu_backward(
    layer: &ThresholdedReLU,
    x: &[f32],
    dy: &[f32],
) -> Result<Vec<f32>> {
    reference_backward(layer, x, dy)
}
