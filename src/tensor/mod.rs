//! [`GpuTensor`]: an f32 or f16 tensor resident in a GPU storage buffer.

use std::sync::Arc;

use half::f16;

use crate::context::GpuContext;
use crate::context::OwnedBuffer;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::shape::{check_len, element_count};

mod readback;
mod views;

/// A row-major tensor of f32 (the default) or f16 ([`DType`]) in a GPU
/// storage buffer.
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
    buffer: Arc<OwnedBuffer>,
    /// Where the tensor starts in the buffer, in bytes (a multiple of the
    /// device's `min_storage_buffer_offset_alignment`).
    offset: u64,
    // The id of the context that made it: using it with another context is
    // an error, not a wgpu panic.
    context: u64,
    shape: Vec<usize>,
    len: usize,
    dtype: DType,
}

impl GpuTensor {
    /// Uploads `data` (row-major) as a tensor of `shape`.
    ///
    /// Fails if `data.len()` is not the product of `shape`, or if the tensor
    /// does not fit the device's `max_buffer_size`.
    pub fn from_slice(ctx: &GpuContext, shape: &[usize], data: &[f32]) -> Result<Self> {
        check_len(shape, data)?;
        let tensor = Self::uninit(ctx, shape, DType::F32)?;
        tensor.upload(ctx, bytemuck::cast_slice(data))?;
        Ok(tensor)
    }

