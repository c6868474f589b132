//! Keras 2 `ThresholdedReLU(theta)`.

use crate::context::GpuContext;
use crate::error::Result;
use crate::kernels::Kernel;
use crate::launch::Elementwise;
use crate::layers::{elementwise_layer, non_negative_finite};

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
}

impl ThresholdedReLU {
    /// The kernel and parameters for an input of `shape`.
    fn job(&self, _ctx: &GpuContext, _shape: &[usize]) -> Result<Elementwise> {
        Ok(Elementwise::scalar(Kernel::ThresholdedRelu, self.theta))
    }

    fn cpu(&self, _shape: &[usize], x: &[f32]) -> Result<Vec<f32>> {
        Ok(crate::cpu::thresholded_relu(self, x))
    }

    fn grad_job(&self, _ctx: &GpuContext, _shape: &[usize]) -> Result<Elementwise> {
        Ok(Elementwise::scalar(Kernel::ThresholdedReluGrad, self.theta))
    }

    fn cpu_grad(&self, _shape: &[usize], x: &[f32], dy: &[f32]) -> Result<Vec<f32>> {
        crate::cpu::thresholded_relu_backward(self, x, dy)
    }
}

elementwise_layer!(ThresholdedReLU, "ThresholdedReLU");
