//! Kernels the bench launches itself, for the sweeps (`--sweep`).
//!
//! The library picks two knobs per adapter type and offers no setting for
//! either: invocations per workgroup (`dispatch::workgroup_size`, read
//! through `GpuContext::workgroup_size`) and vec4s per elementwise invocation
//! (`dispatch::vec4s_per_invocation`). Nor has it an identity kernel. It does
//! publish what a launch is made of: each kernel's source and override
//! constants (`Kernel::source`, `Specialization::overrides`), the launch
//! arithmetic (`chunks`, `spread`) and the uniform layouts (`Launch`,
//! `PreluParams`, `RowParams`), through the crate's unstable `internals`. A probe
//! builds a pipeline from those with the knobs set by hand and records it as
//! src/launch.rs does (elementwise: a dispatch per binding-sized chunk,
//! a grid-stride loop) or as src/launch_rows.rs does for one unsplit
//! dispatch of a row kernel. BENCHMARKS.md's sweeps were made by editing
//! the choices in src/dispatch.rs and LeakyReLU's `apply`; now they are flags.
//!
//! A probe's output is checked against the CPU reference before it is timed,
//! like every row, so a probe whose launch drifted from the library's stops
//! the run instead of timing something else; and each sweep times a probe at
//! the library's own settings beside the library's layer, so the two paths
//! can be compared in the same run.

use std::error::Error;

use wgpu_activations::{
    internals::{
        self, chunks, row_loop_iterations, row_segments, spread, Grid, Kernel, Launch, PreluAlpha,
        PreluParams, RowParams, RowShape, ScalarParams, Specialization, Variant, ENTRY_POINT,
    },
    wgpu::{self, util::DeviceExt},
    DType, GpuContext, GpuTensor, Layer, LeakyReLU, PReLU, Softmax, SoftmaxMapping,
};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// What an elementwise probe computes.
pub enum Body {
    /// `out = x`: LeakyReLU's kernel with `apply` replaced by the identity,
    /// so what is left is the launch path itself (bindings, grid-stride
    /// loop, bounds checks, f32 conversion of the stored type).
    Identity,
    /// `LeakyReLU(negative_slope)`.
    LeakyRelu(f32),
    /// `PReLU` with alpha along the innermost axis (alpha's length is the
    /// last dimension, a multiple of 4: the kernel's `InnermostVec4` path,
    /// the one the main table's PReLU takes).
    Prelu(Vec<f32>),
}

