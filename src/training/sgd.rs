//! A plain SGD step on the GPU, as Keras's `SGD()` without momentum.

use crate::activations::prelu::PReLU;
use crate::context::GpuContext;
use crate::error::Result;
use crate::tensor::GpuTensor;

/// Keras `SGD(learning_rate)` without momentum: `w -= learning_rate * grad`,
/// then the layer's constraint, all on the GPU in one submission.
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// use wgpu_activations::{training::Sgd, GpuContext, GpuTensor, PReLU};
/// let ctx = GpuContext::new_blocking()?;
/// let prelu = PReLU::new();
/// let x = GpuTensor::from_slice(&ctx, &[1, 2], &[-1.0, -2.0])?;
/// let dy = GpuTensor::from_slice(&ctx, &[1, 2], &[1.0, 1.0])?;
/// let grad = prelu.alpha_gradient(&ctx, &x, &dy)?; // [-1, -2]
/// Sgd::new(0.5)?.step(&ctx, &prelu, &grad)?;
/// assert_eq!(prelu.read_alpha_blocking(&ctx)?, vec![0.5, 1.0]);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sgd {
    learning_rate: f32,
}

impl Sgd {
    /// An SGD optimizer; the learning rate must be finite.
    pub fn new(learning_rate: f32) -> Result<Self> {
        let learning_rate =
            crate::validate::finite("an SGD optimizer", "learning_rate", learning_rate)?;
        Ok(Self { learning_rate })
    }

    /// The learning rate.
    pub fn learning_rate(&self) -> f32 {
        self.learning_rate
    }

    /// Updates `layer`'s alpha with `grad` (alpha's shape), then applies the
    /// layer's constraint.
    pub fn step(&self, ctx: &GpuContext, layer: &PReLU, grad: &GpuTensor) -> Result<()> {
        layer.update_alpha(ctx, Some((grad, self.learning_rate)))
    }

    /// The same step on the CPU: `w - learning_rate * grad` in f32.
    pub fn step_reference(&self, w: &[f32], grad: &[f32]) -> Vec<f32> {
        w.iter()
            .zip(grad)
            .map(|(&w, &g)| w - self.learning_rate * g)
            .collect()
    }
}
