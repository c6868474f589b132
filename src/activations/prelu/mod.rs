//! Keras `PReLU(alpha_initializer, alpha_regularizer, alpha_constraint, shared_axes)`:
//! the layer's state (alpha's shape, values and Keras's input spec) here;
//! its kernels and [`crate::Layer`] impl in `layer.rs`, training in
//! `training.rs`, CPU twins in `reference.rs`, Keras config in `config.rs`.

mod config;
pub(crate) mod layer;
pub(crate) mod reference;
mod training;

pub use training::PreluGradients;

use std::sync::{Mutex, PoisonError};

use crate::context::GpuContext;
use crate::error::{Error, Result};
use crate::shape::{element_count, prelu_alpha_shape};
use crate::tensor::GpuTensor;
use crate::weights::{Constraint, Initializer, Regularizer};

/// Keras `PReLU`: `x` for `x > 0`, `alpha * x` for `x < 0`, 0 at ±0, with a
/// learnable `alpha` of shape `input_shape[1:]`, set to 1 along each of
/// `shared_axes` (1-based, counting the batch axis, Python list indexing as
/// in Keras).
///
/// Like Keras, the layer is built on its first input (or by
/// [`PReLU::build`]): alpha gets its shape and initial values, and later
/// inputs must keep the rank and, when `shared_axes` is set, the size of every
/// axis that is not shared.
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// use wgpu_activations::{GpuContext, GpuTensor, PReLU};
/// let ctx = GpuContext::new_blocking()?;
/// let prelu = PReLU::new().with_shared_axes(&[1]);
/// prelu.build(&[2, 1, 2])?;
/// assert_eq!(prelu.alpha_shape(), Some(vec![1, 2]));
/// prelu.set_alpha(&[0.5, 0.25])?;
/// let x = GpuTensor::from_slice(&ctx, &[2, 1, 2], &[-2.0, -2.0, 3.0, -4.0])?;
/// assert_eq!(prelu.forward(&ctx, &x)?.to_vec_blocking(&ctx)?, vec![-1.0, -0.5, 3.0, -1.0]);
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct PReLU {
    shared_axes: Vec<i64>,
    initializer: Initializer,
    pub(crate) regularizer: Option<Regularizer>,
    pub(crate) constraint: Option<Constraint>,
    state: Mutex<Option<Built>>,
}

/// What building fixes: the input spec and alpha. alpha lives on the host,
/// on the GPU, or both: a GPU update (an SGD step, a constraint) makes the
/// GPU copy the only current one until it is read back.
#[derive(Clone, Debug)]
pub(crate) struct Built {
    pub(crate) input_shape: Vec<usize>,
    /// Axes that the input spec pins but whose size is not known yet: a
    /// layer built from alpha alone ([`PReLU::load_alpha`]) cannot tell the
    /// size of an axis that a Python-indexed shared axis (0 or negative)
    /// gave size 1 in alpha while Keras's spec still pins it. The first
    /// input fixes them.
    pub(crate) unknown_axes: Vec<usize>,
    pub(crate) alpha_shape: Vec<usize>,
    /// Host values; `None` while a GPU update has not been read back.
    pub(crate) alpha: Option<Vec<f32>>,
    pub(crate) gpu_alpha: Option<GpuTensor>,
    /// Whether a clone holds `gpu_alpha` too, so a GPU update must write a
    /// copy instead (copy on write; `PReLU::clone`).
    pub(crate) gpu_alpha_shared: bool,
}

impl Clone for PReLU {
    /// An independent copy: training either layer never changes the other.
    /// Where the host holds alpha's current values the clone uploads its own
    /// GPU copy when first run; after a GPU update not yet read back, both
    /// share the GPU copy until either updates it, which then writes a copy
    /// of its own (copy on write), so cloning never waits on the GPU.
    fn clone(&self) -> Self {
        let mut state = self.lock();
        let mut copy = state.clone();
        if let (Some(original), Some(built)) = (state.as_mut(), copy.as_mut()) {
            if built.alpha.is_some() {
                built.gpu_alpha = None;
                built.gpu_alpha_shared = false;
            } else {
                original.gpu_alpha_shared = true;
                built.gpu_alpha_shared = true;
            }
        }
        Self {
            shared_axes: self.shared_axes.clone(),
            initializer: self.initializer,
            regularizer: self.regularizer,
            constraint: self.constraint.clone(),
            state: Mutex::new(copy),
        }
    }
}

impl PReLU {
    /// An unbuilt `PReLU` with Keras's defaults: zeros, no shared axes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Shares alpha along these axes (1-based, counting the batch axis).
    /// Checked against the input's rank when the layer is built.
    pub fn with_shared_axes(mut self, shared_axes: &[i64]) -> Self {
        self.shared_axes = shared_axes.to_vec();
        self
    }

    /// How alpha is initialised at build time.
    pub fn with_initializer(mut self, initializer: Initializer) -> Self {
        self.initializer = initializer;
        self
    }

