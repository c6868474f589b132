//! The gradient of Keras's mean squared error, so a training loop can stay
//! on the GPU from prediction to update.

use crate::context::GpuContext;
use crate::error::{Error, Result};
use crate::kernels::params::ScalarParams;
use crate::kernels::spec::{layout, Kernel, KernelSpec};
use crate::launch::ElementwiseJob;
use crate::tensor::GpuTensor;

/// `dL/dy` for Keras's `MeanSquaredError()` (mean over every element):
/// `2 * (y - target) / n`, on the GPU (one submission).
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// use wgpu_activations::{training::mean_squared_error_gradient, GpuContext, GpuTensor};
/// let ctx = GpuContext::new_blocking()?;
/// let y = GpuTensor::from_slice(&ctx, &[2], &[1.0, 3.0])?;
/// let target = GpuTensor::from_slice(&ctx, &[2], &[0.0, 4.0])?;
/// let dy = mean_squared_error_gradient(&ctx, &y, &target)?;
/// assert_eq!(dy.to_vec_blocking(&ctx)?, vec![1.0, -1.0]);
/// # Ok(()) }
/// ```
pub fn mean_squared_error_gradient(
    ctx: &GpuContext,
    y: &GpuTensor,
    target: &GpuTensor,
) -> Result<GpuTensor> {
    if y.shares_buffer(target) {
        return Err(Error::SameTensor("y and target are the same tensor".into()));
    }
    let dy = GpuTensor::uninit_like(ctx, y)?;
    // f32 holds 2 / n closely enough for any n that fits a tensor.
    let scale = (2.0 / y.len().max(1) as f64) as f32;
    ctx.submit_with("mean squared error gradient", |encoder| {
        ElementwiseJob::new(MSE_GRAD, &ScalarParams::new(scale))
            .encode_gradient(ctx, encoder, y, target, &dy)
    })?;
    Ok(dy)
}

/// The mean squared error's gradient, `2 (y - target) / n`, elementwise.
pub(crate) const MSE_GRAD: Kernel = Kernel(&KernelSpec::elementwise_gradient(
    "mse_grad",
    include_str!("../../shaders/training/mse_grad.wgsl"),
    layout!(ScalarParams),
));
