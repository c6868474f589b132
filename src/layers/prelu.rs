//! Keras `PReLU(alpha_initializer, alpha_regularizer, alpha_constraint, shared_axes)`:
//! forward pass, alpha's shape and Keras's input spec.

use std::sync::{Mutex, PoisonError};

use crate::context::GpuContext;
use crate::error::{Error, Result};
use crate::kernels::{Kernel, PreluAlpha, PreluParams, PRELU_MAX_RANK};
use crate::launch::Elementwise;
use crate::layers::elementwise_layer;
use crate::shape::{element_count, prelu_alpha_shape, prelu_index_plan};
use crate::tensor::GpuTensor;

/// How alpha is filled when the layer is built.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
#[non_exhaustive]
pub enum Initializer {
    /// Keras `"zeros"`, the default.
    #[default]
    Zeros,
    /// Keras `"ones"`.
    Ones,
    /// Keras `Constant(value)`.
    Constant(f32),
}

impl Initializer {
    fn fill(self, len: usize) -> Vec<f32> {
        let value = match self {
            Initializer::Zeros => 0.0,
            Initializer::Ones => 1.0,
            Initializer::Constant(v) => v,
        };
        vec![value; len]
    }
}

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
    state: Mutex<Option<Built>>,
}

/// What building fixes: the input spec and alpha (host values, plus the GPU
/// copy once uploaded).
#[derive(Clone, Debug)]
struct Built {
    input_shape: Vec<usize>,
    alpha_shape: Vec<usize>,
    alpha: Vec<f32>,
    gpu_alpha: Option<GpuTensor>,
}

impl Clone for PReLU {
    fn clone(&self) -> Self {
        Self {
            shared_axes: self.shared_axes.clone(),
            initializer: self.initializer,
            state: Mutex::new(self.lock().clone()),
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

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Built>> {
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
        let alpha = self.initializer.fill(len);
        *self.lock() = Some(Built {
            input_shape: input_shape.to_vec(),
            alpha_shape,
            alpha,
            gpu_alpha: None,
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

    /// alpha's values (row-major), once built.
    pub fn alpha(&self) -> Option<Vec<f32>> {
        self.lock().as_ref().map(|b| b.alpha.clone())
    }

    /// Replaces alpha's values (row-major, alpha's shape). Values must be finite.
    pub fn set_alpha(&self, values: &[f32]) -> Result<()> {
        let mut state = self.lock();
        let built = state.as_mut().ok_or_else(|| {
            Error::Shape("PReLU is not built yet: call build(input_shape) before set_alpha".into())
        })?;
        if values.len() != built.alpha.len() {
            return Err(Error::Shape(format!(
                "alpha has shape {:?} ({} values) but {} values were given",
                built.alpha_shape,
                built.alpha.len(),
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
        built.alpha = values.to_vec();
        built.gpu_alpha = None;
        Ok(())
    }

    /// Checks `shape` against the built input spec (Keras's `InputSpec`:
    /// rank always; with shared axes, every non-shared axis pinned) and alpha
    /// broadcasting.
    fn check_input(&self, built: &Built, shape: &[usize]) -> Result<()> {
        let built_shape = &built.input_shape;
        if shape.len() != built_shape.len() {
            return Err(Error::Shape(format!(
                "PReLU was built for rank {} (shape {built_shape:?}) but got shape {shape:?}",
                built_shape.len()
            )));
        }
        if !self.shared_axes.is_empty() {
            for axis in 1..shape.len() {
                let pinned = !self.shared_axes.contains(&(axis as i64));
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
        Ok(())
    }

    /// The kernel, its index plan and alpha on the GPU for an input of
    /// `shape`, building the layer first if needed (as Keras does on the
    /// first call) and uploading alpha once per context.
    fn job(&self, ctx: &GpuContext, shape: &[usize]) -> Result<Elementwise> {
        let mut state = self.lock();
        if state.is_none() {
            drop(state);
            // alpha is bound whole, so one the device cannot bind is refused
            // before it is allocated: an empty input such as [0, 4e9] would
            // otherwise build gigabytes of alpha.
            // (A device that cannot run PReLU at all says that instead.)
            ctx.check_support(Kernel::Prelu, ctx.workgroup_size(Kernel::Prelu))?;
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
        let stale = built
            .gpu_alpha
            .as_ref()
            .is_none_or(|t| t.check_context(ctx).is_err());
        if stale {
            built.gpu_alpha = Some(GpuTensor::from_slice(
                ctx,
                &built.alpha_shape,
                &built.alpha,
            )?);
        }
        let params = prelu_params(shape, &built.alpha_shape)?;
        let mut job = Elementwise::new(Kernel::Prelu, &params);
        job.extra = built.gpu_alpha.clone();
        job.specialization = alpha_mode(&params) as u32;
        Ok(job)
    }

    fn cpu(&self, shape: &[usize], x: &[f32]) -> Result<Vec<f32>> {
        if !self.is_built() {
            self.build(shape)?;
        }
        let state = self.lock();
        let built = state.as_ref().expect("built just above");
        self.check_input(built, shape)?;
        crate::cpu::prelu(shape, x, &built.alpha_shape, &built.alpha)
    }
}

elementwise_layer!(PReLU, "PReLU");

/// The cheapest way the kernel can find alpha for these parameters.
fn alpha_mode(params: &PreluParams) -> PreluAlpha {
    match (params.single_axis != 0, params.inner, params.dim % 4) {
        (true, 1, 0) => PreluAlpha::InnermostVec4,
        (true, inner, _) if inner % 4 == 0 => PreluAlpha::SharedByVec4,
        _ => PreluAlpha::General,
    }
}

/// The kernel's index plan; at most [`PRELU_MAX_RANK`] merged axes.
fn prelu_params(shape: &[usize], alpha_shape: &[usize]) -> Result<PreluParams> {
    let plan = prelu_index_plan(shape, alpha_shape);
    if plan.len() > PRELU_MAX_RANK {
        return Err(Error::Shape(format!(
            "PReLU supports at most {PRELU_MAX_RANK} axes after merging broadcast-compatible neighbours; \
             input {shape:?} with alpha {alpha_shape:?} needs {}",
            plan.len()
        )));
    }
    let mut params = PreluParams {
        rank: plan.len() as u32,
        ..PreluParams::default()
    };
    for (i, &(dim, stride)) in plan.iter().enumerate() {
        // Both are bounded by the tensor's element count, which fits u32.
        params.dims[i] = dim as u32;
        params.alpha_strides[i] = stride as u32;
    }
    let varying: Vec<usize> = (0..plan.len()).filter(|&i| plan[i].1 != 0).collect();
    if let [] | [_] = varying.as_slice() {
        params.single_axis = 1;
        params.dim = varying.first().map_or(1, |&i| plan[i].0 as u32);
        params.inner = varying.first().map_or(1, |&i| {
            plan[i + 1..].iter().map(|&(d, _)| d).product::<usize>() as u32
        });
    }
    Ok(params)
}
