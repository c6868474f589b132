//! Readback staging buffers, pooled per context: a warm loop of readbacks
//! allocates none.
//!
//! A staging buffer (`MAP_READ | COPY_DST`) is taken for one readback and
//! given back once its bytes are read. Sizes are rounded up to a power of
//! two (at least 4 KiB), so one buffer serves every readback of its class;
//! the pool keeps a few small ones and destroys the rest at once, which in
//! a browser also keeps them from waiting for JavaScript's garbage
//! collector (docs/BROWSER.md).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// Staging buffers kept for reuse, at most.
const KEPT: usize = 8;
/// The largest staging buffer kept: bigger readbacks are rare and their
/// buffers would hold much memory for little gain (a copy of that size
/// costs more than the allocation).
const LARGEST_KEPT: u64 = 64 << 20;
/// The smallest size class.
const SMALLEST: u64 = 4 << 10;

/// Free staging buffers of one context.
#[derive(Debug, Default)]
pub(crate) struct StagingPool {
    free: Mutex<Vec<wgpu::Buffer>>,
    /// Buffers created so far (the pool's tests count allocations).
    created: AtomicUsize,
}

impl StagingPool {
    /// A free buffer of at least `size` bytes, or a new one of `size`'s
    /// class made by `create` (given the class's size).
    pub(crate) fn take(
        &self,
        size: u64,
        create: impl FnOnce(u64) -> crate::Result<wgpu::Buffer>,
    ) -> crate::Result<wgpu::Buffer> {
        let class = size_class(size);
        let reused = {
            let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
            free.iter()
                .position(|b| b.size() == class)
                .map(|i| free.swap_remove(i))
        };
        if let Some(buffer) = reused {
            return Ok(buffer);
        }
        let buffer = create(class)?;
        self.created.fetch_add(1, Ordering::Relaxed);
        Ok(buffer)
    }

    /// Takes back `buffer`, unmapped: kept for the next readback of its
    /// class, or destroyed.
    pub(crate) fn give(&self, buffer: wgpu::Buffer) {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        if free.len() < KEPT && buffer.size() <= LARGEST_KEPT {
            free.push(buffer);
        } else {
            drop(free);
            buffer.destroy();
        }
    }

    /// How many staging buffers were created.
    #[cfg(all(test, not(target_arch = "wasm32")))]
    pub(crate) fn created(&self) -> usize {
        self.created.load(Ordering::Relaxed)
    }
}

/// `size` rounded up to a power of two, at least [`SMALLEST`].
fn size_class(size: u64) -> u64 {
    size.max(SMALLEST).next_power_of_two()
}

#[cfg(test)]
mod tests {
    use super::size_class;

    #[test]
    fn sizes_round_up_to_a_power_of_two_class() {
        assert_eq!(size_class(4), 4096);
        assert_eq!(size_class(4096), 4096);
        assert_eq!(size_class(4100), 8192);
        assert_eq!(size_class(64 << 20), 64 << 20);
    }
}
