//! Keras `Softmax(axis)`: one axis or several, with an optional mask. The
//! layer and its GPU path here; its kernels in `kernels.rs`, the choice
//! between them in `mapping.rs`, its CPU twins in `reference.rs` (rows
//! grouped the plain way in `rows.rs`), its Keras config in `config.rs`.

mod config;
mod function;
pub(crate) mod kernels;
pub(crate) mod mapping;
pub(crate) mod reference;

pub use mapping::SoftmaxMapping;

use crate::context::GpuContext;
use crate::error::{Error, Result};
use crate::kernels::rows::RowParams;
use crate::kernels::spec::Kernel;
use crate::launch_rows::{row_params, Rows};
use crate::loop_budget::row_loop_iterations;
use crate::shape::normalize_axes;
use crate::tensor::GpuTensor;

/// Keras `Softmax`: `exp(x - max) / sum(exp(x - max))` over one axis or a set
/// of axes (negative axes count from the end).
///
/// With a mask ([`Softmax::forward_masked`], [`crate::Layer::encode_masked`]), positions where `mask <= 0.5`
/// are treated as `-1e9` and output 0, so a fully masked row is all zeros
/// (Keras 3). An unmasked NaN or `+inf` makes its row NaN; a row of `-inf`
/// is NaN; a `-inf` entry gives 0 (Keras 3 on JAX).
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// use wgpu_activations::{GpuContext, GpuTensor, Softmax};
/// let ctx = GpuContext::new_blocking()?;
/// let x = GpuTensor::from_slice(&ctx, &[2, 2], &[0.0, 0.0, 1.0, 1.0])?;
/// let y = Softmax::new(-1).forward(&ctx, &x)?.to_vec_blocking(&ctx)?;
/// assert_eq!(y, vec![0.5, 0.5, 0.5, 0.5]);
/// let mask = GpuTensor::from_mask(&ctx, &[2], &[true, false])?;
/// let y = Softmax::new(-1).forward_masked(&ctx, &x, Some(&mask))?.to_vec_blocking(&ctx)?;
/// assert_eq!(y, vec![1.0, 0.0, 1.0, 0.0]);
/// assert!(Softmax::new(5).forward(&ctx, &x).is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Softmax {
    axes: Vec<i64>,
    // Given as a list (`Softmax::axes`): Keras writes a list back as a list.
    listed: bool,
    mapping: SoftmaxMapping,
}

impl Default for Softmax {
    /// Keras's default, the last axis.
    fn default() -> Self {
        Self::new(-1)
    }
}

impl Softmax {
    /// Softmax over one axis.
    pub fn new(axis: i64) -> Self {
        Self {
            axes: vec![axis],
            listed: false,
            mapping: SoftmaxMapping::Auto,
        }
    }

    /// Softmax over several axes at once (Keras `axis=[...]`). Checked against
    /// the input's rank at each call; an empty list is an error there, as in
    /// Keras.
    ///
    /// ```
    /// # let ctx = wgpu_activations::GpuContext::new_blocking()?;
    /// use wgpu_activations::{GpuTensor, Softmax};
    /// let x = GpuTensor::from_slice(&ctx, &[2, 2], &[1.0, 2.0, 3.0, 4.0])?;
    /// assert_eq!(Softmax::axes(&[0, 1]).forward(&ctx, &x)?.to_vec_blocking(&ctx)?.len(), 4);
    /// assert!(Softmax::axes(&[]).forward(&ctx, &x).is_err());
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn axes(axes: &[i64]) -> Self {
        Self {
            axes: axes.to_vec(),
            listed: true,
            mapping: SoftmaxMapping::Auto,
        }
    }

    /// Whether the axes were given as a list ([`Softmax::axes`]), which a
    /// Keras config keeps as a list even of one axis.
    pub fn is_axis_list(&self) -> bool {
        self.listed
    }

    /// The axes resolved against an input of `rank`, sorted: an error for
    /// an empty list, an axis out of range or a repeated one.
    pub(crate) fn resolved_axes(&self, rank: usize) -> Result<Vec<usize>> {
        if self.axes.is_empty() {
            return Err(Error::argument(
                "axis",
                "Softmax needs at least one axis; got an empty list (Keras rejects axis=[] too)",
            ));
        }
        normalize_axes(&self.axes, rank)
    }

    /// Forces a kernel instead of the automatic choice (for tuning and
    /// tests); the result is the same either way.
    pub fn with_mapping(mut self, mapping: SoftmaxMapping) -> Self {
        self.mapping = mapping;
        self
    }

    /// The axes as given.
    pub fn axis_list(&self) -> &[i64] {
        &self.axes
    }

