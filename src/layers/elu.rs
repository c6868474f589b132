//! Keras `ELU(alpha)`.

use crate::context::GpuContext;
use crate::error::Result;
use crate::kernels::Kernel;
use crate::launch::Elementwise;
use crate::layers::{elementwise_layer, finite};

/// Keras `ELU`: `x` for `x > 0`, `alpha * expm1(x)` otherwise, accurate near 0
/// (a polynomial, not `exp(x) - 1`).
///
/// Any finite `alpha` is accepted, negative included, as in Keras.
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// use wgpu_activations::{GpuContext, GpuTensor, ELU};
/// let ctx = GpuContext::new_blocking()?;
/// let x = GpuTensor::from_slice(&ctx, &[3], &[-1e-7, 0.0, 2.0])?;
/// let y = ELU::new(1.0)?.forward(&ctx, &x)?.to_vec_blocking(&ctx)?;
/// assert_eq!(y[1..], [0.0, 2.0]);
/// assert!((y[0] + 1e-7).abs() < 1e-13);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ELU {
    alpha: f32,
}

impl Default for ELU {
    /// Keras's default, alpha = 1.
    fn default() -> Self {
        Self { alpha: 1.0 }
    }
}

impl ELU {
    /// A validated `ELU` (alpha must be finite).
    pub fn new(alpha: f32) -> Result<Self> {
        Ok(Self {
            alpha: finite("ELU", "alpha", alpha)?,
        })
    }

    /// The scale of the negative part.
    pub fn alpha(&self) -> f32 {
        self.alpha
    }
}

impl ELU {
    /// The kernel and parameters for an input of `shape`.
    fn job(&self, _ctx: &GpuContext, _shape: &[usize]) -> Result<Elementwise> {
        Ok(Elementwise::scalar(Kernel::Elu, self.alpha))
    }

    fn cpu(&self, _shape: &[usize], x: &[f32]) -> Result<Vec<f32>> {
        Ok(crate::cpu::elu(self, x))
    }

    fn grad_job(&self, _ctx: &GpuContext, _shape: &[usize]) -> Result<Elementwise> {
        Ok(Elementwise::scalar(Kernel::EluGrad, self.alpha))
    }

    fn cpu_grad(&self, _shape: &[usize], x: &[f32], dy: &[f32]) -> Result<Vec<f32>> {
        crate::cpu::elu_backward(self, x, dy)
    }
}

elementwise_layer!(ELU, "ELU");
