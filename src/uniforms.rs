//! Reuse of uniform buffers: a layer's parameters and a chunk's launch
//! description are small and immutable, so each distinct content is uploaded
//! once per context and shared by every later dispatch that needs it.
//!
//! Bind groups are not cached: they would keep the tensors they bind alive.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// Distinct uniform contents kept at most; past it the map starts over, so
/// a program that sweeps through many shapes holds a bounded amount.
const CAPACITY: usize = 1024;

/// Uniform buffers by content.
#[derive(Debug, Default)]
pub(crate) struct UniformCache {
    buffers: Mutex<HashMap<Vec<u8>, wgpu::Buffer>>,
}

impl UniformCache {
    /// A uniform buffer holding `contents`, created on first request.
    pub(crate) fn get(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        contents: &[u8],
    ) -> wgpu::Buffer {
        // The map holds no invariant a panic could break.
        let mut buffers = self.buffers.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(buffer) = buffers.get(contents) {
            return buffer.clone();
        }
        if buffers.len() >= CAPACITY {
            buffers.clear();
        }
        // Written through the queue rather than mapped at creation: mapping
        // panics inside wgpu when the device is lost, a queue write reports
        // an error to the scope.
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("wgpu-activations.uniform"),
            size: contents.len() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        queue.write_buffer(&buffer, 0, contents);
        buffers.insert(contents.to_vec(), buffer.clone());
        buffer
    }

    /// How many distinct uniforms are held.
    pub(crate) fn len(&self) -> usize {
        self.buffers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}