    /// The backward pass with a mask (the one the forward pass used): `dx =
    /// y * (dy - sum(dy * y))` over the axes from the forward output `y`;
    /// masked positions get 0. One submission.
    ///
    /// ```
    /// # fn main() -> wgpu_activations::Result<()> {
    /// use wgpu_activations::{GpuContext, GpuTensor, Softmax};
    /// let ctx = GpuContext::new_blocking()?;
    /// let softmax = Softmax::new(-1);
    /// let y = GpuTensor::from_slice(&ctx, &[1, 2], &[0.25, 0.75])?;
    /// let dy = GpuTensor::from_slice(&ctx, &[1, 2], &[1.0, 0.0])?;
    /// let dx = softmax.backward(&ctx, &y, &dy)?.to_vec_blocking(&ctx)?;
    /// assert_eq!(dx, vec![0.1875, -0.1875]); // y0 (1 - y0), -y0 y1
    /// # Ok(()) }
    /// ```
    pub fn backward_masked(
        &self,
        ctx: &GpuContext,
        y: &GpuTensor,
        dy: &GpuTensor,
        mask: Option<&GpuTensor>,
    ) -> Result<GpuTensor> {
        let dx = GpuTensor::uninit_like(ctx, y)?;
        ctx.submit_with("Softmax backward", |encoder| {
            self.encode_backward_masked(ctx, encoder, y, dy, mask, &dx)
        })?;
        Ok(dx)
    }

    /// The backward pass on the GPU from the forward output `y` (see
    /// [`Softmax::backward_masked`]).
    pub fn backward(&self, ctx: &GpuContext, y: &GpuTensor, dy: &GpuTensor) -> Result<GpuTensor> {
        self.backward_masked(ctx, y, dy, None)
    }

    /// Records the backward pass, with an optional mask, into `encoder`.
    pub fn encode_backward_masked(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        y: &GpuTensor,
        dy: &GpuTensor,
        mask: Option<&GpuTensor>,
        dx: &GpuTensor,
    ) -> Result<()> {
        let (params, innermost_reduced) = self.params(y.shape(), mask.map(GpuTensor::shape))?;
        let forward = self.kernel(ctx, &params, innermost_reduced, wgpu::Features::empty());
        let kernel = if forward == kernels::INVOCATION {
            kernels::GRAD_INVOCATION
        } else {
            kernels::GRAD_WORKGROUP
        };
        Rows {
            kernel,
            params,
            mask,
        }
        .encode_gradient(ctx, encoder, y, dy, dx)
    }

    /// The kernel this layer's mapping runs for rows described by `params`.
    /// One invocation never takes a row where the adapter's loop budget
    /// ([`GpuContext::loop_budget`]) would cut the row short, whether `Auto`
    /// chose it or the caller asked for it: a workgroup shares the row
    /// instead (split into segments past one workgroup's share).
    fn kernel(
        &self,
        ctx: &GpuContext,
        params: &RowParams,
        innermost_reduced: bool,
        features: wgpu::Features,
    ) -> Kernel {
        let device_type = ctx.adapter_info().device_type;
        let (rows, row_len) = (params.rows, params.row_len);
        let kernel = self
            .mapping
            .kernel(rows, row_len, innermost_reduced, device_type, features);
        let over_budget = |k: Kernel| {
            ctx.loop_budget()
                .is_some_and(|b| row_loop_iterations(k, params, ctx.workgroup_size(k)) > b)
        };
        if kernel == kernels::INVOCATION && over_budget(kernel) {
            SoftmaxMapping::WorkgroupPerRow.kernel(
                rows,
                row_len,
                innermost_reduced,
                device_type,
                features,
            )
        } else {
            kernel
        }
    }

    /// The kernels' parameters for an input (and mask) of these shapes, and
    /// whether the innermost axis is reduced (the rows are contiguous).
    fn params(&self, shape: &[usize], mask_shape: Option<&[usize]>) -> Result<(RowParams, bool)> {
        if shape.is_empty() {
            return Err(Error::Shape(
                "Softmax needs an input of rank 1 or more; got a scalar".into(),
            ));
        }
        let axes = self.resolved_axes(shape.len())?;
        row_params(shape, &axes, mask_shape)
    }
}

impl crate::layer::Layer for Softmax {
    fn class_name(&self) -> &'static str {
        "Softmax"
    }

    fn encode(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        out: &GpuTensor,
    ) -> Result<()> {
        self.encode_masked(ctx, encoder, x, None, out)
    }

    fn reference(&self, shape: &[usize], x: &[f32]) -> Result<Vec<f32>> {
        reference::softmax(self, shape, x, None)
    }

    fn encode_masked(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        mask: Option<&GpuTensor>,
        out: &GpuTensor,
    ) -> Result<()> {
        let (params, innermost_reduced) = self.params(x.shape(), mask.map(GpuTensor::shape))?;
        Rows {
            kernel: self.kernel(ctx, &params, innermost_reduced, ctx.features()),
            params,
            mask,
        }
        .encode(ctx, encoder, x, out)
    }

    fn reference_masked(
        &self,
        shape: &[usize],
        x: &[f32],
        mask: Option<(&[usize], &[f32])>,
    ) -> Result<Vec<f32>> {
        reference::softmax(self, shape, x, mask)
    }

    fn backward_reads(&self) -> crate::layer::Saved {
        crate::layer::Saved::Output
    }

    fn encode_backward(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        y: &GpuTensor,
        dy: &GpuTensor,
        dx: &GpuTensor,
    ) -> Result<()> {
        self.encode_backward_masked(ctx, encoder, y, dy, None, dx)
    }

    fn reference_backward(&self, shape: &[usize], y: &[f32], dy: &[f32]) -> Result<Vec<f32>> {
        reference::softmax_backward(self, shape, y, dy, None)
    }
}

crate::layer::inherent_forward!(Softmax);
