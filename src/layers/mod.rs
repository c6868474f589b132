//! The Keras activation layers. Each validates its arguments as Keras 3 does
//! (and also rejects NaN and infinities, which would silently poison every
//! output), runs on the GPU through [`Layer::forward`], and has a CPU twin in
//! [`crate::cpu`] reachable through [`Layer::reference`].

pub mod elu;
pub mod leaky_relu;
pub mod prelu;
pub mod relu;
pub mod softmax;
pub mod thresholded_relu;

use crate::context::GpuContext;
use crate::error::{Error, Result};
use crate::tensor::GpuTensor;

/// What every layer can do: run on the GPU, and run its CPU reference.
///
/// The piecewise-linear layers match their reference bit for bit; ELU within
/// 4 ulps.
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// use wgpu_activations::{GpuContext, GpuTensor, Layer, LeakyReLU, ReLU};
/// let ctx = GpuContext::new_blocking()?;
/// let layers: Vec<Box<dyn Layer>> = vec![Box::new(ReLU::default()), Box::new(LeakyReLU::default())];
/// let x = GpuTensor::from_slice(&ctx, &[3], &[-1.0, 0.0, 2.0])?;
/// for layer in &layers {
///     let y = layer.forward(&ctx, &x)?.to_vec_blocking(&ctx)?;
///     assert_eq!(y, layer.reference(&[3], &[-1.0, 0.0, 2.0])?);
/// }
/// # Ok(()) }
/// ```
pub trait Layer: Send + Sync {
    /// The Keras class name, e.g. `"ReLU"`.
    fn class_name(&self) -> &'static str;

    /// Runs the layer on the GPU into a new tensor of the same shape.
    fn forward(&self, ctx: &GpuContext, x: &GpuTensor) -> Result<GpuTensor>;

    /// Runs the CPU reference on row-major `x` of `shape`.
    fn reference(&self, shape: &[usize], x: &[f32]) -> Result<Vec<f32>>;
}

/// `value` if finite and not negative; otherwise `negative_message(value)`
/// for negatives and a "must be a finite number" error for NaN and infinities.
pub(crate) fn non_negative_finite(
    layer: &str,
    argument: &'static str,
    value: f32,
    negative_message: impl FnOnce() -> String,
) -> Result<f32> {
    finite(layer, argument, value)?;
    if value < 0.0 {
        return Err(Error::argument(argument, negative_message()));
    }
    Ok(value)
}

/// `value` if finite; otherwise an error naming the argument and the value.
pub(crate) fn finite(layer: &str, argument: &'static str, value: f32) -> Result<f32> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Error::argument(
            argument,
            format!("{argument} of a {layer} layer must be a finite number. Received: {argument}={value:?}"),
        ))
    }
}
