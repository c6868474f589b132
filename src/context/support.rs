//! What a context's device can run: the compiled pipeline for a key, the
//! check of a kernel's needs against the device's limits, and the
//! workgroup size each kernel runs with here.

use std::sync::Arc;

use crate::context::GpuContext;
use crate::error::{Error, Result};
use crate::kernels::spec::Kernel;
use crate::pipelines::{CachedPipeline, PipelineKey};

impl GpuContext {
    /// Compiles every variant of `kernel` now, so a later forward does not pay for it.
    pub(crate) fn warm_up(&self, kernel: Kernel) -> Result<()> {
        self.scoped("compiling a pipeline", || {
            let workgroup_size = self.workgroup_size(kernel);
            if !self.features.contains(kernel.features) {
                // Never selected on this device (the subgroup softmax).
                return Ok(());
            }
            let dtypes = kernel
                .dtypes
                .iter()
                .filter(|d| self.features.contains(d.required_features()));
            for &dtype in dtypes {
                for &variant in kernel.variants() {
                    for specialization in kernel.specializations.all() {
                        self.pipeline(PipelineKey {
                            kernel,
                            variant,
                            specialization,
                            workgroup_size,
                            dtype,
                        })?;
                    }
                }
            }
            Ok(())
        })?
    }

    /// The compiled pipeline for `key`, or [`Error::Unsupported`] if the
    /// device's limits cannot run it.
    pub(crate) fn pipeline(&self, key: PipelineKey) -> Result<Arc<CachedPipeline>> {
        // A specialisation of another family would set overrides the shader
        // does not declare: a bug here, reported rather than compiled.
        if key.specialization.family() != key.kernel.specializations {
            return Err(Error::Internal(format!(
                "{:?} cannot run specialisation {:?}",
                key.kernel, key.specialization
            )));
        }
        self.check_support(key.kernel, key.workgroup_size)?;
        // A miss compiles under the crate's GL call lock (no other thread
        // can then be compiling the same key while holding that lock).
        Ok(self.gl_call(|| self.pipelines.get(&self.device, key)))
    }

    /// Compares what `kernel` needs with the device's limits. A host's
    /// device, or a GL ES / WebGL2 adapter, may lack compute shaders or
    /// bindings; wgpu would only say so as a validation error.
    pub(crate) fn check_support(&self, kernel: Kernel, workgroup_size: u32) -> Result<()> {
        let l = &self.limits;
        let (storage_buffers, uniform_buffers, workgroup_memory) = kernel.resources();
        let needs = [
            (
                "max_compute_invocations_per_workgroup",
                l.max_compute_invocations_per_workgroup,
                workgroup_size,
            ),
            (
                "max_compute_workgroup_size_x",
                l.max_compute_workgroup_size_x,
                workgroup_size,
            ),
            (
                "max_compute_workgroups_per_dimension",
                l.max_compute_workgroups_per_dimension,
                1,
            ),
            (
                "max_storage_buffers_per_shader_stage",
                l.max_storage_buffers_per_shader_stage,
                storage_buffers,
            ),
            (
                "max_uniform_buffers_per_shader_stage",
                l.max_uniform_buffers_per_shader_stage,
                uniform_buffers,
            ),
            (
                "max_compute_workgroup_storage_size",
                l.max_compute_workgroup_storage_size,
                workgroup_memory,
            ),
            ("max_bind_groups", l.max_bind_groups, 1),
        ];
        match needs.into_iter().find(|&(_, limit, needed)| limit < needed) {
            Some((limit_name, limit, needed)) => Err(Error::Unsupported {
                kernel: kernel.name(),
                limit_name,
                limit: limit.into(),
                needed: needed.into(),
            }),
            None => Ok(()),
        }
    }

    /// Invocations per workgroup `kernel` runs with on this device: the
    /// adapter type's preferred size ([`crate::dispatch::workgroup_size`]),
    /// cut to the device's limits ([`crate::dispatch::fit_workgroup_size`];
    /// a browser may allow fewer than a native driver).
    pub(crate) fn workgroup_size(&self, kernel: Kernel) -> u32 {
        crate::dispatch::fit_workgroup_size(
            crate::dispatch::workgroup_size(kernel, self.adapter_info.device_type),
            &self.limits,
        )
    }
}
