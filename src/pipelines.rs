//! The pipeline cache: each kernel is compiled once per device, the first
//! time it is used, and shared by every thread after that.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::dtype::DType;
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

/// Compiled pipelines by key.
///
/// The map lock is held only to find or insert a slot; compiling happens in
/// the slot's `OnceLock`, so two threads that want the same pipeline compile
/// it once (the second waits), and different pipelines compile in parallel.
#[derive(Debug, Default)]
pub(crate) struct PipelineCache {
    slots: Mutex<HashMap<PipelineKey, Arc<OnceLock<Arc<CachedPipeline>>>>>,
    compiled: AtomicUsize,
}

impl PipelineCache {
    /// The pipeline for `key`, compiling it on first use.
    pub(crate) fn get(&self, device: &wgpu::Device, key: PipelineKey) -> Arc<CachedPipeline> {
        let slot = {
            // A panic while the lock was held cannot leave the map inconsistent.
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(slots.entry(key).or_default())
        };
        Arc::clone(slot.get_or_init(|| {
            self.compiled.fetch_add(1, Ordering::Relaxed);
            Arc::new(compile(device, key))
        }))
    }

    /// How many pipelines this cache has compiled.
    pub(crate) fn compiled(&self) -> usize {
        self.compiled.load(Ordering::Relaxed)
    }
}

fn compile(device: &wgpu::Device, key: PipelineKey) -> CachedPipeline {
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
