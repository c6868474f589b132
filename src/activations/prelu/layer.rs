//! PReLU on the GPU: its kernels (forward, input gradient, alpha gradient),
//! their parameters, and its [`Layer`] impl. alpha is bound whole beside the
//! elementwise family's bindings; the kernels find each element's alpha by
//! one of three specialisations ([`PreluAlpha`]).

use bytemuck::{Pod, Zeroable};

use crate::activations::prelu::PReLU;
use crate::context::GpuContext;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kernels::rows::RowParams;
use crate::kernels::spec::{
    layout, Binding, BindingKind, Family, Finishing, Kernel, KernelSpec, LoopCost, Mapping,
    PreluAlpha, Specialization, Specializations, WORKGROUP_SIZE,
};
use crate::launch::ElementwiseJob;
use crate::layer::Layer;
use crate::shape::{check_len, prelu_index_plan};
use crate::tensor::GpuTensor;

/// PReLU's alpha lookup, shared by its forward and input-gradient kernels.
const ALPHA_LOOKUP: &str = include_str!("../../../shaders/elementwise/prelu_alpha.wgsl");

/// alpha, bound whole.
const ALPHA: Binding = Binding::new("alpha", 4, BindingKind::Storage);

/// The forward kernel.
pub(crate) const FORWARD: Kernel = Kernel(&KernelSpec {
    includes: &[ALPHA_LOOKUP],
    bindings: &[ALPHA],
    specializations: Specializations::PreluAlpha,
    ..KernelSpec::elementwise(
        "prelu",
        include_str!("../../../shaders/elementwise/prelu.wgsl"),
        layout!(PreluParams),
    )
});

/// The input gradient.
pub(crate) const GRADIENT: Kernel = Kernel(&KernelSpec {
    includes: &[ALPHA_LOOKUP],
    bindings: &[ALPHA],
    specializations: Specializations::PreluAlpha,
    ..KernelSpec::elementwise_gradient(
        "prelu_grad",
        include_str!("../../../shaders/elementwise/prelu_grad.wgsl"),
        layout!(PreluParams),
    )
});

/// Prepended to the alpha-gradient kernels after the row prelude.
const ALPHA_GRAD_COMMON: &str = include_str!("../../../shaders/rows/prelu_alpha_grad_common.wgsl");

/// The alpha-gradient kernels' bindings beyond the row family's.
const ALPHA_GRAD_BINDINGS: [Binding; 3] = [
    Binding::new("upstream", 5, BindingKind::Storage),
    Binding::new("alpha", 6, BindingKind::Storage),
    Binding::new(
        "regularization",
        7,
        BindingKind::Uniform(layout!(Regularization)),
    ),
];

/// The alpha-gradient kernels' common description.
const fn alpha_grad(name: &'static str, body: &'static str) -> KernelSpec {
    KernelSpec {
        name,
        family: Family::Rows,
        includes: &[ALPHA_GRAD_COMMON],
        body,
        bindings: &ALPHA_GRAD_BINDINGS,
        workgroup_memory: 4 * WORKGROUP_SIZE,
        params: layout!(RowParams),
        specializations: Specializations::Rows,
        features: wgpu::Features::empty(),
        // alpha is a trainable f32 weight whatever the activations' type.
        dtypes: &[DType::F32],
        mapping: Mapping::WorkgroupPerRow,
        cpu_workgroup_size: 64,
        split_twin: None,
        loop_cost: LoopCost::StridedOnce,
    }
}

/// alpha's gradient, one workgroup per alpha element.
pub(crate) const ALPHA_GRAD: Kernel = Kernel(&KernelSpec {
    split_twin: Some(ALPHA_GRAD_PARTS),
    ..alpha_grad(
        "prelu_alpha_grad",
        include_str!("../../../shaders/rows/prelu_alpha_grad.wgsl"),
    )
});

/// alpha's gradient, each element's contributions cut into segments (two dispatches).
pub(crate) const ALPHA_GRAD_PARTS: Kernel = Kernel(&KernelSpec {
    bindings: &[
        ALPHA_GRAD_BINDINGS[0],
        ALPHA_GRAD_BINDINGS[1],
        ALPHA_GRAD_BINDINGS[2],
        Binding::new("partials", 8, BindingKind::StorageReadWrite),
    ],
    specializations: Specializations::SplitRows,
    mapping: Mapping::WorkgroupPerSegment {
        finishing: Finishing::Rows,
        partial_size: 4,
    },
    loop_cost: LoopCost::SegmentOnce,
    ..alpha_grad(
        "prelu_alpha_grad_parts",
        include_str!("../../../shaders/rows/prelu_alpha_grad_parts.wgsl"),
    )
});

/// Every PReLU kernel.
pub(crate) const ALL: [Kernel; 4] = [FORWARD, GRADIENT, ALPHA_GRAD, ALPHA_GRAD_PARTS];

