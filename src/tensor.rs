//! [`GpuTensor`]: an f32 tensor resident in a GPU storage buffer.

use std::sync::Arc;

use crate::context::GpuContext;
use crate::error::{Error, Result};
use crate::shape::element_count;

/// A row-major f32 tensor in a GPU storage buffer.
///
/// Layers take and return `GpuTensor`s, so a chain of layers stays on the GPU
/// until [`GpuTensor::to_vec`] reads the result back. Cloning is cheap (the
/// buffer is shared). Tensors with a zero-sized dimension are allowed and
/// hold no elements.
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// use wgpu_activations::{GpuContext, GpuTensor};
/// let ctx = GpuContext::new_blocking()?;
/// let x = GpuTensor::from_slice(&ctx, &[2, 3], &[1.0, -2.0, 3.0, -4.0, 5.0, -6.0])?;
/// assert_eq!(x.shape(), &[2, 3]);
/// assert_eq!(x.to_vec_blocking(&ctx)?, vec![1.0, -2.0, 3.0, -4.0, 5.0, -6.0]);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct GpuTensor {
    buffer: Arc<wgpu::Buffer>,
    // The id of the context that made it: using it with another context is
    // an error, not a wgpu panic.
    context: u64,
    shape: Vec<usize>,
    len: usize,
}

impl GpuTensor {
    /// Uploads `data` (row-major) as a tensor of `shape`.
    ///
    /// Fails if `data.len()` is not the product of `shape`, or if the tensor
    /// does not fit the device's `max_buffer_size`.
    pub fn from_slice(ctx: &GpuContext, shape: &[usize], data: &[f32]) -> Result<Self> {
        let len = element_count(shape)?;
        if len != data.len() {
            return Err(Error::Shape(format!(
                "shape {shape:?} holds {len} elements but {} values were given",
                data.len()
            )));
        }
        let tensor = Self::uninit(ctx, shape)?;
        if len > 0 {
            ctx.scoped("uploading a tensor", || {
                ctx.queue()
                    .write_buffer(&tensor.buffer, 0, bytemuck::cast_slice(data));
            })?;
        }
        Ok(tensor)
    }

    /// Uploads a boolean mask (for [`crate::Softmax::forward_masked`]) as 1.0 / 0.0.
    pub fn from_mask(ctx: &GpuContext, shape: &[usize], keep: &[bool]) -> Result<Self> {
        let values: Vec<f32> = keep.iter().map(|&k| if k { 1.0 } else { 0.0 }).collect();
        Self::from_slice(ctx, shape, &values)
    }

    /// An uninitialised tensor of `shape`, for a layer's output.
    pub(crate) fn uninit(ctx: &GpuContext, shape: &[usize]) -> Result<Self> {
        let len = element_count(shape)?;
        check_size(ctx, len)?;
        let buffer = ctx.scoped("allocating a tensor", || {
            ctx.device().create_buffer(&wgpu::BufferDescriptor {
                label: Some("wgpu-activations.tensor"),
                size: padded_byte_size(len),
                usage: TENSOR_USAGE,
                mapped_at_creation: false,
            })
        })?;
        Ok(Self::from_parts(ctx, buffer, shape, len))
    }

    fn from_parts(ctx: &GpuContext, buffer: wgpu::Buffer, shape: &[usize], len: usize) -> Self {
        Self {
            buffer: Arc::new(buffer),
            context: ctx.id(),
            shape: shape.to_vec(),
            len,
        }
    }

    /// The tensor's shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Number of elements (the product of the shape).
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when a dimension is zero.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The storage buffer, for use with other wgpu code. It holds `len()`
    /// f32 values, row-major, then padding up to a multiple of 16 bytes (an
    /// empty tensor still has a 16-byte buffer).
    pub fn buffer(&self) -> &wgpu::Buffer {
        &self.buffer
    }

    /// Fails unless the tensor was made by `ctx`.
    pub(crate) fn check_context(&self, ctx: &GpuContext) -> Result<()> {
        ctx.check_id(self.context)
    }

