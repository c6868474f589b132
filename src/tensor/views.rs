//! Tensors without a buffer of their own: a host's buffer wrapped without a
//! copy ([`GpuTensor::from_buffer`]), and views of a tensor that share its
//! buffer ([`GpuTensor::reshape`], [`GpuTensor::slice_rows`]).
//!
//! Every kernel binds a tensor's range of its buffer, from its offset. The
//! elementwise kernels read and write whole groups of 4 elements, so a
//! tensor also owns the up-to-3 elements after its last one unless its
//! length is a multiple of 4: a view or a host's range must not share them
//! with other data.

use std::sync::Arc;

use crate::context::GpuContext;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::shape::element_count;
use crate::tensor::{check_size, padded_byte_size, GpuTensor};

impl GpuTensor {
    /// Wraps `buffer`, a host's buffer, as a tensor of `shape` and `dtype`
    /// starting `offset` bytes in, without a copy: any layer takes it as
    /// input, output or in-place target, forward and backward. The buffer is
    /// shared (a `wgpu::Buffer` clone is cheap) and never destroyed by the
    /// crate.
    ///
    /// Checked here, each with an error naming what is wrong:
    /// - `buffer` has `STORAGE` usage (reading it back also needs
    ///   `COPY_SRC`, and a chain copying into it `COPY_DST`, checked when
    ///   used);
    /// - `offset` is a multiple of the device's
    ///   `min_storage_buffer_offset_alignment`;
    /// - the buffer holds the tensor from `offset`, rounded up to a whole
    ///   group of 4 elements: the elementwise kernels read and write those
    ///   up-to-3 elements past the end, which must not hold other data;
    /// - the buffer belongs to `ctx`'s device (checked in an error scope:
    ///   in a browser the answer comes with the next readback or
    ///   [`GpuContext::check_errors`]). A buffer of another `wgpu::Instance`
    ///   cannot be told apart: wgpu itself panics on it.
    ///
    /// ```
    /// # fn main() -> wgpu_activations::Result<()> {
    /// use wgpu_activations::{wgpu, DType, GpuContext, GpuTensor, Softmax};
    /// let ctx = GpuContext::new_blocking()?;
    /// // The host's own buffers: its logits at byte 256 of one, its
    /// // probabilities written into another.
    /// let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST;
    /// let make = |label| ctx.device().create_buffer(&wgpu::BufferDescriptor {
    ///     label: Some(label), size: 256 + 4 * 4, usage, mapped_at_creation: false,
    /// });
    /// let (host_logits, host_probs) = (make("logits"), make("probabilities"));
    /// ctx.queue().write_buffer(&host_logits, 256, bytemuck::cast_slice(&[1.0f32, 2.0, 3.0, 4.0]));
    /// let logits = GpuTensor::from_buffer(&ctx, host_logits.clone(), 256, &[2, 2], DType::F32)?;
    /// let probs = GpuTensor::from_buffer(&ctx, host_probs.clone(), 0, &[2, 2], DType::F32)?;
    /// Softmax::new(-1).forward_into(&ctx, &logits, &probs)?; // written into the host's buffer
    /// let y = probs.to_vec_blocking(&ctx)?;
    /// assert!((y[0] + y[1] - 1.0).abs() < 1e-6 && y[1] > y[0]);
    /// # Ok(()) }
    /// ```
    pub fn from_buffer(
        ctx: &GpuContext,
        buffer: wgpu::Buffer,
        offset: u64,
        shape: &[usize],
        dtype: DType,
    ) -> Result<Self> {
        let missing = dtype.required_features() - ctx.features();
        if !missing.is_empty() {
            return Err(Error::MissingFeature {
                what: format!("{dtype} tensors"),
                feature: format!("{missing:?}"),
            });
        }
        let len = element_count(shape)?;
        check_size(ctx, len, dtype)?;
        if !buffer.usage().contains(wgpu::BufferUsages::STORAGE) {
            return Err(Error::argument(
                "buffer",
                format!(
                    "the buffer must have wgpu::BufferUsages::STORAGE (kernels bind it as \
                     storage); it has {:?}",
                    buffer.usage()
                ),
            ));
        }
        check_offset(ctx, offset)?;
        let needed = padded_byte_size(len, dtype);
        if offset
            .checked_add(needed)
            .is_none_or(|end| end > buffer.size())
        {
            return Err(Error::argument(
                "buffer",
                format!(
                    "a tensor of {len} {dtype} elements at byte {offset} needs {needed} bytes \
                     there (its length rounded up to a whole group of 4 elements, which the \
                     elementwise kernels read and write), but the buffer holds {} bytes",
                    buffer.size()
                ),
            ));
        }
        check_device(ctx, &buffer, offset, needed)?;
        Ok(Self {
            buffer: Arc::new(ctx.own_host(buffer)),
            offset,
            context: ctx.id(),
            shape: shape.to_vec(),
            len,
            dtype,
        })
    }

