//! Keras `Softmax(axis)`: one axis or several, with an optional mask.

use crate::context::GpuContext;
use crate::dispatch::SoftmaxMapping;
use crate::error::{Error, Result};
use crate::kernels::{SoftmaxParams, SOFTMAX_MAX_RANK};
use crate::launch_rows::Rows;
use crate::shape::{element_count, mask_strides, normalize_axes, softmax_plan, PlannedAxis};
use crate::tensor::GpuTensor;

/// Keras `Softmax`: `exp(x - max) / sum(exp(x - max))` over one axis or a set
/// of axes (negative axes count from the end).
///
/// With a mask ([`Softmax::forward_masked`]), positions where `mask <= 0.5`
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
/// let y = Softmax::new(-1).forward_masked(&ctx, &x, &mask)?.to_vec_blocking(&ctx)?;
/// assert_eq!(y, vec![1.0, 0.0, 1.0, 0.0]);
/// assert!(Softmax::new(5).forward(&ctx, &x).is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Softmax {
    axes: Vec<i64>,
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
            mapping: SoftmaxMapping::Auto,
        }
    }

    /// Softmax over several axes at once (Keras `axis=[...]`). Checked against
    /// the input's rank at each call.
    pub fn axes(axes: &[i64]) -> Self {
        Self {
            axes: axes.to_vec(),
            mapping: SoftmaxMapping::Auto,
        }
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

    /// Runs the layer with a mask that broadcasts from the right (each mask
    /// dim 1 or equal to the input's); `mask > 0.5` keeps a position.
    pub fn forward_masked(
        &self,
        ctx: &GpuContext,
        x: &GpuTensor,
        mask: &GpuTensor,
    ) -> Result<GpuTensor> {
        let out = GpuTensor::uninit(ctx, x.shape())?;
        ctx.submit_with("Softmax", |encoder| {
            self.encode_masked(ctx, encoder, x, Some(mask), &out)
        })?;
        Ok(out)
    }

    /// Records `out = softmax(x)` (with an optional mask) into `encoder`.
    pub fn encode_masked(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        mask: Option<&GpuTensor>,
        out: &GpuTensor,
    ) -> Result<()> {
        let (params, innermost_reduced) = self.params(x.shape(), mask.map(GpuTensor::shape))?;
        Rows {
            kernel: self.mapping.kernel(
                params.rows,
                params.row_len,
                innermost_reduced,
                ctx.adapter_info().device_type,
                ctx.features(),
            ),
            params,
            mask,
        }
        .encode(ctx, encoder, x, out)
    }

    /// The kernels' parameters for an input (and mask) of these shapes, and
    /// whether the innermost axis is reduced (the rows are contiguous).
    fn params(
        &self,
        shape: &[usize],
        mask_shape: Option<&[usize]>,
    ) -> Result<(SoftmaxParams, bool)> {
        if shape.is_empty() {
            return Err(Error::Shape(
                "Softmax needs an input of rank 1 or more; got a scalar".into(),
            ));
        }
        let axes = normalize_axes(&self.axes, shape.len())?;
        let mstrides = match mask_shape {
            Some(m) => mask_strides(m, shape)?,
            None => vec![0; shape.len()],
        };
        let (kept, reduced) = softmax_plan(shape, &axes, &mstrides);
        let len = element_count(shape)?;
        let row_len: usize = axes.iter().map(|&a| shape[a]).product();
        let mut p = SoftmaxParams {
            rows: to_u32(len.checked_div(row_len).unwrap_or(0))?,
            row_len: to_u32(row_len)?,
            has_mask: u32::from(mask_shape.is_some()),
            ..SoftmaxParams::default()
        };
        p.kept_rank = fill(
            &kept,
            &mut p.kept_dims,
            &mut p.kept_strides,
            &mut p.kept_mask_strides,
            shape,
        )?;
        p.reduced_rank = fill(
            &reduced,
            &mut p.reduced_dims,
            &mut p.reduced_strides,
            &mut p.reduced_mask_strides,
            shape,
        )?;
        let innermost_reduced = reduced.last().is_some_and(|&(_, stride, _)| stride == 1);
        Ok((p, innermost_reduced))
    }
}

fn to_u32(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| {
        Error::Shape(format!(
            "{n} elements do not fit the kernels' 32-bit indices"
        ))
    })
}

fn fill(
    plan: &[PlannedAxis],
    dims: &mut [u32; SOFTMAX_MAX_RANK],
    strides: &mut [u32; SOFTMAX_MAX_RANK],
    mask_strides: &mut [u32; SOFTMAX_MAX_RANK],
    shape: &[usize],
) -> Result<u32> {
    if plan.len() > SOFTMAX_MAX_RANK {
        return Err(Error::Shape(format!(
            "Softmax supports at most {SOFTMAX_MAX_RANK} kept and {SOFTMAX_MAX_RANK} reduced axes after merging; shape {shape:?} needs {}",
            plan.len()
        )));
    }
    for (i, &(d, s, m)) in plan.iter().enumerate() {
        dims[i] = to_u32(d)?;
        strides[i] = to_u32(s)?;
        mask_strides[i] = to_u32(m)?;
    }
    Ok(plan.len() as u32)
}

impl crate::layers::Layer for Softmax {
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
        crate::cpu::softmax(self, shape, x, None)
    }
}

crate::layers::inherent_forward!(Softmax);
