//! wgpu's GL backend and its one context lock: this crate's own
//! process-wide lock around every call into wgpu on GL, and the cutting of
//! long chains into several submissions there.

use std::cell::Cell;
use std::sync::atomic::Ordering;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::context::GpuContext;

/// Elements a chain records into one GL submission before the next piece
/// ([`GpuContext::split_gl_submission`]): a 4096 × 4096 layer, about 0.1 s on
/// llvmpipe when the machine is idle and well under wgpu-hal's 6 s lock
/// timeout when it is loaded.
const GL_PIECE_ELEMENTS: u64 = 1 << 24;

/// Held around each of this crate's calls into wgpu on GL
/// ([`GpuContext::gl_call`]), process-wide because wgpu-hal's context lock
/// is per adapter and a process has one GL adapter. A thread of this crate
/// then waits here, without a deadline, for another's long submission,
/// rather than on wgpu-hal's lock, which panics after 6 s.
static GL_CALLS: Mutex<()> = Mutex::new(());

thread_local! {
    /// Whether this thread holds [`GL_CALLS`]: a nested call (an error
    /// path polling inside a compile, say) goes on instead of deadlocking.
    static HELD: Cell<bool> = const { Cell::new(false) };
}

/// [`GL_CALLS`] while it lives (where it was taken, not nested).
pub(crate) struct GlGuard(Option<MutexGuard<'static, ()>>);

impl Drop for GlGuard {
    fn drop(&mut self) {
        if self.0.is_some() {
            HELD.set(false);
        }
    }
}

/// [`GL_CALLS`], held while the returned guard lives, where `on_gl` and
/// this thread does not hold it already.
pub(crate) fn gl_calls_guard(on_gl: bool) -> GlGuard {
    if !on_gl || HELD.get() {
        return GlGuard(None);
    }
    // The lock guards no data; a panic while it was held breaks nothing.
    let guard = GL_CALLS.lock().unwrap_or_else(PoisonError::into_inner);
    HELD.set(true);
    GlGuard(Some(guard))
}

impl GpuContext {
    /// Whether this context runs on wgpu's GL backend.
    pub(crate) fn on_gl(&self) -> bool {
        self.adapter_info.backend == wgpu::Backend::Gl
    }

    /// Runs `call`, a call into wgpu that takes wgpu-hal's GL context lock
    /// (creating, writing, mapping or freeing a buffer, compiling, submitting,
    /// polling), under this crate's [`GL_CALLS`] lock on GL; directly
    /// elsewhere. A nested call runs under the lock its caller holds.
    pub(crate) fn gl_call<T>(&self, call: impl FnOnce() -> T) -> T {
        let _guard = gl_calls_guard(self.on_gl());
        call()
    }

    /// Cuts a long chain's submission into pieces on GL: once `work`, the
    /// elements recorded into `encoder` since its last piece, reaches
    /// [`GL_PIECE_ELEMENTS`], submits what `encoder` holds and leaves a fresh
    /// encoder in its place (the work stays in order).
    ///
    /// wgpu-hal's GL backend runs every call under one context lock and
    /// panics when a thread waits more than 6 s for it (wgpu issue 5299);
    /// llvmpipe runs compute work inside `Queue::submit`, under that lock. A
    /// chain of 40 softmaxes over 4096 × 4096 was one submission of more than
    /// 6 s, and another thread freeing a buffer meanwhile panicked
    /// (tests/shared_adapter.rs). Other backends have no such lock and keep
    /// one submission per chain.
    pub(crate) fn split_gl_submission(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        work: &mut u64,
        elements: usize,
    ) {
        *work += elements as u64;
        if !self.on_gl() || *work < GL_PIECE_ELEMENTS {
            return;
        }
        let fresh = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("wgpu-activations: a chain's next piece on GL"),
            });
        let piece = std::mem::replace(encoder, fresh).finish();
        self.gl_call(|| self.queue.submit([piece]));
        self.submissions.fetch_add(1, Ordering::Relaxed);
        *work = 0;
    }
}
