//! Recording a row job (softmax): one uniform of parameters, input, output
//! and an optional mask bound whole, one dispatch sized to the kernel's
//! mapping of rows (a workgroup each or an invocation each).

use crate::context::{GpuContext, PipelineKey};
use crate::dispatch::{softmax_workgroups, spread};
use crate::error::{Error, Result};
use crate::kernels::{Kernel, SoftmaxParams, Variant};
use crate::tensor::GpuTensor;

/// A softmax over rows described by `params`, with an optional mask.
pub(crate) struct Rows<'a> {
    pub(crate) kernel: Kernel,
    pub(crate) params: SoftmaxParams,
    pub(crate) mask: Option<&'a GpuTensor>,
}

impl Rows<'_> {
    /// Records `output = softmax(input)`.
    pub(crate) fn encode(
        mut self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        output: &GpuTensor,
    ) -> Result<()> {
        input.check_context(ctx)?;
        output.check_context(ctx)?;
        input.check_output(output)?;
        if let Some(mask) = self.mask {
            mask.check_context(ctx)?;
        }
        if input.is_empty() {
            return Ok(());
        }
        // A device that cannot run the kernel says so before any size check.
        ctx.check_support(self.kernel, ctx.workgroup_size(self.kernel))?;
        let limits = ctx.limits();
        for (what, tensor) in [("input", Some(input)), ("mask", self.mask)] {
            let Some(tensor) = tensor else { continue };
            if tensor.buffer().size() > limits.max_storage_buffer_binding_size {
                return Err(Error::TooLarge {
                    what: format!(
                        "a softmax {what} of {} elements (softmax binds it whole)",
                        tensor.len()
                    ),
                    size: tensor.buffer().size(),
                    limit_name: "max_storage_buffer_binding_size",
                    limit: limits.max_storage_buffer_binding_size,
                });
            }
        }
        let workgroup_size = ctx.workgroup_size(self.kernel);
        let workgroups = softmax_workgroups(self.kernel, self.params.rows, workgroup_size);
        let grid =
            spread(workgroups, limits.max_compute_workgroups_per_dimension).ok_or_else(|| {
                Error::TooLarge {
                    what: format!("{} rows of {}", self.params.rows, self.kernel.name()),
                    size: input.byte_len(),
                    limit_name: "max_compute_workgroups_per_dimension (squared)",
                    limit: u64::from(limits.max_compute_workgroups_per_dimension).pow(2),
                }
            })?;
        self.params.grid_x = grid.x;
        let device = ctx.device();
        // Single merged axes on either side index without a division loop,
        // and unmasked runs never touch the mask; fixed per pipeline so CPU
        // adapters do not run the other paths anyway.
        let specialization = u32::from(self.params.kept_rank == 1)
            | (u32::from(self.params.reduced_rank == 1) << 1)
            | (u32::from(self.params.has_mask != 0) << 2);
        let pipeline = ctx.pipeline(PipelineKey {
            kernel: self.kernel,
            variant: Variant::Separate,
            specialization,
            workgroup_size,
        })?;
        let params = ctx.uniform(bytemuck::bytes_of(&self.params));
        // Without a mask the kernel never reads binding 4; the input stands in.
        let mask = self.mask.unwrap_or(input);
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(self.kernel.name()),
            layout: &pipeline.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: params.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: input.buffer().as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: output.buffer().as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 4,
                    resource: mask.buffer().as_entire_binding(),
                },
            ],
        });
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some(self.kernel.name()),
            timestamp_writes: None,
        });
        pass.set_pipeline(&pipeline.pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(grid.x, grid.y, 1);
        Ok(())
    }
}
