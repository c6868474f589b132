//! Reading a tensor back to the host: into a new `Vec` or the caller's
//! slice, as f32 or f16.
//!
//! One readback is one submission (a copy into a pooled staging buffer),
//! waited for by its own submission index only, so the host's other work
//! on a shared device is never waited for. On native, the async readers
//! wait on a helper thread, so an async executor's thread goes on with
//! other tasks meanwhile; the `_blocking` ones wait on the calling thread.
//! In a browser the page's event loop drives the map, so nothing blocks.

use half::f16;

use crate::context::GpuContext;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::GpuTensor;

/// Where a native readback waits for its copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wait {
    /// On the calling thread (the `_blocking` readers).
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    Here,
    /// On a helper thread, so an async caller's executor is not blocked.
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    Helper,
}

impl GpuTensor {
    /// Reads the tensor back to the host as f32 (f16 values widen exactly).
    ///
    /// In a browser this is also where errors of earlier calls on `ctx`
    /// surface (see [`GpuContext::check_errors`]). On native the wait for
    /// the GPU runs on a helper thread, so awaiting this does not block an
    /// async executor's thread.
    pub async fn to_vec(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        let mut out = vec![0.0; self.len()];
        self.read(ctx, Wait::Helper, |bytes| {
            decode_f32(self.dtype(), bytes, &mut out)
        })
        .await?;
        Ok(out)
    }

    /// Reads the tensor back into `out`, which must hold exactly
    /// [`GpuTensor::len`] values, as f32 (f16 values widen exactly): no
    /// allocation beyond the pooled staging buffer, for loops that read
    /// back every step.
    ///
    /// ```
    /// # fn main() -> wgpu_activations::Result<()> {
    /// use wgpu_activations::{GpuContext, GpuTensor, ReLU};
    /// let ctx = GpuContext::new_blocking()?;
    /// let x = GpuTensor::from_slice(&ctx, &[3], &[-1.0, 0.5, 2.0])?;
    /// let mut host = [0.0f32; 3];
    /// for _ in 0..3 {
    ///     let y = ReLU::default().forward(&ctx, &x)?;
    ///     y.read_into_blocking(&ctx, &mut host)?;
    ///     assert_eq!(host, [0.0, 0.5, 2.0]);
    /// }
    /// assert!(x.read_into_blocking(&ctx, &mut [0.0; 2]).is_err()); // wrong length
    /// # Ok(()) }
    /// ```
    pub async fn read_into(&self, ctx: &GpuContext, out: &mut [f32]) -> Result<()> {
        self.check_host_len(out.len())?;
        self.read(ctx, Wait::Helper, |bytes| {
            decode_f32(self.dtype(), bytes, out)
        })
        .await
    }

    /// Reads the tensor back as f16: as stored for f16 tensors, rounded to
    /// nearest for f32 ones.
    pub async fn to_f16_vec(&self, ctx: &GpuContext) -> Result<Vec<f16>> {
        let mut out = vec![f16::ZERO; self.len()];
        self.read(ctx, Wait::Helper, |bytes| {
            decode_f16(self.dtype(), bytes, &mut out)
        })
        .await?;
        Ok(out)
    }

    /// [`GpuTensor::to_vec`], blocking the current thread (native only).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn to_vec_blocking(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        let mut out = vec![0.0; self.len()];
        pollster::block_on(self.read(ctx, Wait::Here, |bytes| {
            decode_f32(self.dtype(), bytes, &mut out)
        }))?;
        Ok(out)
    }

    /// [`GpuTensor::read_into`], blocking the current thread (native only).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn read_into_blocking(&self, ctx: &GpuContext, out: &mut [f32]) -> Result<()> {
        self.check_host_len(out.len())?;
        pollster::block_on(self.read(ctx, Wait::Here, |bytes| {
            decode_f32(self.dtype(), bytes, out)
        }))
    }

    /// [`GpuTensor::to_f16_vec`], blocking the current thread (native only).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn to_f16_vec_blocking(&self, ctx: &GpuContext) -> Result<Vec<f16>> {
        let mut out = vec![f16::ZERO; self.len()];
        pollster::block_on(self.read(ctx, Wait::Here, |bytes| {
            decode_f16(self.dtype(), bytes, &mut out)
        }))?;
        Ok(out)
    }

    fn check_host_len(&self, len: usize) -> Result<()> {
        if len != self.len() {
            return Err(Error::Shape(format!(
                "the host slice holds {len} values but the tensor of shape {:?} holds {}",
                self.shape(),
                self.len()
            )));
        }
        Ok(())
    }

    /// Copies the tensor into a staging buffer, maps it and hands its bytes
    /// (whole 4-byte words: copies and maps need them) to `consume`.
    async fn read(&self, ctx: &GpuContext, wait: Wait, consume: impl FnOnce(&[u8])) -> Result<()> {
        self.check_context(ctx)?;
        // Work the GPU rejected leaves garbage behind: report it instead.
        ctx.check_errors().await?;
        if self.is_empty() {
            return Ok(());
        }
        // The field, not `buffer()`, which would mark the buffer handed out.
        if !self.buffer.usage().contains(wgpu::BufferUsages::COPY_SRC) {
            return Err(Error::InvalidArgument {
                argument: "buffer",
                message: "reading a tensor back copies its buffer, which needs \
                          wgpu::BufferUsages::COPY_SRC; this one was made without it"
                    .into(),
            });
        }
        let size = self.byte_len().next_multiple_of(4);
        let staging = ctx.staging().take(size, |class| {
            ctx.scoped("reading a tensor back", || {
                ctx.gl_call(|| {
                    ctx.device().create_buffer(&wgpu::BufferDescriptor {
                        label: Some("wgpu-activations.readback"),
                        size: class,
                        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                        mapped_at_creation: false,
                    })
                })
            })
        })?;
        let copied = ctx.submit_with_index("reading a tensor back", |encoder| {
            encoder.copy_buffer_to_buffer(self.buffer(), self.offset(), &staging, 0, size);
            Ok(())
        })?;
        let (sender, receiver) = futures_channel::oneshot::channel();
        staging
            .slice(..size)
            .map_async(wgpu::MapMode::Read, move |result| {
                // The receiver only goes away if the caller stopped waiting.
                let _ = sender.send(result);
            });
        #[cfg(not(target_arch = "wasm32"))]
        match wait {
            Wait::Here => ctx.wait_for(copied)?,
            Wait::Helper => wait_on_helper(ctx, copied).await?,
        }
        #[cfg(target_arch = "wasm32")]
        let _ = (copied, wait);
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
        ctx.gl_call(|| {
            let read = staging
                .slice(..size)
                .get_mapped_range()
                .map(|view| consume(&view))
                .map_err(|e| Error::Readback(e.to_string()));
            staging.unmap();
            // Kept for the next readback, or destroyed now (not when a
            // browser's garbage collector gets to it).
            ctx.staging().give(staging);
            read
        })
    }
}

