//! Tensor buffers kept for reuse, per context: a warm loop of `forward`
//! calls takes its outputs from here instead of new buffers, which a GPU
//! zero-fills before first use (on lavapipe that made a 16M-element
//! `forward` cost about 1.5 times `forward_into`, BENCHMARKS.md).
//!
//! A buffer comes back when the crate would otherwise destroy it
//! (src/context/owned_buffer.rs): its tensor's last handle dropped and every
//! command that used it submitted, so a later command on the same queue
//! runs after them. Buffers handed out or bound in a caller's encoder
//! never come back. Only exact sizes are reused (a loop asks for the same
//! shapes again), and the pool keeps a bounded amount.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// Bytes kept at most: past it, a returned buffer is destroyed.
const KEPT_BYTES: u64 = 256 << 20;
/// Buffers of one size kept at most.
const KEPT_PER_SIZE: usize = 8;

/// Free tensor buffers of one context, by size.
#[derive(Debug, Default)]
pub(crate) struct TensorPool {
    free: Mutex<HashMap<u64, Vec<wgpu::Buffer>>>,
    /// Bytes in `free`.
    kept: AtomicU64,
}

impl TensorPool {
    /// A free buffer of exactly `size` bytes, if one is kept; its contents
    /// are whatever its last tensor left.
    pub(crate) fn take(&self, size: u64) -> Option<wgpu::Buffer> {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        let buffer = free.get_mut(&size)?.pop()?;
        self.kept.fetch_sub(size, Ordering::Relaxed);
        Some(buffer)
    }

    /// Keeps `buffer` for reuse, or hands it back (to be destroyed) when
    /// the pool is full.
    pub(crate) fn give(&self, buffer: wgpu::Buffer) -> Option<wgpu::Buffer> {
        let size = buffer.size();
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        let same = free.entry(size).or_default();
        if same.len() >= KEPT_PER_SIZE || self.kept.load(Ordering::Relaxed) + size > KEPT_BYTES {
            return Some(buffer);
        }
        same.push(buffer);
        self.kept.fetch_add(size, Ordering::Relaxed);
        None
    }

    /// Bytes kept for reuse.
    pub(crate) fn kept_bytes(&self) -> u64 {
        self.kept.load(Ordering::Relaxed)
    }
}
