//! Waiting for one of the crate's submissions on native: for that
//! submission only (never the device's latest, which may be the host's
//! work), in slices, up to the readback timeout.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::gl::gl_calls_guard;
use crate::error::{Error, Result};

/// The longest single wait on the device: on GL a wait holds wgpu-hal's
/// context lock, which must never be held long
/// (`GpuContext::split_gl_submission` says why).
const WAIT_SLICE: Duration = Duration::from_millis(100);

/// What a wait needs, owned: a helper thread can wait while an async
/// caller's executor goes on (`GpuTensor::to_vec`).
#[derive(Clone, Debug)]
pub(crate) struct Waiter {
    pub(crate) device: wgpu::Device,
    pub(crate) on_gl: bool,
    /// `GpuContext::readback_timeout` when the wait began.
    pub(crate) timeout: Option<Duration>,
    /// The context's record of a device loss.
    pub(crate) lost: Arc<Mutex<Option<String>>>,
    /// Held around each of the context's polls ([`poll`]).
    pub(crate) polls: Arc<Mutex<()>>,
}

/// `device.poll(poll_type)` under `polls`: wgpu-core 30 reads the fence
/// before it takes the queue's lock, so a poll racing another that drains
/// the queue in between finds the queue empty below its own wait index and
/// panics ("If the queue is empty, the current submission index (2622)
/// should be at least the wait submission index (2624)", seen in CI with
/// the test threads sharing one context). The crate's polls of one context
/// take turns; a host polling the same device from its own threads can
/// still meet that race inside wgpu.
pub(crate) fn poll(
    device: &wgpu::Device,
    polls: &Mutex<()>,
    on_gl: bool,
    poll_type: wgpu::PollType,
) -> Result<wgpu::PollStatus, wgpu::PollError> {
    let _turn = polls
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let _guard = gl_calls_guard(on_gl);
    device.poll(poll_type)
}

impl Waiter {
    /// Blocks until submission `index` has finished, or fails with
    /// `Error::Readback` past the timeout (`Error::DeviceLost` where the
    /// device was lost).
    pub(crate) fn wait(&self, index: wgpu::SubmissionIndex) -> Result<()> {
        let start = Instant::now();
        loop {
            let left = self.timeout.map(|t| t.saturating_sub(start.elapsed()));
            let slice = left.map_or(WAIT_SLICE, |left| left.min(WAIT_SLICE));
            let waited = poll(
                &self.device,
                &self.polls,
                self.on_gl,
                wgpu::PollType::Wait {
                    submission_index: Some(index.clone()),
                    timeout: Some(slice),
                },
            );
            match waited {
                Ok(_) => return Ok(()),
                Err(wgpu::PollError::Timeout) if left.is_none_or(|left| left > slice) => {}
                Err(wgpu::PollError::Timeout) => {
                    return Err(Error::Readback(format!(
                        "the GPU did not finish within the readback timeout of {:?}",
                        self.timeout
                    )))
                }
                Err(other) => {
                    // A wait for one submission returns before wgpu runs the
                    // device-lost callback; a plain poll runs it, so a lost
                    // device is reported as such.
                    let _ = poll(&self.device, &self.polls, self.on_gl, wgpu::PollType::Poll);
                    return Err(super::check_lost(&self.lost)
                        .err()
                        .unwrap_or(Error::Readback(other.to_string())));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    use crate::{DType, GpuContext, GpuTensor, Layer, Sequential, ELU};

    /// A wait is for the crate's own submission only: a host's long job
    /// submitted after it is still running when the wait returns (its
    /// completion callback has not run). On GL the work runs inside
    /// `submit`, so the host's job is done before anyone waits: only the
    /// values are checked there.
    #[test]
    fn a_wait_does_not_wait_for_the_hosts_later_work() {
        let ctx = GpuContext::new_blocking().unwrap();
        let x = GpuTensor::from_slice(&ctx, &[4], &[1.0, 2.0, 3.0, 4.0]).unwrap();
        let y = GpuTensor::zeros(&ctx, &[4], DType::F32).unwrap();
        let ours = ctx
            .submit_with_index("ours", |encoder| {
                GpuTensor::record_copy(encoder, &x, &y);
                Ok(())
            })
            .unwrap();
        // The host's long job, after ours in the queue: 8 ELUs over 4M.
        let n = 1 << 22;
        let big = GpuTensor::zeros(&ctx, &[n], DType::F32).unwrap();
        let chain = (0..8).fold(Sequential::new(), |c, _| c.with(ELU::new(1.0).unwrap()));
        let mut encoder = ctx.device().create_command_encoder(&Default::default());
        chain.encode_in_place(&ctx, &mut encoder, &big).unwrap();
        ctx.queue().submit([encoder.finish()]);
        let host_done = Arc::new(AtomicBool::new(false));
        let done = Arc::clone(&host_done);
        ctx.queue()
            .on_submitted_work_done(move || done.store(true, Ordering::SeqCst));
        ctx.wait_for(ours).unwrap();
        if !ctx.on_gl() {
            assert!(
                !host_done.load(Ordering::SeqCst),
                "the wait for our copy waited for the host's later job too"
            );
        }
        assert_eq!(y.to_vec_blocking(&ctx).unwrap(), [1.0, 2.0, 3.0, 4.0]);
    }
}