/// Waits for submission `index` on a helper thread; falls back to waiting
/// here where no thread can be spawned.
#[cfg(not(target_arch = "wasm32"))]
async fn wait_on_helper(ctx: &GpuContext, index: wgpu::SubmissionIndex) -> Result<()> {
    let waiter = ctx.waiter();
    let (sender, receiver) = futures_channel::oneshot::channel();
    let helper = {
        let index = index.clone();
        std::thread::Builder::new()
            .name("wgpu-activations readback".into())
            .spawn(move || {
                let _ = sender.send(waiter.wait(index));
            })
    };
    match helper {
        Ok(_) => receiver
            .await
            .map_err(|_| Error::Readback("the readback's waiting thread stopped".into()))?,
        Err(_) => ctx.wait_for(index),
    }
}

/// `bytes` (little-endian, `dtype`) widened into `out`.
fn decode_f32(dtype: DType, bytes: &[u8], out: &mut [f32]) {
    match dtype {
        DType::F32 => {
            for (v, b) in out.iter_mut().zip(bytes.chunks_exact(4)) {
                *v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            }
        }
        DType::F16 => {
            for (v, b) in out.iter_mut().zip(bytes.chunks_exact(2)) {
                *v = f16::from_le_bytes([b[0], b[1]]).to_f32();
            }
        }
    }
}

/// `bytes` (little-endian, `dtype`) as f16 into `out`, f32 rounded to nearest.
fn decode_f16(dtype: DType, bytes: &[u8], out: &mut [f16]) {
    match dtype {
        DType::F16 => {
            for (v, b) in out.iter_mut().zip(bytes.chunks_exact(2)) {
                *v = f16::from_le_bytes([b[0], b[1]]);
            }
        }
        DType::F32 => {
            for (v, b) in out.iter_mut().zip(bytes.chunks_exact(4)) {
                *v = f16::from_f32(f32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            }
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use crate::{GpuContext, GpuTensor};

    /// Once warm, readbacks allocate no staging buffer: one per size class
    /// serves them all.
    #[test]
    fn warm_readbacks_reuse_their_staging_buffer() {
        let ctx = GpuContext::new_blocking().unwrap();
        let x = GpuTensor::from_slice(&ctx, &[5], &[1.0, -2.0, 3.0, -4.0, 5.0]).unwrap();
        let y = GpuTensor::from_slice(&ctx, &[7], &[0.5; 7]).unwrap();
        let mut host = [0.0; 5];
        for _ in 0..10 {
            assert_eq!(
                x.to_vec_blocking(&ctx).unwrap(),
                [1.0, -2.0, 3.0, -4.0, 5.0]
            );
            x.read_into_blocking(&ctx, &mut host).unwrap();
            assert_eq!(host, [1.0, -2.0, 3.0, -4.0, 5.0]);
            assert_eq!(pollster::block_on(y.to_vec(&ctx)).unwrap(), [0.5; 7]);
        }
        assert_eq!(ctx.staging().created(), 1, "one 4 KiB class for all");
    }

    /// `to_vec().await` leaves its thread free while the GPU works: polled
    /// once behind a long forward, it is pending (a blocking wait would
    /// only return once done); its helper thread wakes it with the values.
    #[test]
    fn an_async_readback_does_not_block_its_thread() {
        use std::future::Future;
        use std::task::{Context, Waker};
        let ctx = GpuContext::new_blocking().unwrap();
        let n = 1 << 22;
        let x = GpuTensor::from_slice(&ctx, &[n], &vec![-1.5; n]).unwrap();
        let chain = crate::Sequential::new()
            .with(crate::ELU::new(1.0).unwrap())
            .with(crate::ELU::new(1.0).unwrap())
            .with(crate::ReLU::default());
        let y = chain.forward(&ctx, &x).unwrap();
        let mut read = std::pin::pin!(y.to_vec(&ctx));
        let first = read.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        // GL runs the work inside `submit`, so there the copy may be done,
        // and the helper's answer in, before the first poll looks.
        let on_gl = ctx.adapter_info().backend == wgpu::Backend::Gl;
        assert!(
            first.is_pending() || on_gl,
            "the first poll waited for the GPU"
        );
        let values = pollster::block_on(read).unwrap();
        assert_eq!((values.len(), values[0], values[n - 1]), (n, 0.0, 0.0));
    }
}
