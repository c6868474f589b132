//! Recording a row job: one [`RowParams`] uniform describing the rows,
//! tensors bound whole, and one dispatch sized to the kernel's mapping of
//! rows (a workgroup each or an invocation each). Softmax forward and
//! backward, PReLU's alpha gradient and parameter updates are row jobs.

use crate::context::GpuContext;
use crate::dispatch::{row_segments, row_workgroups, spread};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kernels::rows::{RowParams, ROW_MAX_RANK};
use crate::kernels::spec::{
    Finishing, Kernel, Mapping, RowShape, Specialization, Specializations, UpdateConstraint,
    Variant,
};
use crate::loop_budget;
use crate::record::Recorder;
use crate::shape::{element_count, mask_strides, softmax_plan, PlannedAxis};
use crate::tensor::GpuTensor;

/// What a parameter update adds to the row specialisation: its constraint
/// and whether an SGD step runs (`None` for every other row kernel).
pub(crate) type UpdateMode = Option<(UpdateConstraint, bool)>;

/// The row description of a tensor of `shape` reduced over `axes` (sorted,
/// distinct, in range), with a mask of `mask_shape` if any; and whether the
/// innermost axis is reduced (the rows are contiguous).
pub(crate) fn row_params(
    shape: &[usize],
    axes: &[usize],
    mask_shape: Option<&[usize]>,
) -> Result<(RowParams, bool)> {
    let mstrides = match mask_shape {
        Some(m) => mask_strides(m, shape)?,
        None => vec![0; shape.len()],
    };
    let (kept, reduced) = softmax_plan(shape, axes, &mstrides);
    let len = element_count(shape)?;
    let row_len: usize = axes.iter().map(|&a| shape[a]).product();
    let mut p = RowParams {
        rows: to_u32(len.checked_div(row_len).unwrap_or(0))?,
        row_len: to_u32(row_len)?,
        has_mask: u32::from(mask_shape.is_some()),
        parts: 1,
        part_len: to_u32(row_len)?,
        ..RowParams::default()
    };
    p.kept_rank = fill(
        &kept,
        &mut p.kept_dims,
        &mut p.kept_strides,
        &mut p.kept_mask_strides,
        shape,
    )?;
    p.reduced_rank = fill(
        &reduced,
        &mut p.reduced_dims,
        &mut p.reduced_strides,
        &mut p.reduced_mask_strides,
        shape,
    )?;
    let innermost_reduced = reduced.last().is_some_and(|&(_, stride, _)| stride == 1);
    Ok((p, innermost_reduced))
}

fn to_u32(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| {
        Error::Shape(format!(
            "{n} elements do not fit the kernels' 32-bit indices"
        ))
    })
}

fn fill(
    plan: &[PlannedAxis],
    dims: &mut [u32; ROW_MAX_RANK],
    strides: &mut [u32; ROW_MAX_RANK],
    mask_strides: &mut [u32; ROW_MAX_RANK],
    shape: &[usize],
) -> Result<u32> {
    if plan.len() > ROW_MAX_RANK {
        return Err(Error::Shape(format!(
            "row kernels support at most {ROW_MAX_RANK} kept and {ROW_MAX_RANK} reduced axes after merging; shape {shape:?} needs {}",
            plan.len()
        )));
    }
    for (i, &(d, s, m)) in plan.iter().enumerate() {
        dims[i] = to_u32(d)?;
        strides[i] = to_u32(s)?;
        mask_strides[i] = to_u32(m)?;
    }
    Ok(plan.len() as u32)
}

/// A softmax (forward or backward) over rows described by `params`, with an
/// optional mask.
pub(crate) struct Rows<'a> {
    pub(crate) kernel: Kernel,
    pub(crate) params: RowParams,
    pub(crate) mask: Option<&'a GpuTensor>,
}

impl<'a> Rows<'a> {
    /// `tensors` less the mask where the kernel declares none (sparsemax's
    /// take no mask; softmax's bind the input in its place).
    fn declared(
        &self,
        tensors: &[(&'static str, &'a GpuTensor)],
    ) -> Vec<(&'static str, &'a GpuTensor)> {
        tensors
            .iter()
            .copied()
            .filter(|&(name, _)| name != "mask" || self.kernel.binding(name).is_some())
            .collect()
    }

    /// Records `output = f(input)` row by row (softmax, sparsemax).
    pub(crate) fn encode(
        self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        input: &GpuTensor,
        output: &GpuTensor,
    ) -> Result<()> {
        input.check_context(ctx)?;
        output.check_context(ctx)?;
        input.check_output(output)?;
        check_mask(self.mask)?;
        // Without a mask the kernel never reads binding 4; the input stands in.
        let mask = self.mask.unwrap_or(input);
        let tensors = [("input", input), ("output", output), ("mask", mask)];
        let tensors = self.declared(&tensors);
        self.dispatch_in_groups(ctx, encoder, &tensors)
    }