    /// The shared axes as given.
    pub fn shared_axes(&self) -> &[i64] {
        &self.shared_axes
    }

    /// How alpha is initialised at build time.
    pub fn initializer(&self) -> Initializer {
        self.initializer
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Option<Built>> {
        // Built state is replaced whole, so a panic elsewhere cannot leave it half-written.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Builds the layer for inputs shaped like `input_shape` (the batch size
    /// does not matter), creating alpha with the initializer. Building again
    /// replaces alpha.
    pub fn build(&self, input_shape: &[usize]) -> Result<()> {
        if let Initializer::Constant(value) = self.initializer {
            // The same rule as set_alpha: a NaN alpha would poison every output.
            if !value.is_finite() {
                return Err(Error::argument(
                    "alpha_initializer",
                    format!("alpha_initializer of a PReLU layer must be finite. Received: Constant({value:?})"),
                ));
            }
        }
        let alpha_shape = prelu_alpha_shape(input_shape, &self.shared_axes)?;
        let len = element_count(&alpha_shape)?;
        // Checked before allocating: the kernels index alpha with u32, and a
        // larger alpha could never run (nor, often, be allocated).
        if u32::try_from(len).is_err() {
            return Err(Error::TooLarge {
                what: format!("PReLU's alpha of shape {alpha_shape:?} ({len} f32 elements, kernels index with u32)"),
                size: (len as u64).saturating_mul(4),
                limit_name: "u32::MAX elements",
                limit: u64::from(u32::MAX) * 4,
            });
        }
        let alpha = self.initializer.sample(&alpha_shape)?;
        *self.lock() = Some(Built {
            input_shape: input_shape.to_vec(),
            unknown_axes: Vec::new(),
            alpha_shape,
            alpha: Some(alpha),
            gpu_alpha: None,
            gpu_alpha_shared: false,
        });
        Ok(())
    }

    /// Whether the layer has been built.
    pub fn is_built(&self) -> bool {
        self.lock().is_some()
    }

    /// alpha's shape, once built.
    pub fn alpha_shape(&self) -> Option<Vec<usize>> {
        self.lock().as_ref().map(|b| b.alpha_shape.clone())
    }

    /// alpha's values (row-major) as the host last saw them: `None` before
    /// the layer is built and after a GPU update (an SGD step, a constraint)
    /// until [`PReLU::read_alpha`] brings the new values back.
    pub fn alpha(&self) -> Option<Vec<f32>> {
        self.lock().as_ref().and_then(|b| b.alpha.clone())
    }

    /// Replaces alpha's values (row-major, alpha's shape). Values must be finite.
    pub fn set_alpha(&self, values: &[f32]) -> Result<()> {
        let mut state = self.lock();
        let built = state.as_mut().ok_or_else(|| {
            Error::NotBuilt(
                "PReLU is not built yet: call build(input_shape) before set_alpha".into(),
            )
        })?;
        let len = element_count(&built.alpha_shape)?;
        if values.len() != len {
            return Err(Error::Shape(format!(
                "alpha has shape {:?} ({len} values) but {} values were given",
                built.alpha_shape,
                values.len()
            )));
        }
        if let Some(bad) = values.iter().find(|v| !v.is_finite()) {
            return Err(Error::argument(
                "alpha",
                format!(
                    "alpha of a PReLU layer must be finite. Received: alpha containing {bad:?}"
                ),
            ));
        }
        built.alpha = Some(values.to_vec());
        built.gpu_alpha = None;
        Ok(())
    }

    /// Marks the axes that Keras's input spec pins but whose size the
    /// built shape does not give: Keras pins every axis `i >= 1` not listed
    /// in `shared_axes` as written, while alpha's shape follows Python list
    /// indexing, so `shared_axes=[0]` gives alpha size 1 on the last axis
    /// and still pins it to the size Keras was built with. A layer built
    /// from alpha alone ([`PReLU::load_alpha`]) learns those sizes from its
    /// first input.
    pub(crate) fn defer_python_indexed_axes(&self) {
        let mut state = self.lock();
        let Some(built) = state.as_mut() else {
            return;
        };
        let n = built.alpha_shape.len() as i64;
        let mut unknown = Vec::new();
        for &axis in &self.shared_axes {
            // The same resolution as prelu_alpha_shape; building checked the range.
            let index = axis.saturating_sub(1);
            let resolved = if index < 0 {
                index.saturating_add(n)
            } else {
                index
            };
            let input_axis = resolved + 1;
            if (1..=n).contains(&input_axis)
                && !self.shared_axes.contains(&input_axis)
                && !unknown.contains(&(input_axis as usize))
            {
                unknown.push(input_axis as usize);
            }
        }
        built.unknown_axes = unknown;
    }

    /// Checks `shape` against the built input spec (Keras's `InputSpec`:
    /// rank always; with shared axes, every non-shared axis pinned) and alpha
    /// broadcasting. The first input that passes fixes the pinned axes whose
    /// size was unknown ([`Built::unknown_axes`]).
    fn check_input(&self, built: &mut Built, shape: &[usize]) -> Result<()> {
        let built_shape = &built.input_shape;
        if shape.len() != built_shape.len() {
            return Err(Error::Shape(format!(
                "PReLU was built for rank {} (shape {built_shape:?}) but got shape {shape:?}",
                built_shape.len()
            )));
        }
        if !self.shared_axes.is_empty() {
            for axis in 1..shape.len() {
                let pinned = !self.shared_axes.contains(&(axis as i64))
                    && !built.unknown_axes.contains(&axis);
                if pinned && shape[axis] != built_shape[axis] {
                    return Err(Error::Shape(format!(
                        "PReLU expects axis {axis} of size {} (built for {built_shape:?}) but got shape {shape:?}",
                        built_shape[axis]
                    )));
                }
            }
        }
        for (axis, (&a, &d)) in built.alpha_shape.iter().zip(&shape[1..]).enumerate() {
            if a != 1 && a != d {
                return Err(Error::Shape(format!(
                    "incompatible shapes for broadcasting: alpha {:?} against input {shape:?} (axis {})",
                    built.alpha_shape,
                    axis + 1
                )));
            }
        }
        for axis in std::mem::take(&mut built.unknown_axes) {
            built.input_shape[axis] = shape[axis];
        }
        Ok(())
    }

    /// The built state for an input of `shape` with alpha on `ctx`'s GPU,
    /// building the layer first if needed (as Keras does on the first call)
    /// and uploading alpha once per context.
    pub(crate) fn built_for(&self, ctx: &GpuContext, shape: &[usize]) -> Result<GpuTensor> {
        // A device that cannot run PReLU at all says so before any size check.
        ctx.check_support(layer::FORWARD, ctx.workgroup_size(layer::FORWARD))?;
        let mut state = self.lock();
        if state.is_none() {
            drop(state);
            // alpha is bound whole, so one the device cannot bind is refused
            // before it is allocated: an empty input such as [0, 4e9] would
            // otherwise build gigabytes of alpha.
            let len = element_count(&prelu_alpha_shape(shape, &self.shared_axes)?)?;
            let size = (len as u64).saturating_mul(4);
            let limit = ctx.limits().max_storage_buffer_binding_size;
            if size > limit {
                return Err(Error::TooLarge {
                    what: format!("PReLU's alpha for an input of shape {shape:?}"),
                    size,
                    limit_name: "max_storage_buffer_binding_size",
                    limit,
                });
            }
            self.build(shape)?;
            state = self.lock();
        }
        let built = state.as_mut().expect("built just above");
        self.check_input(built, shape)?;
        built.gpu_alpha_on(ctx)
    }

    /// Runs `reference(alpha_shape, alpha)` on the host alpha for an input
    /// of `shape`, building first if needed; alpha is borrowed, not copied.
    fn with_host_alpha<T>(
        &self,
        shape: &[usize],
        reference: impl FnOnce(&[usize], &[f32]) -> Result<T>,
    ) -> Result<T> {
        if !self.is_built() {
            self.build(shape)?;
        }
        let mut state = self.lock();
        let built = state.as_mut().expect("built just above");
        self.check_input(built, shape)?;
        let alpha = built.alpha.as_deref().ok_or_else(|| {
            Error::Readback(
                "alpha was updated on the GPU and not read back; call read_alpha first".into(),
            )
        })?;
        reference(&built.alpha_shape, alpha)
    }

    pub(crate) fn cpu(&self, shape: &[usize], x: &[f32]) -> Result<Vec<f32>> {
        self.with_host_alpha(shape, |alpha_shape, alpha| {
            reference::prelu(shape, x, alpha_shape, alpha)
        })
    }

    pub(crate) fn cpu_grad(&self, shape: &[usize], x: &[f32], dy: &[f32]) -> Result<Vec<f32>> {
        self.with_host_alpha(shape, |alpha_shape, alpha| {
            reference::prelu_backward(shape, x, dy, alpha_shape, alpha)
        })
    }
}

impl Built {
    /// alpha on `ctx`'s GPU, uploading the host values if it is not there.
    /// After a GPU update on another context, the host has no current values
    /// to upload: an error says so.
    pub(crate) fn gpu_alpha_on(&mut self, ctx: &GpuContext) -> Result<GpuTensor> {
        if let Some(alpha) = &self.gpu_alpha {
            if alpha.check_context(ctx).is_ok() {
                return Ok(alpha.clone());
            }
        }
        let host = self.alpha.as_ref().ok_or(Error::ContextMismatch)?;
        let alpha = GpuTensor::from_slice(ctx, &self.alpha_shape, host)?;
        self.gpu_alpha = Some(alpha.clone());
        self.gpu_alpha_shared = false;
        Ok(alpha)
    }
}
