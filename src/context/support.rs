//! What a context's device can run: the compiled pipeline for a key, the
//! check of a kernel's needs against the device's limits, and the
//! workgroup size each kernel runs with here.

use std::sync::Arc;

use crate::context::GpuContext;
use crate::error::{Error, Result};
use crate::kernels::spec::Kernel;
use crate::pipelines::{compile, CachedPipeline, PipelineKey};

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
    /// device's limits cannot run it. A shader the device rejects is an
    /// [`Error::Validation`] naming the kernel, and is not cached: the next
    /// call compiles again (native; in the browser the error arrives with
    /// the call's other errors, later).
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
        // can then be compiling the same key while holding that lock), in
        // its own error scope, so a failure is this key's and not cached.
        // In a browser the verdict comes later: a failed compile then
        // evicts its pipeline, so the next call compiles again.
        #[cfg(target_arch = "wasm32")]
        let on_error: Option<super::OnError> = {
            let pipelines = std::sync::Arc::clone(&self.pipelines);
            Some(std::sync::Arc::new(move || pipelines.evict(key)))
        };
        #[cfg(target_arch = "wasm32")]
        let scoped = |f| self.scoped_then("compiling a pipeline", f, on_error.clone());
        #[cfg(not(target_arch = "wasm32"))]
        let scoped = |f| self.scoped("compiling a pipeline", f);
        self.gl_call(|| {
            self.pipelines.get(key, || {
                scoped(|| compile(&self.device, key)).map_err(|e| match e {
                    Error::Validation {
                        operation,
                        description,
                    } => Error::Validation {
                        operation,
                        description: format!("{:?}: {description}", key.kernel),
                    },
                    other => other,
                })
            })
        })
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

#[cfg(test)]
mod tests {
    use crate::context::GpuContext;
    use crate::dtype::DType;
    use crate::error::Error;
    use crate::kernels::spec::{Kernel, KernelSpec, Layout, Specialization, Variant};
    use crate::pipelines::PipelineKey;

    /// A kernel whose shader no device accepts: `apply` names nothing declared.
    const BROKEN: Kernel = Kernel(&KernelSpec::elementwise(
        "broken_for_test",
        "fn apply(v: vec4<f32>, first: u32) -> vec4<f32> { return not_declared; }",
        Layout::NONE,
    ));

    /// A kernel every device accepts.
    const IDENTITY: Kernel = Kernel(&KernelSpec::elementwise(
        "identity_for_test",
        "fn apply(v: vec4<f32>, first: u32) -> vec4<f32> { return v; }",
        Layout::NONE,
    ));

    fn key(kernel: Kernel) -> PipelineKey {
        PipelineKey {
            kernel,
            variant: Variant::Separate,
            specialization: Specialization::None,
            workgroup_size: 64,
            dtype: DType::F32,
        }
    }

    /// A shader the device rejects is an error naming the kernel, every
    /// time it is asked for (compiled again, never cached invalid), and the
    /// context goes on working.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn a_pipeline_that_fails_to_compile_is_an_error_and_not_cached() {
        let ctx = GpuContext::new_blocking().expect("the tests need a wgpu adapter");
        let before = ctx.pipelines_compiled();
        for attempt in 1..=2 {
            match ctx.pipeline(key(BROKEN)) {
                Err(Error::Validation { description, .. }) => {
                    assert!(description.contains("broken_for_test"), "{description}")
                }
                other => panic!("attempt {attempt}: {other:?}"),
            }
            assert_eq!(ctx.pipelines_compiled(), before + attempt);
        }
        assert!(ctx.pipeline(key(IDENTITY)).is_ok());
        let x = crate::GpuTensor::from_slice(&ctx, &[2], &[-1.0, 1.0]).unwrap();
        let y = crate::ReLU::default().forward(&ctx, &x).unwrap();
        assert_eq!(y.to_vec_blocking(&ctx).unwrap(), vec![0.0, 1.0]);
    }

    /// In a browser the verdict on a compile arrives later: awaited
    /// through `checked`, the failed compile is this call's error, and its
    /// pipeline is evicted, so the next call compiles again instead of
    /// handing out an invalid pipeline.
    #[cfg(target_arch = "wasm32")]
    #[wasm_bindgen_test::wasm_bindgen_test]
    async fn a_pipeline_that_fails_to_compile_is_evicted_in_the_browser() {
        let ctx = GpuContext::new()
            .await
            .expect("the browser tests need WebGPU");
        let before = ctx.pipelines_compiled();
        for attempt in 1..=2 {
            let result = ctx.checked(|| ctx.pipeline(key(BROKEN)).map(drop)).await;
            assert!(
                matches!(result, Err(Error::Validation { .. })),
                "attempt {attempt}: {result:?}"
            );
            assert_eq!(ctx.pipelines_compiled(), before + attempt);
        }
        ctx.checked(|| ctx.pipeline(key(IDENTITY)).map(drop))
            .await
            .unwrap();
        let x = crate::GpuTensor::from_slice(&ctx, &[2], &[-1.0, 1.0]).unwrap();
        let y = crate::ReLU::default().forward(&ctx, &x).unwrap();
        assert_eq!(y.to_vec(&ctx).await.unwrap(), vec![0.0, 1.0]);
    }
}
