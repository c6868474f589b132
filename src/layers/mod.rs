//! The Keras activation layers. Each validates its arguments as Keras 3 does
//! (and also rejects NaN and infinities, which would silently poison every
//! output), records its kernel through [`Layer::encode`], and has a CPU twin
//! in [`crate::cpu`] reachable through [`Layer::reference`].

pub mod elu;
pub mod leaky_relu;
pub mod prelu;
mod prelu_training;
pub mod relu;
pub mod softmax;
pub mod thresholded_relu;

pub use prelu_training::PreluGradients;

use crate::context::GpuContext;
use crate::error::{Error, Result};
use crate::tensor::GpuTensor;

/// What every layer can do: record itself into a command encoder, run on
/// the GPU, and run its CPU reference.
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

    /// Records `out = layer(x)` into `encoder` without submitting, so several
    /// layers can share one command buffer. `out` must be another tensor of
    /// `x`'s shape from the same context.
    ///
    /// One exception, on GL only: a chain ([`crate::Sequential`], an
    /// `AnyLayer` chain) that records more than 16M elements of work submits
    /// what `encoder` holds so far and goes on in a fresh encoder, in order,
    /// because wgpu-hal's GL backend panics any thread that waits more than
    /// 6 s for its context lock, which a long submission holds.
    fn encode(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        out: &GpuTensor,
    ) -> Result<()>;

    /// Whether [`Layer::encode_in_place`] is supported (the elementwise layers).
    fn supports_in_place(&self) -> bool {
        false
    }

    /// Records `x = layer(x)` into `encoder`.
    fn encode_in_place(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
    ) -> Result<()> {
        let _ = (ctx, encoder, x);
        Err(Error::Shape(format!(
            "{} cannot run in place",
            self.class_name()
        )))
    }

    /// Runs the layer on the GPU into a new tensor: one submission.
    fn forward(&self, ctx: &GpuContext, x: &GpuTensor) -> Result<GpuTensor> {
        let out = GpuTensor::uninit_like(ctx, x)?;
        ctx.submit_with(self.class_name(), |encoder| {
            self.encode(ctx, encoder, x, &out)
        })?;
        Ok(out)
    }

    /// Runs the layer on the GPU into `out`, a tensor the caller keeps and
    /// reuses (no allocation besides the small uniforms).
    fn forward_into(&self, ctx: &GpuContext, x: &GpuTensor, out: &GpuTensor) -> Result<()> {
        ctx.submit_with(self.class_name(), |encoder| {
            self.encode(ctx, encoder, x, out)
        })
    }

    /// Runs the layer on the GPU, overwriting `x`.
    fn forward_in_place(&self, ctx: &GpuContext, x: &GpuTensor) -> Result<()> {
        ctx.submit_with(self.class_name(), |encoder| {
            self.encode_in_place(ctx, encoder, x)
        })
    }

    /// Runs the CPU reference on row-major `x` of `shape`.
    fn reference(&self, shape: &[usize], x: &[f32]) -> Result<Vec<f32>>;

    /// Records `out = layer(x)` with an optional Keras mask. Keras's
    /// activation layers all accept a mask and pass it on; only Softmax
    /// reads it, so the default ignores it and calls [`Layer::encode`].
    fn encode_with_mask(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        mask: Option<&GpuTensor>,
        out: &GpuTensor,
    ) -> Result<()> {
        let _ = mask;
        self.encode(ctx, encoder, x, out)
    }

    /// The CPU reference with an optional mask (row-major, of its shape), as
    /// [`Layer::encode_with_mask`]: ignored except by Softmax.
    fn reference_with_mask(
        &self,
        shape: &[usize],
        x: &[f32],
        mask: Option<(&[usize], &[f32])>,
    ) -> Result<Vec<f32>> {
        let _ = mask;
        self.reference(shape, x)
    }

    /// Which forward tensor the backward pass reads besides `dy`: the input
    /// `x` (the elementwise layers) or the output `y` (Softmax, where it is
    /// cheaper than recomputing it).
    fn backward_reads(&self) -> Saved {
        Saved::Input
    }

    /// Records `dx = dy * d layer / dx` into `encoder`. `saved` is the tensor
    /// [`Layer::backward_reads`] names; `dy` and `dx` are other tensors of
    /// its shape. The subgradients at kinks are Keras 3's (see [`crate::cpu`]'s
    /// backward functions).
    fn encode_backward(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        saved: &GpuTensor,
        dy: &GpuTensor,
        dx: &GpuTensor,
    ) -> Result<()>;

    /// The backward pass on the GPU into a new tensor (one submission).
    ///
    /// ```
    /// # fn main() -> wgpu_activations::Result<()> {
    /// use wgpu_activations::{GpuContext, GpuTensor, Layer, ReLU, Saved};
    /// let ctx = GpuContext::new_blocking()?;
    /// let relu: &dyn Layer = &ReLU::default();
    /// assert_eq!(relu.backward_reads(), Saved::Input);
    /// let x = GpuTensor::from_slice(&ctx, &[3], &[-1.0, 0.0, 2.0])?;
    /// let dy = GpuTensor::from_slice(&ctx, &[3], &[1.0, 1.0, 1.0])?;
    /// let dx = relu.backward(&ctx, &x, &dy)?.to_vec_blocking(&ctx)?;
    /// assert_eq!(dx, vec![0.0, 0.0, 1.0]);
    /// # Ok(()) }
    /// ```
    fn backward(&self, ctx: &GpuContext, saved: &GpuTensor, dy: &GpuTensor) -> Result<GpuTensor> {
        let dx = GpuTensor::uninit_like(ctx, saved)?;
        ctx.submit_with(self.class_name(), |encoder| {
            self.encode_backward(ctx, encoder, saved, dy, &dx)
        })?;
        Ok(dx)
    }

    /// Runs the backward CPU reference: `saved` as [`Layer::backward_reads`]
    /// says, row-major of `shape`, and `dy` of the same shape.
    fn reference_backward(&self, shape: &[usize], saved: &[f32], dy: &[f32]) -> Result<Vec<f32>>;
}

