//! The crate's own buffers (tensors, a split row kernel's partials), and
//! when each is destroyed.
//!
//! wgpu's WebGPU backend does not call `GPUBuffer.destroy()` when a
//! `wgpu::Buffer` drops, so in a browser a dropped tensor's memory waited
//! for JavaScript's garbage collector. An [`OwnedBuffer`] destroys its
//! buffer when it drops, unless a command that is not submitted yet may
//! still use it:
//! - dropped while this thread records one of the crate's own submissions
//!   (a chain's intermediate tensor, a split softmax's partials): destroyed
//!   right after that submission ([`submitting`]);
//! - bound or copied in a command outside the crate's own submissions (a
//!   caller's encoder given to `Layer::encode`), or handed out by
//!   `GpuTensor::buffer`: only dropped, and wgpu frees it when the caller's
//!   handles and commands are gone;
//! - otherwise every command that used it has been submitted, and wgpu
//!   (like WebGPU) frees a destroyed buffer once that work has finished.
//!
//! On GL, destroying or freeing takes wgpu-hal's context lock, so it runs
//! under the crate's GL call lock (`GpuContext::gl_call` says why).

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use super::gl::gl_calls_guard;
use super::tensor_pool::TensorPool;

thread_local! {
    /// Buffers dropped while this thread records one of the crate's own
    /// submissions: `Some` inside [`submitting`], destroyed when it ends.
    static RETIRED: RefCell<Option<Vec<Retired>>> = const { RefCell::new(None) };
}

/// A buffer of the crate's, destroyed when it drops where nothing
/// unsubmitted can use it (see the module doc).
#[derive(Debug)]
pub(crate) struct OwnedBuffer {
    /// `Some` until dropped.
    buffer: Option<wgpu::Buffer>,
    on_gl: bool,
    /// Set once a command outside the crate's own submissions may use it.
    escaped: AtomicBool,
    /// The context's count of buffers not yet released
    /// ([`GpuContext::buffers_alive`]); `None` for a host's buffer.
    alive: Option<Arc<AtomicUsize>>,
    /// Where a tensor's buffer goes back instead of being destroyed.
    pool: Option<Arc<TensorPool>>,
}

impl OwnedBuffer {
    /// Takes ownership of `buffer`, counted in `alive` (`None` for a host's
    /// buffer, which is never destroyed: `escaped` from the start), and
    /// given back to `pool` (tensors' buffers) where it would be destroyed.
    /// `GpuContext::own` and its siblings make them.
    pub(crate) fn new(
        buffer: wgpu::Buffer,
        on_gl: bool,
        alive: Option<Arc<AtomicUsize>>,
        pool: Option<Arc<TensorPool>>,
    ) -> Self {
        if let Some(alive) = &alive {
            alive.fetch_add(1, Ordering::Relaxed);
        }
        Self {
            buffer: Some(buffer),
            on_gl,
            escaped: AtomicBool::new(alive.is_none()),
            alive,
            pool,
        }
    }

    /// The buffer, for a command that may be recorded outside the crate's
    /// own submissions (a caller's encoder), or to hand out: outside
    /// [`submitting`], it is then never destroyed, only dropped. Queue
    /// writes and size checks use `Deref` instead.
    pub(crate) fn bound(&self) -> &wgpu::Buffer {
        if RETIRED.with(|r| r.borrow().is_none()) {
            self.escaped.store(true, Ordering::Relaxed);
        }
        self
    }
}

impl std::ops::Deref for OwnedBuffer {
    type Target = wgpu::Buffer;

    fn deref(&self) -> &wgpu::Buffer {
        self.buffer.as_ref().expect("present until dropped")
    }
}

impl Drop for OwnedBuffer {
    fn drop(&mut self) {
        let Some(buffer) = self.buffer.take() else {
            return;
        };
        let retired = Retired {
            buffer,
            on_gl: self.on_gl,
            alive: self.alive.clone(),
            pool: self.pool.clone(),
        };
        if *self.escaped.get_mut() {
            retired.release(false);
            return;
        }
        // Inside a recording, the encoder may still use it: destroyed after
        // the submission.
        let kept = RETIRED.with(|r| match r.borrow_mut().as_mut() {
            Some(list) => {
                list.push(retired);
                None
            }
            None => Some(retired),
        });
        if let Some(retired) = kept {
            retired.release(true);
        }
    }
}

/// A dropped buffer waiting to be released.
#[derive(Debug)]
struct Retired {
    buffer: wgpu::Buffer,
    on_gl: bool,
    alive: Option<Arc<AtomicUsize>>,
    pool: Option<Arc<TensorPool>>,
}

impl Retired {
    /// Gives the buffer back to its pool, or destroys it, or only drops it
    /// (`destroy` false: something else may still use it), under the GL
    /// call lock on GL.
    fn release(self, destroy: bool) {
        let _guard = gl_calls_guard(self.on_gl);
        let unpooled = match (&self.pool, destroy) {
            (Some(pool), true) => pool.give(self.buffer),
            _ => Some(self.buffer),
        };
        if let Some(buffer) = unpooled {
            if destroy {
                buffer.destroy();
            }
            drop(buffer);
        }
        if let Some(alive) = self.alive {
            alive.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// Runs `record_and_submit`, which records one of the crate's own
/// submissions on this thread and submits it: buffers dropped meanwhile are
/// destroyed once it returns (after the submission, or after the encoder
/// was dropped on an error). Nested, they wait for the outermost.
pub(crate) fn submitting<T>(record_and_submit: impl FnOnce() -> T) -> T {
    /// Restores the outer state even if `record_and_submit` panics.
    struct Scope(Option<Option<Vec<Retired>>>);
    impl Drop for Scope {
        fn drop(&mut self) {
            let outer = self.0.take().expect("set until dropped");
            let retired = RETIRED.with(|r| {
                let mut r = r.borrow_mut();
                let mine = r.take().unwrap_or_default();
                *r = outer;
                match r.as_mut() {
                    // The outer recording's encoder may still use them.
                    Some(outer) => {
                        outer.extend(mine);
                        Vec::new()
                    }
                    None => mine,
                }
            });
            for buffer in retired {
                buffer.release(true);
            }
        }
    }
    let _scope = Scope(Some(RETIRED.with(|r| r.replace(Some(Vec::new())))));
    record_and_submit()
}