    /// Fails unless `other` has this tensor's shape and is a different buffer.
    pub(crate) fn check_output(&self, output: &GpuTensor) -> Result<()> {
        if output.shape != self.shape {
            return Err(Error::Shape(format!(
                "the output has shape {:?} but the input has shape {:?}",
                output.shape, self.shape
            )));
        }
        if Arc::ptr_eq(&self.buffer, &output.buffer) {
            return Err(Error::Shape(
                "the output is the input; use forward_in_place to overwrite a tensor".into(),
            ));
        }
        Ok(())
    }

    /// Size of the data in bytes.
    pub fn byte_len(&self) -> u64 {
        byte_size(self.len)
    }

    /// Reads the tensor back to the host.
    ///
    /// In a browser this is also where errors of earlier calls on `ctx`
    /// surface (see [`GpuContext::check_errors`]).
    pub async fn to_vec(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        ctx.check_id(self.context)?;
        // Work the GPU rejected leaves garbage behind: report it instead.
        ctx.check_errors().await?;
        if self.len == 0 {
            return Ok(Vec::new());
        }
        let size = self.byte_len();
        let staging = ctx.scoped("reading a tensor back", || {
            ctx.device().create_buffer(&wgpu::BufferDescriptor {
                label: Some("wgpu-activations.readback"),
                size,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        })?;
        ctx.submit_with("reading a tensor back", |encoder| {
            encoder.copy_buffer_to_buffer(&self.buffer, 0, &staging, 0, size);
            Ok(())
        })?;
        let (sender, receiver) = futures_channel::oneshot::channel();
        staging
            .slice(..)
            .map_async(wgpu::MapMode::Read, move |result| {
                // The receiver only goes away if the caller stopped waiting.
                let _ = sender.send(result);
            });
        #[cfg(not(target_arch = "wasm32"))]
        {
            let timeout = ctx.readback_timeout();
            ctx.device()
                .poll(wgpu::PollType::Wait {
                    submission_index: None,
                    timeout,
                })
                .map_err(|e| match e {
                    wgpu::PollError::Timeout => Error::Readback(format!(
                        "the GPU did not finish within the readback timeout of {timeout:?}"
                    )),
                    other => ctx
                        .check_device()
                        .err()
                        .unwrap_or(Error::Readback(other.to_string())),
                })?;
        }
        let mapped = receiver
            .await
            .map_err(|_| Error::Readback("the map callback was dropped".into()))?;
        // A rejected copy explains a failed map better than the map does.
        ctx.check_errors().await?;
        mapped.map_err(|e| {
            ctx.check_device()
                .err()
                .unwrap_or(Error::Readback(e.to_string()))
        })?;
        let values = {
            let view = staging
                .slice(..)
                .get_mapped_range()
                .map_err(|e| Error::Readback(e.to_string()))?;
            bytemuck::cast_slice::<u8, f32>(&view).to_vec()
        };
        staging.unmap();
        Ok(values)
    }

    /// [`GpuTensor::to_vec`], blocking the current thread (native only).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn to_vec_blocking(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        pollster::block_on(self.to_vec(ctx))
    }
}

const TENSOR_USAGE: wgpu::BufferUsages = wgpu::BufferUsages::STORAGE
    .union(wgpu::BufferUsages::COPY_SRC)
    .union(wgpu::BufferUsages::COPY_DST);

fn byte_size(len: usize) -> u64 {
    len as u64 * size_of::<f32>() as u64
}

/// Buffers hold a whole number of vec4s (at least one: wgpu cannot bind an
/// empty buffer), so the elementwise kernels need no scalar tail. The padding
/// is zeroed by wgpu and never read back.
pub(crate) fn padded_byte_size(len: usize) -> u64 {
    byte_size(len.div_ceil(4).max(1) * 4)
}

/// The tensor must fit one buffer, and its indices 32 bits (the kernels' index type).
fn check_size(ctx: &GpuContext, len: usize) -> Result<()> {
    let size = padded_byte_size(len);
    let limit = ctx.limits().max_buffer_size;
    if size > limit {
        return Err(Error::TooLarge {
            what: format!("a tensor of {len} f32 elements"),
            size,
            limit_name: "max_buffer_size",
            limit,
        });
    }
    if u32::try_from(len).is_err() {
        return Err(Error::TooLarge {
            what: format!("a tensor of {len} f32 elements (kernels index with u32)"),
            size,
            limit_name: "u32::MAX elements",
            limit: byte_size(u32::MAX as usize),
        });
    }
    Ok(())
}
