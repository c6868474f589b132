//! Recording an elementwise kernel over a tensor: the layer's parameters and
//! each chunk's launch description come from the context's shared uniforms,
//! then per chunk a bind group and a dispatch. Recording never submits;
//! [`GpuContext::submit_with`] does.

use crate::context::GpuContext;
use crate::dispatch::{chunks, spread, vec4s_per_invocation};
use crate::error::{Error, Result};
use crate::kernels::spec::{Kernel, Launch, Specialization, Variant};
use crate::record::Recorder;
use crate::tensor::GpuTensor;

/// An elementwise job, `out[i] = f(x[i])`: the kernel, its `params` bytes,
/// and an optional extra read-only tensor bound whole under its WGSL name
/// (PReLU's `alpha`).
pub(crate) struct ElementwiseJob {
    pub(crate) kernel: Kernel,
    pub(crate) params: Vec<u8>,
    pub(crate) extra: Option<(&'static str, GpuTensor)>,
    /// Which of the kernel's specialisations runs.
    pub(crate) specialization: Specialization,
}

impl ElementwiseJob {
    /// A kernel with the given `params`.
    pub(crate) fn new(kernel: Kernel, params: &impl bytemuck::Pod) -> Self {
        debug_assert_eq!(
            size_of_val(params),
            kernel.params.size,
            "{kernel:?}'s params"
        );
        Self {
            kernel,
            params: bytemuck::bytes_of(params).to_vec(),
            extra: None,
            specialization: Specialization::None,
        }
    }

    /// Records `output = f(input)`; `output` must be another tensor of the same shape.
    pub(crate) fn encode(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        output: &GpuTensor,
    ) -> Result<()> {
        output.check_context(ctx)?;
        input.check_output(output)?;
        self.record(ctx, encoder, Some(input), None, output)
    }

    /// Records `dx = dy * f'(x)` for a gradient kernel; `dy` and `dx` must be
    /// other tensors of `x`'s shape.
    pub(crate) fn encode_gradient(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        dy: &GpuTensor,
        dx: &GpuTensor,
    ) -> Result<()> {
        dy.check_context(ctx)?;
        dx.check_context(ctx)?;
        x.check_same_shape("dy", dy)?;
        x.check_output(dx)?;
        if dy.shares_buffer(dx) {
            return Err(Error::SameTensor(
                "dx must be a different tensor from dy (dy is read while dx is written)".into(),
            ));
        }
        self.record(ctx, encoder, Some(x), Some(dy), dx)
    }

    /// Records `tensor = f(tensor)`.
    pub(crate) fn encode_in_place(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        tensor: &GpuTensor,
    ) -> Result<()> {
        self.record(ctx, encoder, None, None, tensor)
    }

    /// Records the kernel over `output` in chunks. Without `input` it runs in
    /// place; `upstream` (a gradient kernel's dy) is chunked like `input`.
    fn record(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: Option<&GpuTensor>,
        upstream: Option<&GpuTensor>,
        output: &GpuTensor,
    ) -> Result<()> {
        output.check_context(ctx)?;
        if let Some(input) = input {
            input.check_context(ctx)?;
        }
        if output.is_empty() {
            return Ok(());
        }
        // A device that cannot run the kernel says so before any size check.
        ctx.check_support(self.kernel, ctx.workgroup_size(self.kernel))?;
        if let Some((_, extra)) = &self.extra {
            extra.check_context(ctx)?;
            self.check_extra_binding(ctx, extra)?;
        }
        let limits = ctx.limits();
        let variant = if input.is_some() {
            Variant::Separate
        } else {
            Variant::InPlace
        };
        let recorder = Recorder::new(
            ctx,
            self.kernel,
            variant,
            self.specialization,
            output.dtype(),
        )?;
        let workgroup_size = recorder.workgroup_size;
        // A kernel without parameters has no `params` binding.
        let params = (!self.params.is_empty()).then(|| ctx.uniform(&self.params));
        let per_invocation = vec4s_per_invocation(ctx.adapter_info().device_type);
        let mut pass = recorder.pass(encoder);
        let element_size = output.dtype().size();
        let plan = chunks(
            output.len() as u64,
            element_size,
            limits.max_storage_buffer_binding_size,
            u64::from(limits.min_storage_buffer_offset_alignment),
        );
        for chunk in plan {
            // Chunks start on the (>= 16-byte) offset alignment; each binds a
            // whole number of vec4s, the last one reaching into the padding.
            let vec4s = chunk.len.div_ceil(4);
            let len = u32::try_from(vec4s).map_err(|_| Error::Shape("chunk over u32".into()))?;
            let base =
                u32::try_from(chunk.start).map_err(|_| Error::Shape("chunk over u32".into()))?;
            let workgroups = len.div_ceil(workgroup_size * per_invocation);
            let grid = spread(workgroups, limits.max_compute_workgroups_per_dimension).ok_or_else(
                || Error::Shape(format!("{workgroups} workgroups do not fit a 2-D grid")),
            )?;
            let launch = ctx.uniform(bytemuck::bytes_of(&Launch {
                len,
                grid_x: grid.x,
                base,
                stride: grid.x * grid.y * workgroup_size,
            }));
            let (start, size) = (chunk.start * element_size, vec4s * 4 * element_size);
            let range = |tensor| chunk_binding(tensor, start, size);
            let mut resources = Vec::with_capacity(6);
            resources.push(("launch", launch.as_entire_binding()));
            if let Some(params) = &params {
                resources.push(("params", params.as_entire_binding()));
            }
            if let Some(input) = input {
                resources.push(("input", range(input)));
            }
            resources.push(("output", range(output)));
            if let Some(upstream) = upstream {
                resources.push(("upstream", range(upstream)));
            }
            if let Some((name, extra)) = &self.extra {
                resources.push((name, extra.binding()));
            }
            let bind_group = recorder.bind_group(&resources)?;
            recorder.dispatch(&mut pass, &bind_group, grid);
        }
        Ok(())
    }

    /// The extra tensor is bound whole, so it must fit one binding.
    fn check_extra_binding(&self, ctx: &GpuContext, extra: &GpuTensor) -> Result<()> {
        let limit = ctx.limits().max_storage_buffer_binding_size;
        let size = extra.binding_size();
        if size > limit {
            return Err(Error::TooLarge {
                what: format!(
                    "{}'s parameter tensor of {} elements",
                    self.kernel.name(),
                    extra.len()
                ),
                size,
                limit_name: "max_storage_buffer_binding_size",
                limit,
            });
        }
        Ok(())
    }
}

/// `size` bytes of `tensor` from `start` (relative to the tensor's own
/// offset in its buffer).
fn chunk_binding(tensor: &GpuTensor, start: u64, size: u64) -> wgpu::BindingResource<'_> {
    wgpu::BindingResource::Buffer(wgpu::BufferBinding {
        buffer: tensor.buffer(),
        offset: tensor.offset() + start,
        size: wgpu::BufferSize::new(size),
    })
}