/// A compiled kernel and its dispatches over one tensor size.
pub struct Probe {
    /// The library's kernel the probe compiles; its spec maps the WGSL
    /// names below to binding indices, as the library's recorder does.
    kernel: Kernel,
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
    /// Uniforms bound whole in every dispatch, by WGSL name (`params`).
    uniforms: Vec<(&'static str, wgpu::Buffer)>,
    /// Storage bound whole beside input and output: PReLU's `alpha`, or for
    /// a row kernel the input again as its `mask`, which it never reads (as
    /// src/launch_rows.rs binds it).
    binding4: Binding4,
    dispatches: Vec<Dispatch>,
    len: usize,
    dtype: DType,
    /// The layer whose CPU reference the output must match; `None`: the identity.
    reference: Option<Box<dyn Layer>>,
}

enum Binding4 {
    None,
    Alpha(GpuTensor),
    Input,
}

struct Dispatch {
    /// The chunk's `Launch` at binding 0 (elementwise kernels only).
    launch: Option<wgpu::Buffer>,
    /// Byte offset and size of input and output this dispatch binds;
    /// `None`: both whole.
    range: Option<(u64, u64)>,
    grid: Grid,
}

impl Probe {
    /// An elementwise kernel over a tensor of `shape`, in workgroups of
    /// `workgroup_size`, each invocation covering about `vec4s` vec4s (the
    /// grid is sized for that; the kernel strides by the grid).
    pub fn elementwise(
        ctx: &GpuContext,
        shape: &[usize],
        dtype: DType,
        body: Body,
        workgroup_size: u32,
        vec4s: u32,
    ) -> Result<Self> {
        let len: usize = shape.iter().product();
        let (kernel, specialization) = match body {
            Body::Identity | Body::LeakyRelu(_) => {
                (internals::kernels::LEAKY_RELU, Specialization::None)
            }
            Body::Prelu(_) => (
                internals::kernels::PRELU,
                Specialization::PreluAlpha(PreluAlpha::InnermostVec4),
            ),
        };
        let mut source = kernel.source(Variant::Separate, dtype);
        if matches!(body, Body::Identity) {
            source = with_identity_apply(&source)?;
        }
        let pipeline = compile(ctx, kernel, &source, specialization, workgroup_size)?;
        let (params, binding4, reference): (Option<Vec<u8>>, _, Option<Box<dyn Layer>>) = match body
        {
            // The identity never reads `params`, so the derived layout has
            // no binding 1 and none may be bound.
            Body::Identity => (None, Binding4::None, None),
            Body::LeakyRelu(slope) => (
                Some(bytemuck::bytes_of(&ScalarParams::new(slope)).to_vec()),
                Binding4::None,
                Some(Box::new(LeakyReLU::new(slope)?)),
            ),
            Body::Prelu(alpha) => {
                let params = innermost_prelu_params(shape, alpha.len())?;
                let layer = PReLU::new().with_shared_axes(&[]);
                layer.build(shape)?;
                layer.set_alpha(&alpha)?;
                (
                    Some(bytemuck::bytes_of(&params).to_vec()),
                    Binding4::Alpha(GpuTensor::from_slice(ctx, &[alpha.len()], &alpha)?),
                    Some(Box::new(layer)),
                )
            }
        };
        // src/launch.rs: chunks that fit a storage binding, each a 2-D grid
        // of `len / (workgroup_size * vec4s)` workgroups striding by the grid.
        let limits = ctx.limits();
        let element_size = dtype.size();
        let mut dispatches = Vec::new();
        for chunk in chunks(
            len as u64,
            element_size,
            limits.max_storage_buffer_binding_size,
            u64::from(limits.min_storage_buffer_offset_alignment),
        ) {
            let vec4s_in_chunk = chunk.len.div_ceil(4);
            let chunk_len = u32::try_from(vec4s_in_chunk)?;
            let workgroups = chunk_len.div_ceil(workgroup_size * vec4s);
            let grid = spread(workgroups, limits.max_compute_workgroups_per_dimension)
                .ok_or_else(|| format!("{workgroups} workgroups do not fit a 2-D grid"))?;
            let launch = Launch {
                len: chunk_len,
                grid_x: grid.x,
                base: u32::try_from(chunk.start)?,
                stride: grid.x * grid.y * workgroup_size,
            };
            dispatches.push(Dispatch {
                launch: Some(uniform(ctx, bytemuck::bytes_of(&launch))),
                range: Some((
                    chunk.start * element_size,
                    vec4s_in_chunk * 4 * element_size,
                )),
                grid,
            });
        }
        Ok(Self {
            layout: pipeline.get_bind_group_layout(0),
            pipeline,
            kernel,
            uniforms: params
                .map(|p| ("params", uniform(ctx, &p)))
                .into_iter()
                .collect(),
            binding4,
            dispatches,
            len,
            dtype,
            reference,
        })
    }