/// Most axes the PReLU kernels index after merging compatible neighbours.
pub const PRELU_MAX_RANK: usize = 8;

/// The forward and input-gradient kernels' uniform.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct PreluParams {
    /// Axes in use in `dims` and `alpha_strides`.
    pub rank: u32,
    /// 1 when alpha varies along at most one merged axis; then alpha's index
    /// is `(i / inner) % dim` and the arrays are not read.
    pub single_axis: u32,
    /// Elements inside one step of that axis.
    pub inner: u32,
    /// That axis's size (1 when alpha is a single value).
    pub dim: u32,
    /// The merged input shape, outermost first.
    pub dims: [u32; PRELU_MAX_RANK],
    /// alpha's stride along each merged axis, 0 where alpha broadcasts.
    pub alpha_strides: [u32; PRELU_MAX_RANK],
}

/// The alpha gradient's regularizer factors (zeros when not asked).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub(crate) struct Regularization {
    /// The L1 factor (0 for none).
    pub(crate) l1: f32,
    /// The L2 factor (0 for none).
    pub(crate) l2: f32,
    /// Padding to 16 bytes.
    pub(crate) _pad: [f32; 2],
}

impl PReLU {
    /// The forward or input-gradient job for an input of `shape`.
    fn job_for(&self, kernel: Kernel, ctx: &GpuContext, shape: &[usize]) -> Result<ElementwiseJob> {
        let alpha = self.built_for(ctx, shape)?;
        let params = prelu_params(shape, alpha.shape())?;
        let mut job = ElementwiseJob::new(kernel, &params);
        job.specialization = Specialization::PreluAlpha(alpha_mode(&params));
        job.extra = Some(("alpha", alpha));
        Ok(job)
    }
}

impl Layer for PReLU {
    fn class_name(&self) -> &'static str {
        "PReLU"
    }

    fn encode(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        out: &GpuTensor,
    ) -> Result<()> {
        self.job_for(FORWARD, ctx, x.shape())?
            .encode(ctx, encoder, x, out)
    }

    fn supports_in_place(&self) -> bool {
        true
    }

    fn encode_in_place(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
    ) -> Result<()> {
        self.job_for(FORWARD, ctx, x.shape())?
            .encode_in_place(ctx, encoder, x)
    }

    fn reference(&self, shape: &[usize], x: &[f32]) -> Result<Vec<f32>> {
        check_len(shape, x)?;
        self.cpu(shape, x)
    }

    fn encode_backward(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        dy: &GpuTensor,
        dx: &GpuTensor,
    ) -> Result<()> {
        self.job_for(GRADIENT, ctx, x.shape())?
            .encode_gradient(ctx, encoder, x, dy, dx)
    }

    fn reference_backward(&self, shape: &[usize], x: &[f32], dy: &[f32]) -> Result<Vec<f32>> {
        check_len(shape, x)?;
        check_len(shape, dy)?;
        self.cpu_grad(shape, x, dy)
    }
}

crate::layer::inherent_forward!(@input PReLU);

/// The cheapest way the kernel can find alpha for these parameters.
fn alpha_mode(params: &PreluParams) -> PreluAlpha {
    match (params.single_axis != 0, params.inner, params.dim % 4) {
        (true, 1, 0) => PreluAlpha::InnermostVec4,
        (true, inner, _) if inner % 4 == 0 => PreluAlpha::SharedByVec4,
        _ => PreluAlpha::General,
    }
}

/// The kernels' index plan; at most [`PRELU_MAX_RANK`] merged axes.
fn prelu_params(shape: &[usize], alpha_shape: &[usize]) -> Result<PreluParams> {
    let plan = prelu_index_plan(shape, alpha_shape)?;
    if plan.len() > PRELU_MAX_RANK {
        return Err(Error::Shape(format!(
            "PReLU supports at most {PRELU_MAX_RANK} axes after merging broadcast-compatible neighbours; \
             input {shape:?} with alpha {alpha_shape:?} needs {}",
            plan.len()
        )));
    }
    let mut params = PreluParams {
        rank: plan.len() as u32,
        ..PreluParams::default()
    };
    for (i, &(dim, stride)) in plan.iter().enumerate() {
        // Both are bounded by the tensor's element count, which fits u32.
        params.dims[i] = dim as u32;
        params.alpha_strides[i] = stride as u32;
    }
    let varying: Vec<usize> = (0..plan.len()).filter(|&i| plan[i].1 != 0).collect();
    if let [] | [_] = varying.as_slice() {
        params.single_axis = 1;
        params.dim = varying.first().map_or(1, |&i| plan[i].0 as u32);
        params.inner = varying.first().map_or(1, |&i| {
            plan[i + 1..].iter().map(|&(d, _)| d).product::<usize>() as u32
        });
    }
    Ok(params)
}
