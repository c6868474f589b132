//! Keras 2 `ThresholdedReLU(theta)`.

use crate::context::GpuContext;
use crate::error::Result;
use crate::kernels::Kernel;
use crate::launch::forward_scalar;
use crate::layers::{non_negative_finite, Layer};
use crate::tensor::GpuTensor;

/// Keras 2 `ThresholdedReLU`: `x` for `x > theta` (strict), 0 otherwise.
///
/// `theta` must be finite and not negative, as in Keras 2.
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// use wgpu_activations::{GpuContext, GpuTensor, ThresholdedReLU};
/// let ctx = GpuContext::new_blocking()?;
/// let x = GpuTensor::from_slice(&ctx, &[3], &[1.0, 1.5, -3.0])?;
/// let y = ThresholdedReLU::new(1.0)?.forward(&ctx, &x)?.to_vec_blocking(&ctx)?;
/// assert_eq!(y, vec![0.0, 1.5, 0.0]);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ThresholdedReLU {
    theta: f32,
}

impl Default for ThresholdedReLU {
    /// Keras's default, theta = 1.
    fn default() -> Self {
        Self { theta: 1.0 }
    }
}

impl ThresholdedReLU {
    /// A validated `ThresholdedReLU`.
    pub fn new(theta: f32) -> Result<Self> {
        let theta = non_negative_finite("ThresholdedReLU", "theta", theta, || {
            format!("The theta value of a Thresholded ReLU layer should be >=0. Received: theta={theta:?}")
        })?;
        Ok(Self { theta })
    }

    /// The threshold (outputs are kept strictly above it).
    pub fn theta(&self) -> f32 {
        self.theta
    }

    /// Runs the layer on the GPU.
    pub fn forward(&self, ctx: &GpuContext, x: &GpuTensor) -> Result<GpuTensor> {
        forward_scalar(ctx, Kernel::ThresholdedRelu, self.theta, x)
    }
}

impl Layer for ThresholdedReLU {
    fn class_name(&self) -> &'static str {
        "ThresholdedReLU"
    }

    fn forward(&self, ctx: &GpuContext, x: &GpuTensor) -> Result<GpuTensor> {
        ThresholdedReLU::forward(self, ctx, x)
    }

    fn reference(&self, shape: &[usize], x: &[f32]) -> Result<Vec<f32>> {
        crate::cpu::check_len(shape, x)?;
        Ok(crate::cpu::thresholded_relu(self, x))
    }
}
