//! [`Layer`]: what every activation layer can do (record itself, run on the
//! GPU, run its CPU twin, forward and backward), and [`Saved`], which tensor
//! a backward pass reads. The activations themselves live in
//! `src/activations/`, one module each.

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
        // Without a mask, `encode_masked` is `encode` for every layer.
        self.forward_masked(ctx, x, None)
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

    /// The shape of the output for an input of `shape`: the input's for
    /// every activation but `glu`, which halves its axis (an error names an
    /// axis that does not fit).
    ///
    /// ```
    /// use wgpu_activations::{Layer, ReLU};
    /// assert_eq!(ReLU::default().output_shape(&[2, 3])?, vec![2, 3]);
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    fn output_shape(&self, shape: &[usize]) -> Result<Vec<usize>> {
        Ok(shape.to_vec())
    }

    /// Records `out = layer(x)` with an optional Keras mask. Keras's
    /// activation layers all accept a mask and pass it on; only Softmax
    /// reads it (a mask that broadcasts from the right, each dim 1 or the
    /// input's; `mask > 0.5` keeps a position), so the default ignores it
    /// and calls [`Layer::encode`].
    fn encode_masked(
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

    /// Runs the layer on the GPU with an optional mask (as
    /// [`Layer::encode_masked`]) into a new tensor: one submission.
    fn forward_masked(
        &self,
        ctx: &GpuContext,
        x: &GpuTensor,
        mask: Option<&GpuTensor>,
    ) -> Result<GpuTensor> {
        let out = GpuTensor::uninit(ctx, &self.output_shape(x.shape())?, x.dtype())?;
        ctx.submit_with(self.class_name(), |encoder| {
            self.encode_masked(ctx, encoder, x, mask, &out)
        })?;
        Ok(out)
    }

    /// The CPU reference with an optional mask (row-major, of its shape), as
    /// [`Layer::encode_masked`]: ignored except by Softmax.
    fn reference_masked(
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

/// Inherent `forward`, `forward_masked` and `forward_into` that defer to
/// [`Layer`], so callers need not import the trait; `@input` adds
/// `backward` (from the forward input) and `forward_in_place`, for the
/// layers whose backward reads `x` and that run in place.
macro_rules! inherent_forward {
    (@input $layer:ty) => {
        $crate::layer::inherent_forward!($layer);

        impl $layer {
            /// The backward pass on the GPU: `dx = dy * f'(x)` from the forward
            /// input `x` and the upstream gradient `dy` (one submission).
            pub fn backward(
                &self,
                ctx: &$crate::context::GpuContext,
                x: &$crate::tensor::GpuTensor,
                dy: &$crate::tensor::GpuTensor,
            ) -> $crate::error::Result<$crate::tensor::GpuTensor> {
                $crate::layer::Layer::backward(self, ctx, x, dy)
            }

            /// Runs the layer on the GPU, overwriting `x` (no new buffer).
            pub fn forward_in_place(
                &self,
                ctx: &$crate::context::GpuContext,
                x: &$crate::tensor::GpuTensor,
            ) -> $crate::error::Result<()> {
                $crate::layer::Layer::forward_in_place(self, ctx, x)
            }
        }
    };
    ($layer:ty) => {
        impl $layer {
            /// Runs the layer on the GPU into a new tensor (one submission).
            pub fn forward(
                &self,
                ctx: &$crate::context::GpuContext,
                x: &$crate::tensor::GpuTensor,
            ) -> $crate::error::Result<$crate::tensor::GpuTensor> {
                $crate::layer::Layer::forward(self, ctx, x)
            }

            /// Runs the layer on the GPU with an optional mask (read by
            /// Softmax, passed on by the others, as in Keras): one submission.
            pub fn forward_masked(
                &self,
                ctx: &$crate::context::GpuContext,
                x: &$crate::tensor::GpuTensor,
                mask: Option<&$crate::tensor::GpuTensor>,
            ) -> $crate::error::Result<$crate::tensor::GpuTensor> {
                $crate::layer::Layer::forward_masked(self, ctx, x, mask)
            }

            /// Runs the layer on the GPU into `out`, which the caller reuses.
            pub fn forward_into(
                &self,
                ctx: &$crate::context::GpuContext,
                x: &$crate::tensor::GpuTensor,
                out: &$crate::tensor::GpuTensor,
            ) -> $crate::error::Result<()> {
                $crate::layer::Layer::forward_into(self, ctx, x, out)
            }
        }
    };
}

/// Implements [`Layer`] for a type that holds another layer: every call goes
/// to `self.$inner()`, a `&dyn Layer` (AnyLayer's layer, Activation's
/// function).
macro_rules! delegate_layer {
    // The class name is the inner layer's, or `$class` where given.
    (@class $self:ident, $inner:ident) => {
        $self.$inner().class_name()
    };
    (@class $self:ident, $inner:ident, $class:literal) => {
        $class
    };
    ($layer:ty, $inner:ident $(, $class:literal)?) => {
        impl $crate::layer::Layer for $layer {
            fn class_name(&self) -> &'static str {
                $crate::layer::delegate_layer!(@class self, $inner $(, $class)?)
            }

            fn encode(
                &self,
                ctx: &$crate::context::GpuContext,
                encoder: &mut wgpu::CommandEncoder,
                x: &$crate::tensor::GpuTensor,
                out: &$crate::tensor::GpuTensor,
            ) -> $crate::error::Result<()> {
                self.$inner().encode(ctx, encoder, x, out)
            }

            fn encode_masked(
                &self,
                ctx: &$crate::context::GpuContext,
                encoder: &mut wgpu::CommandEncoder,
                x: &$crate::tensor::GpuTensor,
                mask: Option<&$crate::tensor::GpuTensor>,
                out: &$crate::tensor::GpuTensor,
            ) -> $crate::error::Result<()> {
                self.$inner().encode_masked(ctx, encoder, x, mask, out)
            }

            fn supports_in_place(&self) -> bool {
                self.$inner().supports_in_place()
            }

            fn encode_in_place(
                &self,
                ctx: &$crate::context::GpuContext,
                encoder: &mut wgpu::CommandEncoder,
                x: &$crate::tensor::GpuTensor,
            ) -> $crate::error::Result<()> {
                self.$inner().encode_in_place(ctx, encoder, x)
            }

            fn reference(&self, shape: &[usize], x: &[f32]) -> $crate::error::Result<Vec<f32>> {
                self.$inner().reference(shape, x)
            }

            fn output_shape(&self, shape: &[usize]) -> $crate::error::Result<Vec<usize>> {
                self.$inner().output_shape(shape)
            }

            fn reference_masked(
                &self,
                shape: &[usize],
                x: &[f32],
                mask: Option<(&[usize], &[f32])>,
            ) -> $crate::error::Result<Vec<f32>> {
                self.$inner().reference_masked(shape, x, mask)
            }

            fn backward_reads(&self) -> $crate::layer::Saved {
                self.$inner().backward_reads()
            }

            fn encode_backward(
                &self,
                ctx: &$crate::context::GpuContext,
                encoder: &mut wgpu::CommandEncoder,
                saved: &$crate::tensor::GpuTensor,
                dy: &$crate::tensor::GpuTensor,
                dx: &$crate::tensor::GpuTensor,
            ) -> $crate::error::Result<()> {
                self.$inner().encode_backward(ctx, encoder, saved, dy, dx)
            }

            fn reference_backward(
                &self,
                shape: &[usize],
                saved: &[f32],
                dy: &[f32],
            ) -> $crate::error::Result<Vec<f32>> {
                self.$inner().reference_backward(shape, saved, dy)
            }
        }
    };
}

pub(crate) use {delegate_layer, inherent_forward};
