//! What an elementwise activation is: `y[i] = f(x[i])` with a uniform of
//! parameters, a forward and a gradient kernel, and a CPU twin of each.
//! An activation that implements [`Elementwise`] and invokes
//! [`elementwise_layer!`] gets its whole [`crate::Layer`] impl (GPU forward,
//! in place, backward, CPU references) and inherent `forward*`/`backward`
//! methods from here; nothing else in the crate names it but the table in
//! `src/activations/mod.rs`.

use bytemuck::Pod;

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kernels::spec::Kernel;
use crate::launch::ElementwiseJob;

/// An elementwise activation.
pub(crate) trait Elementwise {
    /// The forward kernel: its file defines `apply(v, first)` on 4 elements.
    const FORWARD: Kernel;
    /// The gradient kernel: its file defines `apply(x, first)`, returning
    /// `gradient(x, first, f'(x))` (shaders/elementwise/io_gradient.wgsl).
    const GRADIENT: Kernel;
    /// The forward kernel's uniform (binding 1).
    type Params: Pod;
    /// The gradient kernel's uniform (binding 1).
    type GradientParams: Pod;

    /// The forward kernel's parameters.
    fn params(&self) -> Self::Params;

    /// The gradient kernel's parameters.
    fn gradient_params(&self) -> Self::GradientParams;

    /// The activation as Keras runs it on f16 tensors: its float arguments
    /// rounded to f16, since Keras casts them to the input's dtype
    /// (`ops.cast(threshold, dtype=x.dtype)` in
    /// keras/src/activations/activations.py, and JAX's weak typing of
    /// Python scalars elsewhere). `None`, the default, for an activation
    /// without float arguments.
    fn on_f16(&self) -> Option<Self>
    where
        Self: Sized,
    {
        None
    }

    /// The CPU twin of the forward kernel on one element.
    fn apply(&self, x: f32) -> f32;

    /// The CPU twin of the gradient kernel: `dx` for one element of a
    /// non-NaN `x` (NaN `x` gives NaN without asking).
    fn backward(&self, x: f32, dy: f32) -> f32;
}

/// The forward job of `layer` on tensors of `dtype`.
pub(crate) fn forward_job<T: Elementwise>(layer: &T, dtype: DType) -> ElementwiseJob {
    let rounded = at_dtype(layer, dtype);
    ElementwiseJob::new(T::FORWARD, &rounded.as_ref().unwrap_or(layer).params())
}

/// The backward job of `layer` on tensors of `dtype`.
pub(crate) fn gradient_job<T: Elementwise>(layer: &T, dtype: DType) -> ElementwiseJob {
    let rounded = at_dtype(layer, dtype);
    ElementwiseJob::new(
        T::GRADIENT,
        &rounded.as_ref().unwrap_or(layer).gradient_params(),
    )
}

/// `layer` with its arguments rounded to `dtype`, where that changes it.
fn at_dtype<T: Elementwise>(layer: &T, dtype: DType) -> Option<T> {
    match dtype {
        DType::F16 => layer.on_f16(),
        DType::F32 => None,
    }
}

/// `v` rounded to the nearest f16 (to ±inf past ±65504), as an f32.
pub(crate) fn rounded_to_f16(v: f32) -> f32 {
    half::f16::from_f32(v).to_f32()
}

/// The CPU twin of the forward pass over `x`.
pub(crate) fn reference<T: Elementwise>(layer: &T, x: &[f32]) -> Vec<f32> {
    x.iter().map(|&x| layer.apply(x)).collect()
}

/// The CPU twin of the backward pass: `dx` from `x` and `dy`, NaN where `x` is NaN.
pub(crate) fn reference_backward<T: Elementwise>(
    layer: &T,
    x: &[f32],
    dy: &[f32],
) -> Result<Vec<f32>> {
    if x.len() != dy.len() {
        return Err(Error::Shape(format!(
            "dy holds {} values but x holds {}",
            dy.len(),
            x.len()
        )));
    }
    Ok(x.iter()
        .zip(dy)
        .map(|(&x, &dy)| if x.is_nan() { x } else { layer.backward(x, dy) })
        .collect())
}

