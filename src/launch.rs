//! Running an elementwise kernel over a tensor: one uniform for the layer's
//! parameters, then per chunk a launch uniform, a bind group and a dispatch,
//! all in one command encoder and one submission.

use wgpu::util::DeviceExt;

use crate::context::GpuContext;
use crate::dispatch::{chunks, grid_for, softmax_workgroups, spread};
use crate::error::{Error, Result};
use crate::kernels::{Kernel, Launch, ScalarParams, SoftmaxParams};
use crate::tensor::GpuTensor;

/// A whole-tensor elementwise job: `output[i] = f(input[i])`, optionally with
/// one extra read-only buffer bound whole at binding 4 (PReLU's alpha).
pub(crate) struct Elementwise<'a> {
    pub(crate) kernel: Kernel,
    pub(crate) params: &'a [u8],
    pub(crate) extra: Option<&'a GpuTensor>,
}

impl Elementwise<'_> {
    /// Runs the job on `input` into a new tensor of the same shape.
    pub(crate) fn forward(&self, ctx: &GpuContext, input: &GpuTensor) -> Result<GpuTensor> {
        input.check_context(ctx)?;
        if let Some(extra) = self.extra {
            extra.check_context(ctx)?;
        }
        let output = GpuTensor::uninit(ctx, input.shape())?;
        if input.is_empty() {
            return Ok(output);
        }
        self.check_extra_binding(ctx)?;
        ctx.scoped(self.kernel.name(), || {
            let mut encoder =
                ctx.device()
                    .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                        label: Some(self.kernel.name()),
                    });
            let encoded = self.encode(ctx, &mut encoder, input, &output);
            if encoded.is_ok() {
                ctx.queue().submit([encoder.finish()]);
            }
            encoded
        })??;
        Ok(output)
    }

    /// Records the job into `encoder`; nothing is submitted.
    fn encode(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        output: &GpuTensor,
    ) -> Result<()> {
        let device = ctx.device();
        let limits = ctx.limits();
        let pipeline = ctx.pipeline(self.kernel);
        let params = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("wgpu-activations.params"),
            contents: self.params,
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let plan = chunks(
            input.len() as u64,
            4,
            limits.max_storage_buffer_binding_size,
            u64::from(limits.min_storage_buffer_offset_alignment),
        );
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some(self.kernel.name()),
            timestamp_writes: None,
        });
        pass.set_pipeline(&pipeline.pipeline);
        for chunk in plan {
            // Tensors are capped at u32::MAX elements when created.
            let len =
                u32::try_from(chunk.len).map_err(|_| Error::Shape("chunk over u32".into()))?;
            let base =
                u32::try_from(chunk.start).map_err(|_| Error::Shape("chunk over u32".into()))?;
            let grid = grid_for(len, limits.max_compute_workgroups_per_dimension)?;
            let launch = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("wgpu-activations.launch"),
                contents: bytemuck::bytes_of(&Launch {
                    len,
                    grid_x: grid.x,
                    base,
                    _pad: 0,
                }),
                usage: wgpu::BufferUsages::UNIFORM,
            });
            let range = |buffer| wgpu::BufferBinding {
                buffer,
                offset: chunk.start * 4,
                size: wgpu::BufferSize::new(chunk.len * 4),
            };
            let mut entries = vec![
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: launch.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: params.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: wgpu::BindingResource::Buffer(range(input.buffer())),
                },
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: wgpu::BindingResource::Buffer(range(output.buffer())),
                },
            ];
            if let Some(extra) = self.extra {
                entries.push(wgpu::BindGroupEntry {
                    binding: 4,
                    resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                        buffer: extra.buffer(),
                        offset: 0,
                        size: wgpu::BufferSize::new(extra.byte_len().max(4)),
                    }),
                });
            }
            let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some(self.kernel.name()),
                layout: &pipeline.layout,
                entries: &entries,
            });
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(grid.x, grid.y, 1);
        }
        Ok(())
    }

    /// The extra buffer is bound whole, so it must fit one binding.
    fn check_extra_binding(&self, ctx: &GpuContext) -> Result<()> {
        let Some(extra) = self.extra else {
            return Ok(());
        };
        let limit = ctx.limits().max_storage_buffer_binding_size;
        if extra.byte_len() > limit {
            return Err(Error::TooLarge {
                what: format!(
                    "{}'s parameter tensor of {} elements",
                    self.kernel.name(),
                    extra.len()
                ),
                size: extra.byte_len(),
                limit_name: "max_storage_buffer_binding_size",
                limit,
            });
        }
        Ok(())
    }
}

/// Runs a kernel whose only parameter is one scalar ([`ScalarParams`]).
pub(crate) fn forward_scalar(
    ctx: &GpuContext,
    kernel: Kernel,
    value: f32,
    x: &GpuTensor,
) -> Result<GpuTensor> {
    Elementwise {
        kernel,
        params: bytemuck::bytes_of(&ScalarParams::new(value)),
        extra: None,
    }
    .forward(ctx, x)
}

/// A row-reduction job (softmax): one workgroup per row, input and output
/// bound whole, an optional mask at binding 4.
pub(crate) struct Rows<'a> {
    pub(crate) kernel: Kernel,
    pub(crate) params: SoftmaxParams,
    pub(crate) mask: Option<&'a GpuTensor>,
}

impl Rows<'_> {
    /// Runs the job on `input` into a new tensor of the same shape.
    pub(crate) fn forward(mut self, ctx: &GpuContext, input: &GpuTensor) -> Result<GpuTensor> {
        input.check_context(ctx)?;
        if let Some(mask) = self.mask {
            mask.check_context(ctx)?;
        }
        let output = GpuTensor::uninit(ctx, input.shape())?;
        if input.is_empty() {
            return Ok(output);
        }
        let limit = ctx.limits().max_storage_buffer_binding_size;
        if input.byte_len() > limit {
            return Err(Error::TooLarge {
                what: format!(
                    "{} over a tensor of {} elements (not yet bound in chunks)",
                    self.kernel.name(),
                    input.len()
                ),
                size: input.byte_len(),
                limit_name: "max_storage_buffer_binding_size",
                limit,
            });
        }
        let workgroups = softmax_workgroups(self.kernel, self.params.rows);
        let grid = spread(
            workgroups,
            ctx.limits().max_compute_workgroups_per_dimension,
        )
        .ok_or_else(|| Error::TooLarge {
            what: format!("{} rows of {}", self.params.rows, self.kernel.name()),
            size: input.byte_len(),
            limit_name: "max_compute_workgroups_per_dimension (squared)",
            limit: u64::from(ctx.limits().max_compute_workgroups_per_dimension).pow(2),
        })?;
        self.params.grid_x = grid.x;
        ctx.scoped(self.kernel.name(), || {
            let device = ctx.device();
            let pipeline = ctx.pipeline(self.kernel);
            let params = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("wgpu-activations.params"),
                contents: bytemuck::bytes_of(&self.params),
                usage: wgpu::BufferUsages::UNIFORM,
            });
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
            let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some(self.kernel.name()),
            });
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some(self.kernel.name()),
                    timestamp_writes: None,
                });
                pass.set_pipeline(&pipeline.pipeline);
                pass.set_bind_group(0, &bind_group, &[]);
                pass.dispatch_workgroups(grid.x, grid.y, 1);
            }
            ctx.queue().submit([encoder.finish()]);
        })?;
        Ok(output)
    }
}
