//! Keras `LeakyReLU(negative_slope)` (Keras 2 called it `alpha`).

use crate::context::GpuContext;
use crate::error::Result;
use crate::kernels::Kernel;
use crate::launch::Elementwise;
use crate::layers::{elementwise_layer, non_negative_finite};

/// Keras `LeakyReLU`: `x` for `x >= 0`, `negative_slope * x` below.
///
/// Keras 3 names the argument `negative_slope`, Keras 2 `alpha`; both
/// constructors exist and validate alike (not negative, finite).
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// use wgpu_activations::{GpuContext, GpuTensor, LeakyReLU};
/// let ctx = GpuContext::new_blocking()?;
/// let layer = LeakyReLU::new(0.5)?;
/// let x = GpuTensor::from_slice(&ctx, &[3], &[-2.0, 0.0, 3.0])?;
/// assert_eq!(layer.forward(&ctx, &x)?.to_vec_blocking(&ctx)?, vec![-1.0, 0.0, 3.0]);
/// assert_eq!(LeakyReLU::from_alpha(0.5)?, layer);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeakyReLU {
    negative_slope: f32,
}

impl Default for LeakyReLU {
    /// Keras's layer default, 0.3.
    fn default() -> Self {
        Self {
            negative_slope: 0.3,
        }
    }
}

impl LeakyReLU {
    /// A validated `LeakyReLU` (Keras 3 spelling).
    pub fn new(negative_slope: f32) -> Result<Self> {
        let negative_slope =
            non_negative_finite("LeakyReLU", "negative_slope", negative_slope, || {
                format!(
                "The negative_slope value of a Leaky ReLU layer cannot be None or negative value. \
                 Expected a float. Received: negative_slope={negative_slope:?}"
            )
            })?;
        Ok(Self { negative_slope })
    }

    /// A validated `LeakyReLU` from the Keras 2 argument `alpha`; errors name `alpha`.
    pub fn from_alpha(alpha: f32) -> Result<Self> {
        let negative_slope = non_negative_finite("LeakyReLU", "alpha", alpha, || {
            format!("The alpha value of a Leaky ReLU layer cannot be None or negative value. Received: alpha={alpha:?}")
        })?;
        Ok(Self { negative_slope })
    }

    /// The slope for negative inputs.
    pub fn negative_slope(&self) -> f32 {
        self.negative_slope
    }
}

impl LeakyReLU {
    /// The kernel and parameters for an input of `shape`.
    fn job(&self, _ctx: &GpuContext, _shape: &[usize]) -> Result<Elementwise> {
        Ok(Elementwise::scalar(Kernel::LeakyRelu, self.negative_slope))
    }

    fn cpu(&self, _shape: &[usize], x: &[f32]) -> Result<Vec<f32>> {
        Ok(crate::cpu::leaky_relu(self, x))
    }

    fn grad_job(&self, _ctx: &GpuContext, _shape: &[usize]) -> Result<Elementwise> {
        Ok(Elementwise::scalar(
            Kernel::LeakyReluGrad,
            self.negative_slope,
        ))
    }

    fn cpu_grad(&self, _shape: &[usize], x: &[f32], dy: &[f32]) -> Result<Vec<f32>> {
        crate::cpu::leaky_relu_backward(self, x, dy)
    }
}

elementwise_layer!(LeakyReLU, "LeakyReLU");