    /// The same elements under another shape of the same element count:
    /// a view sharing this tensor's buffer, no copy.
    ///
    /// ```
    /// # fn main() -> wgpu_activations::Result<()> {
    /// use wgpu_activations::{GpuContext, GpuTensor, Softmax};
    /// let ctx = GpuContext::new_blocking()?;
    /// let x = GpuTensor::from_slice(&ctx, &[4], &[1.0, 1.0, 2.0, 2.0])?;
    /// let rows = x.reshape(&[2, 2])?;
    /// let y = Softmax::new(-1).forward(&ctx, &rows)?;
    /// assert_eq!(y.to_vec_blocking(&ctx)?, [0.5; 4]);
    /// assert!(x.reshape(&[3]).is_err());
    /// # Ok(()) }
    /// ```
    pub fn reshape(&self, shape: &[usize]) -> Result<Self> {
        let len = element_count(shape)?;
        if len != self.len {
            return Err(Error::Shape(format!(
                "cannot reshape a tensor of shape {:?} ({} elements) to {shape:?} ({len} elements)",
                self.shape, self.len
            )));
        }
        Ok(Self {
            shape: shape.to_vec(),
            ..self.clone()
        })
    }

    /// Rows `start..end` along the first axis: a view sharing this
    /// tensor's buffer, no copy, usable by every layer.
    ///
    /// The view starts `start` rows in, which must be a multiple of the
    /// device's `min_storage_buffer_offset_alignment` in bytes (256 on most
    /// adapters: 64 f32 values), and holds a multiple of 4 elements unless
    /// it ends where this tensor ends (the elementwise kernels write whole
    /// groups of 4, which would reach into the next rows); either is an
    /// error naming the numbers otherwise.
    ///
    /// ```
    /// # fn main() -> wgpu_activations::Result<()> {
    /// use wgpu_activations::{GpuContext, GpuTensor, ReLU};
    /// let ctx = GpuContext::new_blocking()?;
    /// let values: Vec<f32> = (0..256).map(|i| i as f32 - 128.0).collect();
    /// let x = GpuTensor::from_slice(&ctx, &[4, 64], &values)?;
    /// let tail = x.slice_rows(&ctx, 2, 4)?; // rows 2 and 3, from byte 512
    /// ReLU::default().forward_in_place(&ctx, &tail)?;
    /// let all = x.to_vec_blocking(&ctx)?;
    /// assert_eq!(all[..128], values[..128]); // rows 0 and 1 untouched
    /// assert!(all[128..].iter().all(|&v| v >= 0.0));
    /// # Ok(()) }
    /// ```
    pub fn slice_rows(&self, ctx: &GpuContext, start: usize, end: usize) -> Result<Self> {
        self.check_context(ctx)?;
        let Some((&rows, rest)) = self.shape.split_first() else {
            return Err(Error::Shape(
                "a scalar tensor (shape []) has no rows to slice".into(),
            ));
        };
        if start > end || end > rows {
            return Err(Error::Shape(format!(
                "rows {start}..{end} are not within the {rows} rows of shape {:?}",
                self.shape
            )));
        }
        let row_len = element_count(rest)?;
        let len = (end - start) * row_len;
        let mut shape = self.shape.clone();
        shape[0] = end - start;
        if len == 0 {
            // Nothing is bound for an empty tensor: keep the parent's offset.
            return Ok(Self {
                shape,
                len,
                ..self.clone()
            });
        }
        let offset = self.offset + (start * row_len) as u64 * self.dtype.size();
        let alignment = u64::from(ctx.limits().min_storage_buffer_offset_alignment);
        if !offset.is_multiple_of(alignment) {
            return Err(Error::Shape(format!(
                "rows {start}..{end} of shape {:?} start at byte {offset} of the buffer, not a \
                 multiple of the device's min_storage_buffer_offset_alignment ({alignment})",
                self.shape
            )));
        }
        if !len.is_multiple_of(4) && end != rows {
            return Err(Error::Shape(format!(
                "rows {start}..{end} of shape {:?} hold {len} elements, not a multiple of 4, and \
                 do not end the tensor: the elementwise kernels write whole groups of 4, which \
                 would reach into row {end}",
                self.shape
            )));
        }
        Ok(Self {
            offset,
            shape,
            len,
            ..self.clone()
        })
    }
}

/// `offset` must be a multiple of the device's storage offset alignment.
fn check_offset(ctx: &GpuContext, offset: u64) -> Result<()> {
    let alignment = u64::from(ctx.limits().min_storage_buffer_offset_alignment);
    if !offset.is_multiple_of(alignment) {
        return Err(Error::argument(
            "offset",
            format!(
                "the offset {offset} is not a multiple of the device's \
                 min_storage_buffer_offset_alignment ({alignment})"
            ),
        ));
    }
    Ok(())
}

/// Binds `buffer`'s range in an error scope: a buffer of another device is
/// a validation error there, not a panic later.
fn check_device(ctx: &GpuContext, buffer: &wgpu::Buffer, offset: u64, size: u64) -> Result<()> {
    ctx.scoped("wrapping a host's buffer", || {
        ctx.gl_call(|| {
            let layout = ctx
                .device()
                .create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                    label: Some("wgpu-activations.host-buffer-check"),
                    entries: &[wgpu::BindGroupLayoutEntry {
                        binding: 0,
                        visibility: wgpu::ShaderStages::COMPUTE,
                        ty: wgpu::BindingType::Buffer {
                            ty: wgpu::BufferBindingType::Storage { read_only: true },
                            has_dynamic_offset: false,
                            min_binding_size: None,
                        },
                        count: None,
                    }],
                });
            let _checked = ctx.device().create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("wgpu-activations.host-buffer-check"),
                layout: &layout,
                entries: &[wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                        buffer,
                        offset,
                        size: wgpu::BufferSize::new(size),
                    }),
                }],
            });
        })
    })
}