    /// Records softmax's backward, `dx = y * (dy - sum(dy * y))` per row.
    pub(crate) fn encode_gradient(
        self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        y: &GpuTensor,
        dy: &GpuTensor,
        dx: &GpuTensor,
    ) -> Result<()> {
        y.check_context(ctx)?;
        dy.check_context(ctx)?;
        dx.check_context(ctx)?;
        y.check_same_shape("dy", dy)?;
        y.check_output(dx)?;
        if dy.shares_buffer(dx) {
            return Err(Error::SameTensor(
                "dx must be a different tensor from dy (dy is read while dx is written)".into(),
            ));
        }
        check_mask(self.mask)?;
        let mask = self.mask.unwrap_or(y);
        let tensors = [
            ("input", y),
            ("output", dx),
            ("mask", mask),
            ("upstream", dy),
        ];
        let tensors = self.declared(&tensors);
        self.dispatch_in_groups(ctx, encoder, &tensors)
    }
}

impl Rows<'_> {
    /// Records the rows, in groups whose tensors each fit one binding where
    /// a tensor is larger than the device's `max_storage_buffer_binding_size`
    /// (a host's device with `wgpu::Limits::default()` binds 128 MiB): groups
    /// of whole rows along the outermost kept axis, when that axis is the
    /// tensor's outermost in memory (every reduced axis inside it). A
    /// reduction over the outermost axis itself touches the whole tensor in
    /// every row, and is one dispatch, which reports `TooLarge` naming the
    /// limit. `tensors` come first the input, then tensors of its layout,
    /// and the mask (which may broadcast).
    fn dispatch_in_groups(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        tensors: &[(&'static str, &GpuTensor)],
    ) -> Result<()> {
        let limits = ctx.limits();
        let params = self.params;
        let input = tensors[0].1;
        let too_large = tensors
            .iter()
            .any(|(_, t)| t.binding_size() > limits.max_storage_buffer_binding_size);
        // The outermost kept axis: its size and stride (input, mask).
        let (outer, stride, mask_stride) = (
            params.kept_dims[0] as usize,
            params.kept_strides[0] as usize,
            params.kept_mask_strides[0] as usize,
        );
        // Elements per outer index of each tensor: the mask's own stride
        // (0 where it broadcasts over the outer axis); the input stands in
        // for a missing mask.
        let row_of = |name: &str| {
            if name == "mask" && params.has_mask != 0 {
                mask_stride
            } else {
                stride
            }
        };
        let groups = (too_large && params.kept_rank > 0 && outer * stride == input.len())
            .then(|| {
                group_size(
                    tensors,
                    row_of,
                    outer,
                    limits.max_storage_buffer_binding_size,
                    u64::from(limits.min_storage_buffer_offset_alignment),
                )
            })
            .flatten();
        let Some(group) = groups else {
            return dispatch_rows(ctx, encoder, self.kernel, params, None, tensors, &[]);
        };
        let rows_per_outer = params.rows as usize / outer;
        for start in (0..outer).step_by(group) {
            let end = (start + group).min(outer);
            let views = tensors
                .iter()
                .map(|&(name, t)| {
                    let row = row_of(name);
                    // A mask broadcast over the outer axis is bound whole.
                    if row == 0 {
                        return Ok((name, t.clone()));
                    }
                    Ok((name, t.reshape(&[outer, row])?.slice_rows(ctx, start, end)?))
                })
                .collect::<Result<Vec<_>>>()?;
            let views: Vec<(&'static str, &GpuTensor)> =
                views.iter().map(|(name, t)| (*name, t)).collect();
            let mut group_params = params;
            group_params.rows = ((end - start) * rows_per_outer) as u32;
            group_params.kept_dims[0] = (end - start) as u32;
            dispatch_rows(ctx, encoder, self.kernel, group_params, None, &views, &[])?;
        }
        Ok(())
    }
}

/// How many indices of the outermost axis one group of rows takes: as many
/// as one binding holds, a multiple of what starts every group on the
/// device's offset alignment and keeps its length a whole group of 4
/// elements (views' rules, src/tensor/views.rs). `None` where not even one
/// such unit fits.
fn group_size(
    tensors: &[(&'static str, &GpuTensor)],
    row_of: impl Fn(&str) -> usize,
    outer: usize,
    limit: u64,
    alignment: u64,
) -> Option<usize> {
    let mut unit = 1u64;
    let mut row_bytes = 0u64;
    for &(name, t) in tensors {
        let row = row_of(name) as u64;
        if row == 0 {
            continue;
        }
        let bytes = row * t.dtype().size();
        unit = lcm(unit, alignment / gcd(alignment, bytes));
        unit = lcm(unit, 4 / gcd(4, row));
        row_bytes = row_bytes.max(bytes);
    }
    let fits = (limit / row_bytes.max(1)) / unit * unit;
    (fits > 0).then(|| (fits as usize).min(outer))
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

fn lcm(a: u64, b: u64) -> u64 {
    a / gcd(a, b) * b
}

/// Masks are f32 (as [`GpuTensor::from_mask`] makes them), whatever the input's type.
fn check_mask(mask: Option<&GpuTensor>) -> Result<()> {
    match mask {
        Some(m) if m.dtype() != DType::F32 => Err(Error::DType(format!(
            "a softmax mask must hold f32 (GpuTensor::from_mask makes one); this one holds {}",
            m.dtype()
        ))),
        _ => Ok(()),
    }
}

/// Records one row kernel: `params` (its `grid_x` filled in here), each
/// tensor bound whole under its WGSL name, each extra uniform likewise.
/// `update` completes a parameter update's specialisation. A workgroup-per-row kernel
/// whose rows are longer than one workgroup should take
/// ([`row_segments`]) runs as its split twin instead: segments of a
/// workgroup each, their partial results in a scratch buffer, two dispatches.
pub(crate) fn dispatch_rows(
    ctx: &GpuContext,
    encoder: &mut wgpu::CommandEncoder,
    kernel: Kernel,
    mut params: RowParams,
    update: UpdateMode,
    tensors: &[(&'static str, &GpuTensor)],
    uniforms: &[(&'static str, &[u8])],
) -> Result<()> {
    for (_, tensor) in tensors {
        tensor.check_context(ctx)?;
    }
    // Rows may be empty (an alpha gradient over an empty batch is still written).
    if params.rows == 0 {
        return Ok(());
    }
    // A device that cannot run the kernel says so before any size check.
    ctx.check_support(kernel, ctx.workgroup_size(kernel))?;
    let limits = ctx.limits();
    for &(what, tensor) in tensors {
        if tensor.binding_size() > limits.max_storage_buffer_binding_size {
            return Err(Error::TooLarge {
                what: format!(
                    "{what} of {} elements ({} binds it whole)",
                    tensor.len(),
                    kernel.name()
                ),
                size: tensor.binding_size(),
                limit_name: "max_storage_buffer_binding_size",
                limit: limits.max_storage_buffer_binding_size,
            });
        }
    }
    // Single merged axes on either side index without a division loop, and
    // unmasked runs never touch the mask; fixed per pipeline so CPU adapters
    // do not run the other paths anyway.
    let shape = RowShape {
        kept_single: params.kept_rank == 1,
        reduced_single: params.reduced_rank == 1,
        masked: params.has_mask != 0,
    };
    let mut bindings: Vec<(&'static str, Range)> = tensors
        .iter()
        .map(|&(name, t)| (name, Range::of(t)))
        .collect();
    let split = kernel.split_twin.and_then(|twin| {
        row_segments(
            params.row_len,
            params.reduced_rank,
            ctx.workgroup_size(twin),
        )
        .map(|segments| (twin, segments))
    });
    let dtype = tensors.first().map_or(DType::F32, |(_, t)| t.dtype());
    let Some((twin, (parts, part_len))) = split else {
        let workgroups = row_workgroups(kernel, params.rows, ctx.workgroup_size(kernel));
        let specialization = match (kernel.specializations, update) {
            (Specializations::Rows, None) => Specialization::Rows(shape),
            (Specializations::ParamUpdate, Some((constraint, step))) => {
                Specialization::ParamUpdate(shape, constraint, step)
            }
            (
                family @ (Specializations::None
                | Specializations::PreluAlpha
                | Specializations::Rows
                | Specializations::SplitRows
                | Specializations::ParamUpdate),
                update,
            ) => {
                return Err(Error::Internal(format!(
                    "{kernel:?} ({family:?}) recorded as a row job with update {update:?}"
                )))
            }
        };
        let job = RowJob {
            params,
            specialization,
            dtype,
            buffers: &bindings,
            uniforms,
        };
        return dispatch_once(ctx, encoder, kernel, workgroups, &job);
    };
    params.parts = parts;
    params.part_len = part_len;
    let segments = params.rows.checked_mul(parts).ok_or_else(|| {
        Error::Shape(format!(
            "{} rows of {parts} segments do not fit 32-bit indices",
            params.rows
        ))
    })?;
    let Mapping::WorkgroupPerSegment {
        finishing,
        partial_size,
    } = twin.mapping
    else {
        return Err(Error::Internal(format!("{twin:?} is not a split kernel")));
    };
    let partials = ctx.gl_call(|| {
        ctx.device().create_buffer(&wgpu::BufferDescriptor {
            label: Some(twin.name()),
            size: u64::from(segments) * partial_size,
            usage: wgpu::BufferUsages::STORAGE,
            mapped_at_creation: false,
        })
    });
    // Destroyed after this work's submission (or left to wgpu where the
    // encoder is the caller's): src/context/owned_buffer.rs.
    let partials = ctx.own(partials);
    bindings.push((
        "partials",
        Range {
            buffer: partials.bound(),
            offset: 0,
            size: None,
        },
    ));
    let mut job = RowJob {
        params,
        specialization: Specialization::SplitRows(shape, false),
        dtype,
        buffers: &bindings,
        uniforms,
    };
    dispatch_once(ctx, encoder, twin, segments, &job)?;
    // The alpha gradient's second pass is a workgroup per alpha element;
    // softmax's, a workgroup per segment again.
    let finishing = match finishing {
        Finishing::Rows => params.rows,
        Finishing::Segments => segments,
    };
    job.specialization = Specialization::SplitRows(shape, true);
    dispatch_once(ctx, encoder, twin, finishing, &job)
}

/// What one row dispatch binds: the rows, the pipeline's specialisation,
/// the tensors' element type, each buffer under its WGSL name (bound whole)
/// and each extra uniform's bytes under its name.
struct RowJob<'a> {
    params: RowParams,
    specialization: Specialization,
    dtype: DType,
    buffers: &'a [(&'static str, Range<'a>)],
    uniforms: &'a [(&'static str, &'a [u8])],
}

/// One dispatch of `workgroups` workgroups of `kernel` running `job`.
fn dispatch_once(
    ctx: &GpuContext,
    encoder: &mut wgpu::CommandEncoder,
    kernel: Kernel,
    workgroups: u32,
    job: &RowJob,
) -> Result<()> {
    let mut params = job.params;
    let workgroup_size = ctx.workgroup_size(kernel);
    ctx.check_support(kernel, workgroup_size)?;
    // llvmpipe would stop the row loops part way and leave outputs unwritten.
    loop_budget::check(
        kernel,
        loop_budget::row_loop_iterations(kernel, &params, workgroup_size),
        ctx.loop_budget(),
    )?;
    let limits = ctx.limits();
    let grid =
        spread(workgroups, limits.max_compute_workgroups_per_dimension).ok_or_else(|| {
            Error::TooLarge {
                what: format!("{} rows of {}", params.rows, kernel.name()),
                size: u64::from(params.rows) * u64::from(params.row_len) * 4,
                limit_name: "max_compute_workgroups_per_dimension (squared)",
                limit: u64::from(limits.max_compute_workgroups_per_dimension).pow(2),
            }
        })?;
    params.grid_x = grid.x;
    // The row kernels' tensors share one type (the mask is always f32).
    let recorder = Recorder::new(
        ctx,
        kernel,
        Variant::Separate,
        job.specialization,
        job.dtype,
    )?;
    let params = ctx.uniform(bytemuck::bytes_of(&params));
    let extra: Vec<(&str, wgpu::Buffer)> = job
        .uniforms
        .iter()
        .map(|&(name, bytes)| (name, ctx.uniform(bytes)))
        .collect();
    let resources: Vec<(&str, wgpu::BindingResource<'_>)> = std::iter::once(("params", &params))
        .chain(extra.iter().map(|(name, buffer)| (*name, buffer)))
        .map(|(name, buffer)| (name, buffer.as_entire_binding()))
        .chain(
            job.buffers
                .iter()
                .map(|(name, range)| (*name, range.resource())),
        )
        .collect();
    let bind_group = recorder.bind_group(&resources)?;
    recorder.dispatch(&mut recorder.pass(encoder), &bind_group, grid);
    Ok(())
}

/// A storage binding: a tensor's range of its buffer, or a whole buffer.
#[derive(Clone, Copy, Debug)]
struct Range<'a> {
    buffer: &'a wgpu::Buffer,
    offset: u64,
    /// `None`: to the buffer's end.
    size: Option<u64>,
}

impl<'a> Range<'a> {
    /// `tensor`'s range (a view or a host's buffer starts at an offset).
    fn of(tensor: &'a GpuTensor) -> Self {
        Range {
            buffer: tensor.buffer(),
            offset: tensor.offset(),
            size: Some(tensor.binding_size()),
        }
    }

    fn resource(&self) -> wgpu::BindingResource<'a> {
        wgpu::BindingResource::Buffer(wgpu::BufferBinding {
            buffer: self.buffer,
            offset: self.offset,
            size: self.size.and_then(wgpu::BufferSize::new),
        })
    }
}