    /// Softmax over the last axis of `[rows, cols]`, a workgroup of
    /// `workgroup_size` per row: the kernel `SoftmaxMapping::WorkgroupPerRow`
    /// picks (reduced with subgroup operations where the device has them).
    /// Rows long enough to be cut into segments (two dispatches,
    /// `dispatch::row_segments`) are refused: a probe is one dispatch.
    pub fn softmax_rows(
        ctx: &GpuContext,
        rows: usize,
        cols: usize,
        dtype: DType,
        workgroup_size: u32,
    ) -> Result<Self> {
        let (rows32, cols32) = (u32::try_from(rows)?, u32::try_from(cols)?);
        let kernel =
            internals::softmax_kernel(ctx, SoftmaxMapping::WorkgroupPerRow, rows32, cols32, true);
        if row_segments(cols32, 1, workgroup_size).is_some() {
            return Err(format!(
                "rows of {cols} run in segments at workgroup size {workgroup_size}; the probe does one dispatch"
            )
            .into());
        }
        // src/launch_rows.rs's description of [rows, cols] reduced over the
        // last axis: one kept and one reduced axis, no mask.
        let mut params = RowParams {
            rows: rows32,
            row_len: cols32,
            kept_rank: 1,
            reduced_rank: 1,
            has_mask: 0,
            parts: 1,
            part_len: cols32,
            ..RowParams::default()
        };
        params.kept_dims[0] = rows32;
        params.kept_strides[0] = cols32;
        params.reduced_dims[0] = cols32;
        params.reduced_strides[0] = 1;
        // llvmpipe stops an invocation's loops past its budget and leaves
        // outputs unwritten; the library refuses such a dispatch, so does this.
        let needed = row_loop_iterations(kernel, &params, workgroup_size);
        if let Some(budget) = ctx.loop_budget().filter(|&b| needed > b) {
            return Err(format!(
                "{} at workgroup size {workgroup_size} needs {needed} loop iterations per invocation; llvmpipe allows {budget}",
                kernel.name()
            )
            .into());
        }
        let grid = spread(rows32, ctx.limits().max_compute_workgroups_per_dimension)
            .ok_or_else(|| format!("{rows} rows do not fit a 2-D grid"))?;
        params.grid_x = grid.x;
        // A single kept axis, a single reduced axis, no mask.
        let shape = RowShape {
            kept_single: true,
            reduced_single: true,
            masked: false,
        };
        let source = kernel.source(Variant::Separate, dtype);
        let pipeline = compile(
            ctx,
            kernel,
            &source,
            Specialization::Rows(shape),
            workgroup_size,
        )?;
        Ok(Self {
            layout: pipeline.get_bind_group_layout(0),
            pipeline,
            kernel,
            uniforms: vec![("params", uniform(ctx, bytemuck::bytes_of(&params)))],
            binding4: Binding4::Input,
            dispatches: vec![Dispatch {
                launch: None,
                range: None,
                grid,
            }],
            len: rows * cols,
            dtype,
            reference: Some(Box::new(Softmax::new(-1))),
        })
    }

    /// Records the probe over `x` into `out` (tensors of the size and type
    /// it was built for).
    pub fn encode(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        out: &GpuTensor,
    ) -> Result<()> {
        for t in [x, out] {
            if t.len() != self.len || t.dtype() != self.dtype {
                return Err(format!(
                    "probe built for {} {} elements, given {} {}",
                    self.len,
                    self.dtype,
                    t.len(),
                    t.dtype()
                )
                .into());
            }
        }
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("bench.probe"),
            timestamp_writes: None,
        });
        pass.set_pipeline(&self.pipeline);
        for d in &self.dispatches {
            let part = |buffer| match d.range {
                Some((offset, size)) => wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer,
                    offset,
                    size: wgpu::BufferSize::new(size),
                }),
                None => wgpu::Buffer::as_entire_binding(buffer),
            };
            let at = |name: &str| {
                self.kernel
                    .binding(name)
                    .ok_or_else(|| format!("{} has no binding `{name}`", self.kernel.name()))
            };
            let mut entries = vec![
                wgpu::BindGroupEntry {
                    binding: at("input")?,
                    resource: part(x.buffer()),
                },
                wgpu::BindGroupEntry {
                    binding: at("output")?,
                    resource: part(out.buffer()),
                },
            ];
            if let Some(launch) = &d.launch {
                entries.push(whole(at("launch")?, launch));
            }
            for (name, buffer) in &self.uniforms {
                entries.push(whole(at(name)?, buffer));
            }
            match &self.binding4 {
                Binding4::None => {}
                Binding4::Alpha(alpha) => entries.push(whole(at("alpha")?, alpha.buffer())),
                Binding4::Input => entries.push(whole(at("mask")?, x.buffer())),
            }
            let bind_group = ctx.device().create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("bench.probe"),
                layout: &self.layout,
                entries: &entries,
            });
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(d.grid.x, d.grid.y, 1);
        }
        Ok(())
    }

    /// Records, submits and waits, inside a validation error scope (the
    /// library's `forward_into` runs inside error scopes too, so submit +
    /// wait compares like for like; and a rejected launch is an error here,
    /// not a silent no-op).
    pub fn run(&self, ctx: &GpuContext, x: &GpuTensor, out: &GpuTensor) -> Result<()> {
        scoped(ctx, "running a probe", || {
            let mut encoder = ctx.device().create_command_encoder(&Default::default());
            self.encode(ctx, &mut encoder, x, out)?;
            ctx.queue().submit([encoder.finish()]);
            Ok(())
        })?;
        ctx.device().poll(wgpu::PollType::wait_indefinitely())?;
        Ok(())
    }

    /// The CPU reference on `x` of `shape`.
    pub fn reference(&self, shape: &[usize], x: &[f32]) -> Result<Vec<f32>> {
        match &self.reference {
            Some(layer) => Ok(layer.reference(shape, x)?),
            None => Ok(x.to_vec()),
        }
    }
}