/// Which forward tensor a layer's backward pass reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Saved {
    /// The forward input `x`.
    Input,
    /// The forward output `y`.
    Output,
}

/// Implements [`Layer`] for an elementwise layer whose `job(ctx, shape)` and
/// `grad_job(ctx, shape)` return its forward and backward
/// [`crate::launch::Elementwise`] jobs and whose `cpu(shape, x)` and
/// `cpu_grad(shape, x, dy)` run its references; also gives it inherent
/// `forward*` and `backward` methods, so callers need not import the trait.
macro_rules! elementwise_layer {
    ($layer:ty, $class:literal) => {
        impl $crate::layers::Layer for $layer {
            fn class_name(&self) -> &'static str {
                $class
            }

            fn encode(
                &self,
                ctx: &$crate::GpuContext,
                encoder: &mut wgpu::CommandEncoder,
                x: &$crate::GpuTensor,
                out: &$crate::GpuTensor,
            ) -> $crate::Result<()> {
                self.job(ctx, x.shape())?.encode(ctx, encoder, x, out)
            }

            fn supports_in_place(&self) -> bool {
                true
            }

            fn encode_in_place(
                &self,
                ctx: &$crate::GpuContext,
                encoder: &mut wgpu::CommandEncoder,
                x: &$crate::GpuTensor,
            ) -> $crate::Result<()> {
                self.job(ctx, x.shape())?.encode_in_place(ctx, encoder, x)
            }

            fn reference(&self, shape: &[usize], x: &[f32]) -> $crate::Result<Vec<f32>> {
                $crate::cpu::check_len(shape, x)?;
                self.cpu(shape, x)
            }

            fn encode_backward(
                &self,
                ctx: &$crate::GpuContext,
                encoder: &mut wgpu::CommandEncoder,
                x: &$crate::GpuTensor,
                dy: &$crate::GpuTensor,
                dx: &$crate::GpuTensor,
            ) -> $crate::Result<()> {
                self.grad_job(ctx, x.shape())?
                    .encode_gradient(ctx, encoder, x, dy, dx)
            }

            fn reference_backward(
                &self,
                shape: &[usize],
                x: &[f32],
                dy: &[f32],
            ) -> $crate::Result<Vec<f32>> {
                $crate::cpu::check_len(shape, x)?;
                $crate::cpu::check_len(shape, dy)?;
                self.cpu_grad(shape, x, dy)
            }
        }

        $crate::layers::inherent_forward!($layer);

        impl $layer {
            /// The backward pass on the GPU: `dx = dy * f'(x)` from the forward
            /// input `x` and the upstream gradient `dy` (one submission).
            pub fn backward(
                &self,
                ctx: &$crate::GpuContext,
                x: &$crate::GpuTensor,
                dy: &$crate::GpuTensor,
            ) -> $crate::Result<$crate::GpuTensor> {
                $crate::layers::Layer::backward(self, ctx, x, dy)
            }

            /// Runs the layer on the GPU, overwriting `x` (no new buffer).
            pub fn forward_in_place(
                &self,
                ctx: &$crate::GpuContext,
                x: &$crate::GpuTensor,
            ) -> $crate::Result<()> {
                $crate::layers::Layer::forward_in_place(self, ctx, x)
            }
        }
    };
}

/// Inherent `forward` and `forward_into` that defer to [`Layer`].
macro_rules! inherent_forward {
    ($layer:ty) => {
        impl $layer {
            /// Runs the layer on the GPU into a new tensor (one submission).
            pub fn forward(
                &self,
                ctx: &$crate::GpuContext,
                x: &$crate::GpuTensor,
            ) -> $crate::Result<$crate::GpuTensor> {
                $crate::layers::Layer::forward(self, ctx, x)
            }

            /// Runs the layer on the GPU into `out`, which the caller reuses.
            pub fn forward_into(
                &self,
                ctx: &$crate::GpuContext,
                x: &$crate::GpuTensor,
                out: &$crate::GpuTensor,
            ) -> $crate::Result<()> {
                $crate::layers::Layer::forward_into(self, ctx, x, out)
            }
        }
    };
}

pub(crate) use {elementwise_layer, inherent_forward};

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