    /// Uploads f32 `data` as a tensor of `dtype`, rounding to nearest for f16
    /// (values past f16's ±65504 become ±inf). f16 needs the device feature
    /// `SHADER_F16` ([`GpuContext::supports_f16`]); without it this is an
    /// error naming the feature.
    ///
    /// ```
    /// # fn main() -> wgpu_activations::Result<()> {
    /// use wgpu_activations::{DType, GpuContext, GpuTensor, ReLU};
    /// let ctx = GpuContext::new_blocking()?;
    /// if ctx.supports_f16() {
    ///     let x = GpuTensor::from_slice_as(&ctx, &[3], &[-1.0, 0.1, 7e4], DType::F16)?;
    ///     let y = ReLU::default().forward(&ctx, &x)?;
    ///     assert_eq!(y.dtype(), DType::F16);
    ///     assert_eq!(y.to_vec_blocking(&ctx)?, vec![0.0, 0.099975586, f32::INFINITY]);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn from_slice_as(
        ctx: &GpuContext,
        shape: &[usize],
        data: &[f32],
        dtype: DType,
    ) -> Result<Self> {
        match dtype {
            DType::F32 => Self::from_slice(ctx, shape, data),
            DType::F16 => {
                let halves: Vec<f16> = data.iter().map(|&v| f16::from_f32(v)).collect();
                Self::from_f16(ctx, shape, &halves)
            }
        }
    }

    /// Uploads f16 `data` as is (needs `SHADER_F16`).
    pub fn from_f16(ctx: &GpuContext, shape: &[usize], data: &[f16]) -> Result<Self> {
        check_len(shape, data)?;
        let tensor = Self::uninit(ctx, shape, DType::F16)?;
        tensor.upload(ctx, bytemuck::cast_slice(data))?;
        Ok(tensor)
    }

    /// Writes `bytes` at the start of the buffer; queue writes must be whole
    /// 4-byte words, so an odd number of f16s is padded with a zero.
    fn upload(&self, ctx: &GpuContext, bytes: &[u8]) -> Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        let mut padded = Vec::new();
        let bytes = if bytes.len().is_multiple_of(4) {
            bytes
        } else {
            padded.extend_from_slice(bytes);
            padded.resize(bytes.len().next_multiple_of(4), 0);
            &padded
        };
        ctx.scoped("uploading a tensor", || {
            ctx.gl_call(|| ctx.queue().write_buffer(&self.buffer, self.offset, bytes));
        })
    }

    /// Uploads a boolean mask (for [`crate::Softmax::forward_masked`]) as 1.0 / 0.0.
    pub fn from_mask(ctx: &GpuContext, shape: &[usize], keep: &[bool]) -> Result<Self> {
        let values: Vec<f32> = keep.iter().map(|&k| if k { 1.0 } else { 0.0 }).collect();
        Self::from_slice(ctx, shape, &values)
    }

    /// An uninitialised tensor of `x`'s shape and type.
    pub(crate) fn uninit_like(ctx: &GpuContext, x: &GpuTensor) -> Result<Self> {
        Self::uninit(ctx, &x.shape, x.dtype)
    }

    /// A tensor of `shape` and `dtype` filled with zeros; f16 needs
    /// `SHADER_F16`.
    ///
    /// ```
    /// # fn main() -> wgpu_activations::Result<()> {
    /// use wgpu_activations::{DType, GpuContext, GpuTensor};
    /// let ctx = GpuContext::new_blocking()?;
    /// let z = GpuTensor::zeros(&ctx, &[2, 2], DType::F32)?;
    /// assert_eq!(z.to_vec_blocking(&ctx)?, [0.0; 4]);
    /// let h = GpuTensor::full(&ctx, &[3], -1.5, DType::F32)?;
    /// assert_eq!(h.to_vec_blocking(&ctx)?, [-1.5; 3]);
    /// # Ok(()) }
    /// ```
    pub fn zeros(ctx: &GpuContext, shape: &[usize], dtype: DType) -> Result<Self> {
        // A new buffer, not a reused one: wgpu zero-fills it before its
        // first use.
        Self::allocate(ctx, shape, dtype, false)
    }

    /// A tensor of `shape` and `dtype` holding `value` everywhere (rounded
    /// to nearest for f16).
    pub fn full(ctx: &GpuContext, shape: &[usize], value: f32, dtype: DType) -> Result<Self> {
        let len = element_count(shape)?;
        check_size(ctx, len, dtype)?;
        Self::from_slice_as(ctx, shape, &vec![value; len], dtype)
    }

    /// A tensor of `shape` and `dtype` whose contents are unspecified, for
    /// an output a layer will overwrite ([`crate::Layer::forward_into`]):
    /// a dropped tensor's buffer of the same size where the context keeps
    /// one ([`GpuContext::pooled_bytes`]), else a new one. f16 only where
    /// the device has `SHADER_F16`.
    pub fn uninit(ctx: &GpuContext, shape: &[usize], dtype: DType) -> Result<Self> {
        Self::allocate(ctx, shape, dtype, true)
    }

    /// A tensor's buffer: reused from the context's pool where `reuse` and
    /// one of the size is kept, else new (zero-filled by wgpu).
    fn allocate(ctx: &GpuContext, shape: &[usize], dtype: DType, reuse: bool) -> Result<Self> {
        let missing = dtype.required_features() - ctx.features();
        if !missing.is_empty() {
            return Err(Error::MissingFeature {
                what: format!("{dtype} tensors"),
                feature: format!("{missing:?}"),
            });
        }
        let len = element_count(shape)?;
        check_size(ctx, len, dtype)?;
        let size = padded_byte_size(len, dtype);
        let reused = reuse.then(|| ctx.tensor_pool().take(size)).flatten();
        let buffer = match reused {
            Some(buffer) => buffer,
            None => ctx.scoped("allocating a tensor", || {
                ctx.gl_call(|| {
                    ctx.device().create_buffer(&wgpu::BufferDescriptor {
                        label: Some("wgpu-activations.tensor"),
                        size,
                        usage: TENSOR_USAGE,
                        mapped_at_creation: false,
                    })
                })
            })?,
        };
        Ok(Self {
            buffer: Arc::new(ctx.own_pooled(buffer)),
            offset: 0,
            context: ctx.id(),
            shape: shape.to_vec(),
            len,
            dtype,
        })
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        self.dtype
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
    /// values of the tensor's [`dtype`](Self::dtype), row-major (f32, or f16
    /// packed two to a 4-byte word), then padding up to a multiple of 4
    /// elements: 16 bytes for f32, 8 for f16 (an empty tensor still has room
    /// for 4).
    ///
    /// When the last handle to a tensor drops, the crate destroys its
    /// buffer at once (in a browser, wgpu would otherwise leave the memory
    /// to JavaScript's garbage collector) unless the buffer may still be
    /// used: once handed out here or bound in your own encoder (through
    /// [`crate::Layer::encode`]), it is only dropped, and wgpu frees it
    /// when your clones and commands are gone.
    pub fn buffer(&self) -> &wgpu::Buffer {
        self.buffer.bound()
    }

    /// Fails unless the tensor was made by `ctx`.
    pub(crate) fn check_context(&self, ctx: &GpuContext) -> Result<()> {
        ctx.check_id(self.context)
    }

    /// Fails unless `other` has this tensor's shape and type and is a different buffer.
    pub(crate) fn check_output(&self, output: &GpuTensor) -> Result<()> {
        self.check_output_shape(output, &self.shape)
    }

    /// Fails unless `output` has `shape` and this tensor's type and is a
    /// different buffer (a layer that changes the shape: `glu`).
    pub(crate) fn check_output_shape(&self, output: &GpuTensor, shape: &[usize]) -> Result<()> {
        if shape == self.shape.as_slice() {
            self.check_same_shape("the output", output)?;
        } else if output.shape != shape {
            return Err(Error::Shape(format!(
                "the output has shape {:?} but the result has shape {shape:?} (the input's is {:?})",
                output.shape, self.shape
            )));
        } else {
            self.check_dtype("the output", output)?;
        }
        if self.same_view(output) {
            return Err(Error::SameTensor(
                "the output is the input; use forward_in_place to overwrite a tensor".into(),
            ));
        }
        if self.shares_buffer(output) {
            return Err(Error::SameTensor(
                "the output lies in the input's buffer (views or a host's buffer wrapped twice): \
                 a kernel cannot read and write one buffer in a dispatch; give the output a \
                 buffer of its own, or use forward_in_place"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Fails unless `other` (called `what` in the message) has this
    /// tensor's shape and element type.
    pub(crate) fn check_same_shape(&self, what: &str, other: &GpuTensor) -> Result<()> {
        if other.shape != self.shape {
            return Err(Error::Shape(format!(
                "{what} has shape {:?} but the input has shape {:?}",
                other.shape, self.shape
            )));
        }
        self.check_dtype(what, other)
    }

    /// Fails unless `other` (called `what` in the message) holds this
    /// tensor's element type.
    pub(crate) fn check_dtype(&self, what: &str, other: &GpuTensor) -> Result<()> {
        if other.dtype != self.dtype {
            return Err(Error::DType(format!(
                "{what} holds {} but the input holds {}",
                other.dtype, self.dtype
            )));
        }
        Ok(())
    }

    /// Whether both tensors live in the same buffer (one cannot be bound
    /// for reading and writing in one dispatch, whatever the ranges).
    pub(crate) fn shares_buffer(&self, other: &GpuTensor) -> bool {
        // wgpu compares buffers by id, and ids repeat across instances: only
        // tensors of one context (one device) are compared so.
        Arc::ptr_eq(&self.buffer, &other.buffer)
            || (self.context == other.context && **self.buffer == **other.buffer)
    }

    /// Whether both tensors are the same range of the same buffer.
    pub(crate) fn same_view(&self, other: &GpuTensor) -> bool {
        self.shares_buffer(other) && self.offset == other.offset && self.len == other.len
    }

    /// Bytes a kernel binds: the elements rounded up to whole vec4s (the
    /// elementwise kernels read and write groups of 4), at least one.
    pub(crate) fn binding_size(&self) -> u64 {
        padded_byte_size(self.len, self.dtype)
    }

    /// The tensor's range of its buffer, as a storage binding.
    pub(crate) fn binding(&self) -> wgpu::BindingResource<'_> {
        wgpu::BindingResource::Buffer(wgpu::BufferBinding {
            buffer: self.buffer(),
            offset: self.offset,
            size: wgpu::BufferSize::new(self.binding_size()),
        })
    }

    /// Records a copy of `from`'s elements into `to` (same length and
    /// type), whole 4-byte words.
    pub(crate) fn record_copy(
        encoder: &mut wgpu::CommandEncoder,
        from: &GpuTensor,
        to: &GpuTensor,
    ) {
        let size = from.byte_len().min(to.byte_len()).next_multiple_of(4);
        if size > 0 {
            encoder.copy_buffer_to_buffer(from.buffer(), from.offset, to.buffer(), to.offset, size);
        }
    }

    /// Where the tensor starts in [`GpuTensor::buffer`], in bytes.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// Size of the data in bytes.
    pub fn byte_len(&self) -> u64 {
        byte_size(self.len, self.dtype)
    }
}

const TENSOR_USAGE: wgpu::BufferUsages = wgpu::BufferUsages::STORAGE
    .union(wgpu::BufferUsages::COPY_SRC)
    .union(wgpu::BufferUsages::COPY_DST);

fn byte_size(len: usize, dtype: DType) -> u64 {
    len as u64 * dtype.size()
}

/// Buffers hold a whole number of vec4s (at least one: wgpu cannot bind an
/// empty buffer), so the elementwise kernels need no scalar tail. The padding
/// holds whatever the elementwise kernels leave there and is never read as
/// values.
pub(crate) fn padded_byte_size(len: usize, dtype: DType) -> u64 {
    byte_size(len.div_ceil(4).max(1) * 4, dtype)
}

/// The tensor must fit one buffer, and its indices 32 bits (the kernels' index type).
pub(crate) fn check_size(ctx: &GpuContext, len: usize, dtype: DType) -> Result<()> {
    let size = padded_byte_size(len, dtype);
    let limit = ctx.limits().max_buffer_size;
    if size > limit {
        return Err(Error::TooLarge {
            what: format!("a tensor of {len} {dtype} elements"),
            size,
            limit_name: "max_buffer_size",
            limit,
        });
    }
    if u32::try_from(len).is_err() {
        return Err(Error::TooLarge {
            what: format!("a tensor of {len} {dtype} elements (kernels index with u32)"),
            size,
            limit_name: "u32::MAX elements",
            limit: byte_size(u32::MAX as usize, dtype),
        });
    }
    Ok(())
}
