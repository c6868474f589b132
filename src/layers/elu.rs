//! Keras `ELU(alpha)`.

use crate::context::GpuContext;
use crate::error::Result;
use crate::kernels::Kernel;
use crate::launch::forward_scalar;
use crate::layers::{finite, Layer};
use crate::tensor::GpuTensor;

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

    /// Runs the layer on the GPU.
    pub fn forward(&self, ctx: &GpuContext, x: &GpuTensor) -> Result<GpuTensor> {
        forward_scalar(ctx, Kernel::Elu, self.alpha, x)
    }
}

impl Layer for ELU {
    fn class_name(&self) -> &'static str {
        "ELU"
    }

    fn forward(&self, ctx: &GpuContext, x: &GpuTensor) -> Result<GpuTensor> {
        ELU::forward(self, ctx, x)
    }

    fn reference(&self, shape: &[usize], x: &[f32]) -> Result<Vec<f32>> {
        crate::cpu::check_len(shape, x)?;
        Ok(crate::cpu::elu(self, x))
    }
}
