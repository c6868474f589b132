//! The one way a kernel is recorded: [`Recorder`] holds the pipeline for a
//! kernel, variant, specialisation and element type on this device, makes
//! bind groups whose entries are named as the WGSL variables (the kernel's
//! spec maps names to binding indices), and records dispatches into a pass.
//! The elementwise chunks (src/launch.rs), the row jobs and their split
//! passes (src/launch_rows.rs) and PReLU's penalty all go through it.

use std::sync::Arc;

use crate::context::GpuContext;
use crate::dispatch::Grid;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kernels::spec::{Kernel, Specialization, Variant};
use crate::pipelines::{CachedPipeline, PipelineKey};

/// A kernel ready to record on one context.
pub(crate) struct Recorder<'a> {
    ctx: &'a GpuContext,
    kernel: Kernel,
    pipeline: Arc<CachedPipeline>,
    /// Invocations per workgroup the pipeline was made with.
    pub(crate) workgroup_size: u32,
}

impl<'a> Recorder<'a> {
    /// The pipeline of `kernel` for this device (compiled on first use), or
    /// [`Error::Unsupported`] where the device's limits cannot run it.
    pub(crate) fn new(
        ctx: &'a GpuContext,
        kernel: Kernel,
        variant: Variant,
        specialization: Specialization,
        dtype: DType,
    ) -> Result<Self> {
        let workgroup_size = ctx.workgroup_size(kernel);
        let pipeline = ctx.pipeline(PipelineKey {
            kernel,
            variant,
            specialization,
            workgroup_size,
            dtype,
        })?;
        Ok(Self {
            ctx,
            kernel,
            pipeline,
            workgroup_size,
        })
    }

    /// A bind group binding each resource to the WGSL variable of its name.
    pub(crate) fn bind_group(
        &self,
        resources: &[(&str, wgpu::BindingResource<'_>)],
    ) -> Result<wgpu::BindGroup> {
        let entries = resources
            .iter()
            .map(|(name, resource)| {
                let binding = self.kernel.binding(name).ok_or_else(|| {
                    Error::Internal(format!("{:?} has no binding `{name}`", self.kernel))
                })?;
                Ok(wgpu::BindGroupEntry {
                    binding,
                    resource: resource.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(self
            .ctx
            .device()
            .create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some(self.kernel.name()),
                layout: &self.pipeline.layout,
                entries: &entries,
            }))
    }

    /// A compute pass labelled with the kernel, its pipeline set.
    pub(crate) fn pass<'e>(&self, encoder: &'e mut wgpu::CommandEncoder) -> wgpu::ComputePass<'e> {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some(self.kernel.name()),
            timestamp_writes: None,
        });
        pass.set_pipeline(&self.pipeline.pipeline);
        pass
    }

    /// Records one dispatch of `grid` with `bind_group` into `pass`.
    pub(crate) fn dispatch(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        bind_group: &wgpu::BindGroup,
        grid: Grid,
    ) {
        pass.set_bind_group(0, bind_group, &[]);
        pass.dispatch_workgroups(grid.x, grid.y, 1);
    }
}