/// Implements [`crate::Layer`] for an [`Elementwise`] activation and gives it
/// inherent `forward`, `forward_into`, `forward_masked`, `forward_in_place`
/// and `backward`, so callers need not import the trait; `@layer` gives the
/// Layer impl alone (a function inside `Activation`).
macro_rules! elementwise_layer {
    ($layer:ty, $class:literal) => {
        $crate::activations::elementwise::elementwise_layer!(@layer $layer, $class);
        $crate::layer::inherent_forward!(@input $layer);
    };
    // A function inside the `Activation` layer: the Layer impl only (it
    // has no public methods of its own).
    (@layer $layer:ty, $class:literal) => {
        impl $crate::layer::Layer for $layer {
            fn class_name(&self) -> &'static str {
                $class
            }

            fn encode(
                &self,
                ctx: &$crate::context::GpuContext,
                encoder: &mut wgpu::CommandEncoder,
                x: &$crate::tensor::GpuTensor,
                out: &$crate::tensor::GpuTensor,
            ) -> $crate::error::Result<()> {
                $crate::activations::elementwise::forward_job(self, x.dtype()).encode(ctx, encoder, x, out)
            }

            fn supports_in_place(&self) -> bool {
                true
            }

            fn encode_in_place(
                &self,
                ctx: &$crate::context::GpuContext,
                encoder: &mut wgpu::CommandEncoder,
                x: &$crate::tensor::GpuTensor,
            ) -> $crate::error::Result<()> {
                $crate::activations::elementwise::forward_job(self, x.dtype()).encode_in_place(ctx, encoder, x)
            }

            fn reference(&self, shape: &[usize], x: &[f32]) -> $crate::error::Result<Vec<f32>> {
                $crate::shape::check_len(shape, x)?;
                Ok($crate::activations::elementwise::reference(self, x))
            }

            fn encode_backward(
                &self,
                ctx: &$crate::context::GpuContext,
                encoder: &mut wgpu::CommandEncoder,
                x: &$crate::tensor::GpuTensor,
                dy: &$crate::tensor::GpuTensor,
                dx: &$crate::tensor::GpuTensor,
            ) -> $crate::error::Result<()> {
                $crate::activations::elementwise::gradient_job(self, x.dtype())
                    .encode_gradient(ctx, encoder, x, dy, dx)
            }

            fn reference_backward(
                &self,
                shape: &[usize],
                x: &[f32],
                dy: &[f32],
            ) -> $crate::error::Result<Vec<f32>> {
                $crate::shape::check_len(shape, x)?;
                $crate::shape::check_len(shape, dy)?;
                $crate::activations::elementwise::reference_backward(self, x, dy)
            }
        }

        impl $crate::activations::Kernels for $layer {
            fn kernels() -> Vec<$crate::kernels::spec::Kernel> {
                vec![
                    <$layer as $crate::activations::elementwise::Elementwise>::FORWARD,
                    <$layer as $crate::activations::elementwise::Elementwise>::GRADIENT,
                ]
            }
        }
    };
}

pub(crate) use elementwise_layer;

/// An [`Elementwise`] impl's `FORWARD` and `GRADIENT`: the kernels of
/// shaders/elementwise/`$name`.wgsl and `$name`_grad.wgsl, with their
/// params' layouts (`Layout::NONE` without parameters), and optionally a
/// file both include (shaders/elementwise/`$shared`.wgsl) for the helpers
/// the two share.
macro_rules! elementwise_kernels {
    ($name:literal, $params:expr, $gradient_params:expr $(, shared: $shared:literal)?) => {
        const FORWARD: $crate::kernels::spec::Kernel =
            $crate::kernels::spec::Kernel(&$crate::kernels::spec::KernelSpec {
                includes: &[$(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/shaders/elementwise/", $shared, ".wgsl")),)?],
                ..$crate::kernels::spec::KernelSpec::elementwise(
                    $name,
                    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/shaders/elementwise/", $name, ".wgsl")),
                    $params,
                )
            });
        const GRADIENT: $crate::kernels::spec::Kernel =
            $crate::kernels::spec::Kernel(&$crate::kernels::spec::KernelSpec {
                includes: &[$(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/shaders/elementwise/", $shared, ".wgsl")),)?],
                ..$crate::kernels::spec::KernelSpec::elementwise_gradient(
                    concat!($name, "_grad"),
                    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/shaders/elementwise/", $name, "_grad.wgsl")),
                    $gradient_params,
                )
            });
    };
}

pub(crate) use elementwise_kernels;
