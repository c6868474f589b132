//! The pipeline cache: each kernel is compiled once per device, the first
//! time it is used, and shared by every thread after that.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::dtype::DType;
use crate::error::Result;
use crate::kernels::spec::{Kernel, Specialization, Variant, ENTRY_POINT};

/// A compiled kernel and the bind group layout its bind groups are made from.
#[derive(Debug)]
pub(crate) struct CachedPipeline {
    pub(crate) pipeline: wgpu::ComputePipeline,
    pub(crate) layout: wgpu::BindGroupLayout,
}

/// What a pipeline is keyed by: the kernel and its variant, never a parameter value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PipelineKey {
    pub(crate) kernel: Kernel,
    pub(crate) variant: Variant,
    /// Selects the kernel's `override` constants.
    pub(crate) specialization: Specialization,
    /// The `WORKGROUP_SIZE` override.
    pub(crate) workgroup_size: u32,
    /// The element type the tensors store.
    pub(crate) dtype: DType,
}

/// One key's pipeline, empty until a compile succeeds.
type Slot = Mutex<Option<Arc<CachedPipeline>>>;

/// Compiled pipelines by key.
///
/// The map lock is held only to find or insert a slot; compiling happens
/// under the slot's own lock, so two threads that want the same pipeline
/// compile it once (the second waits), and different pipelines compile in
/// parallel. A compile that fails leaves its slot empty: the error goes to
/// the caller, and the next call compiles again rather than handing out an
/// invalid pipeline.
#[derive(Debug, Default)]
pub(crate) struct PipelineCache {
    slots: Mutex<HashMap<PipelineKey, Arc<Slot>>>,
    compiled: AtomicUsize,
}

impl PipelineCache {
    /// The pipeline for `key`, made by `compile` on first use (and again
    /// after a failed attempt).
    pub(crate) fn get(
        &self,
        key: PipelineKey,
        compile: impl FnOnce() -> Result<CachedPipeline>,
    ) -> Result<Arc<CachedPipeline>> {
        let slot = {
            // A panic while the lock was held cannot leave the map inconsistent.
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(slots.entry(key).or_default())
        };
        // Held while compiling: a second thread wanting this key waits here.
        let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(pipeline) = &*slot {
            return Ok(Arc::clone(pipeline));
        }
        self.compiled.fetch_add(1, Ordering::Relaxed);
        let pipeline = Arc::new(compile()?);
        *slot = Some(Arc::clone(&pipeline));
        Ok(pipeline)
    }

    /// Forgets `key`'s pipeline: in a browser a failed compile is only
    /// known later, when its error scope answers (`GpuContext::pipeline`).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn evict(&self, key: PipelineKey) {
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&key);
    }

    /// How many pipelines this cache has compiled.
    pub(crate) fn compiled(&self) -> usize {
        self.compiled.load(Ordering::Relaxed)
    }
}

/// Compiles `key`'s pipeline (wgpu reports a failure to the device's error
/// scopes; see `GpuContext::pipeline`).
pub(crate) fn compile(device: &wgpu::Device, key: PipelineKey) -> CachedPipeline {
    let label = format!(
        "wgpu-activations.{}.{:?}.{:?}.wg{}.{}",
        key.kernel.name(),
        key.variant,
        key.specialization,
        key.workgroup_size,
        key.dtype
    );
    let mut constants = key.specialization.overrides();
    constants.push(("WORKGROUP_SIZE", f64::from(key.workgroup_size)));
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(&label),
        source: wgpu::ShaderSource::Wgsl(key.kernel.source(key.variant, key.dtype).into()),
    });
    let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(&label),
        layout: None,
        module: &module,
        entry_point: Some(ENTRY_POINT),
        compilation_options: wgpu::PipelineCompilationOptions {
            constants: &constants,
            ..Default::default()
        },
        cache: None,
    });
    let layout = pipeline.get_bind_group_layout(0);
    CachedPipeline { pipeline, layout }
}