/// PReLU's `Params` for `[.., channels]` with alpha of `[channels]`, as
/// `prelu_params` in src/activations/prelu/layer.rs makes them: alpha varies along
/// the innermost axis only.
fn innermost_prelu_params(shape: &[usize], channels: usize) -> Result<PreluParams> {
    let (&last, outer) = shape.split_last().ok_or("PReLU needs rank 1 or more")?;
    if last != channels || !channels.is_multiple_of(4) || outer.len() != 1 {
        return Err(format!(
            "the PReLU probe takes [rows, channels] with channels a multiple of 4 and alpha of [channels]; got {shape:?} and {channels}"
        )
        .into());
    }
    let mut params = PreluParams {
        rank: 2,
        single_axis: 1,
        inner: 1,
        dim: u32::try_from(channels)?,
        ..PreluParams::default()
    };
    params.dims[0] = u32::try_from(outer[0])?;
    params.dims[1] = params.dim;
    params.alpha_strides[1] = 1;
    Ok(params)
}

/// `source` with its `fn apply(...) { ... }` (the layer's arithmetic, last
/// in every elementwise kernel) replaced by the identity.
fn with_identity_apply(source: &str) -> Result<String> {
    let start = source
        .find("fn apply(")
        .ok_or("no `fn apply(` in the kernel's source")?;
    let open = start + source[start..].find('{').ok_or("`apply` has no body")?;
    let mut depth = 0;
    for (i, c) in source[open..].char_indices() {
        depth += match c {
            '{' => 1,
            '}' => -1,
            _ => 0,
        };
        if depth == 0 {
            let end = open + i + 1;
            return Ok(format!(
                "{}fn apply(v: vec4<f32>, first: u32) -> vec4<f32> {{\n    return v;\n}}{}",
                &source[..start],
                &source[end..]
            ));
        }
    }
    Err("`apply`'s body is not closed".into())
}

/// The pipeline of `kernel`'s `source` with its `specialization`'s override
/// constants and `WORKGROUP_SIZE`, as src/pipelines.rs compiles it.
fn compile(
    ctx: &GpuContext,
    kernel: Kernel,
    source: &str,
    specialization: Specialization,
    workgroup_size: u32,
) -> Result<wgpu::ComputePipeline> {
    let limits = ctx.limits();
    let most = limits
        .max_compute_invocations_per_workgroup
        .min(limits.max_compute_workgroup_size_x);
    if workgroup_size > most {
        return Err(format!("workgroup size {workgroup_size}: this device allows {most}").into());
    }
    let mut constants = specialization.overrides();
    constants.push(("WORKGROUP_SIZE", f64::from(workgroup_size)));
    let label = format!("bench.probe.{}.wg{workgroup_size}", kernel.name());
    scoped(ctx, "compiling a probe", || {
        let module = ctx
            .device()
            .create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(&label),
                source: wgpu::ShaderSource::Wgsl(source.into()),
            });
        Ok(ctx
            .device()
            .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(&label),
                layout: None,
                module: &module,
                entry_point: Some(ENTRY_POINT),
                compilation_options: wgpu::PipelineCompilationOptions {
                    constants: &constants,
                    ..Default::default()
                },
                cache: None,
            }))
    })
}

fn uniform(ctx: &GpuContext, contents: &[u8]) -> wgpu::Buffer {
    ctx.device()
        .create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("bench.probe"),
            contents,
            usage: wgpu::BufferUsages::UNIFORM,
        })
}

/// `buffer` bound whole at `binding`.
fn whole(binding: u32, buffer: &wgpu::Buffer) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry {
        binding,
        resource: buffer.as_entire_binding(),
    }
}

/// Runs `f` inside a validation error scope: wgpu reports a bad pipeline or
/// bind group there, not as a return value.
fn scoped<T>(ctx: &GpuContext, what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let scope = ctx.device().push_error_scope(wgpu::ErrorFilter::Validation);
    let value = f();
    match pollster::block_on(scope.pop()) {
        Some(error) => Err(format!("{what}: {error}").into()),
        None => value,
    }
}
