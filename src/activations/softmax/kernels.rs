//! The softmax kernels, forward and backward: one workgroup per row (with
//! or without subgroup operations), one invocation per row, and rows cut
//! into segments (two dispatches) when one workgroup would take too long.

use crate::dtype::DType;
use crate::kernels::rows::RowParams;
use crate::kernels::spec::{
    layout, Binding, BindingKind, Family, Finishing, Kernel, KernelSpec, LoopCost, Mapping,
    Specializations, WORKGROUP_SIZE,
};

/// The workgroup max and count of the row kernels that need them
/// (sparsemax, log_softmax).
pub(crate) const REDUCTIONS: &str = include_str!("../../../shaders/rows/reductions.wgsl");

/// Prepended to the backward kernels after the row prelude: `upstream` (dy).
const GRADIENT: &str = include_str!("../../../shaders/rows/softmax_grad.wgsl");

const UPSTREAM: Binding = Binding::new("upstream", 5, BindingKind::Storage);

/// Declared by the row prelude; only softmax reads it.
const MASK: Binding = Binding::new("mask", 4, BindingKind::Storage);

/// A row kernel of the softmax family with the common defaults.
pub(crate) const fn row_kernel(name: &'static str, body: &'static str) -> KernelSpec {
    KernelSpec {
        name,
        family: Family::Rows,
        includes: &[],
        body,
        bindings: &[MASK],
        workgroup_memory: 0,
        params: layout!(RowParams),
        specializations: Specializations::Rows,
        features: wgpu::Features::empty(),
        dtypes: &[DType::F32, DType::F16],
        mapping: Mapping::WorkgroupPerRow,
        cpu_workgroup_size: 64,
        split_twin: None,
        loop_cost: LoopCost::StridedTwice,
    }
}

/// `Running` (16 bytes) per lane of the largest workgroup.
const RUNNING_MEMORY: u32 = 16 * WORKGROUP_SIZE;
/// One f32 partial sum per lane.
const SUM_MEMORY: u32 = 4 * WORKGROUP_SIZE;

/// Softmax, one workgroup per row.
pub(crate) const WORKGROUP: Kernel = Kernel(&KernelSpec {
    workgroup_memory: RUNNING_MEMORY,
    split_twin: Some(PARTS),
    ..row_kernel(
        "softmax_workgroup",
        include_str!("../../../shaders/rows/softmax_workgroup.wgsl"),
    )
});

/// Softmax, one workgroup per row, reduced with subgroup operations.
pub(crate) const SUBGROUP: Kernel = Kernel(&KernelSpec {
    workgroup_memory: RUNNING_MEMORY,
    features: wgpu::Features::SUBGROUP,
    split_twin: Some(PARTS),
    loop_cost: LoopCost::StridedTwiceSubgroups,
    ..row_kernel(
        "softmax_subgroup",
        include_str!("../../../shaders/rows/softmax_subgroup.wgsl"),
    )
});

/// Softmax, one invocation per row.
pub(crate) const INVOCATION: Kernel = Kernel(&KernelSpec {
    mapping: Mapping::InvocationPerRow,
    cpu_workgroup_size: WORKGROUP_SIZE,
    loop_cost: LoopCost::WholeRowTwice,
    ..row_kernel(
        "softmax_invocation",
        include_str!("../../../shaders/rows/softmax_invocation.wgsl"),
    )
});

/// Softmax, rows cut into segments of a workgroup each (two dispatches).
pub(crate) const PARTS: Kernel = Kernel(&KernelSpec {
    workgroup_memory: RUNNING_MEMORY,
    bindings: &[
        MASK,
        Binding::new("partials", 6, BindingKind::StorageReadWrite),
    ],
    specializations: Specializations::SplitRows,
    mapping: Mapping::WorkgroupPerSegment {
        finishing: Finishing::Segments,
        partial_size: 16,
    },
    loop_cost: LoopCost::SegmentTwice,
    ..row_kernel(
        "softmax_parts",
        include_str!("../../../shaders/rows/softmax_parts.wgsl"),
    )
});

/// Softmax's input gradient, one workgroup per row.
pub(crate) const GRAD_WORKGROUP: Kernel = Kernel(&KernelSpec {
    includes: &[GRADIENT],
    bindings: &[MASK, UPSTREAM],
    workgroup_memory: SUM_MEMORY,
    split_twin: Some(GRAD_PARTS),
    ..row_kernel(
        "softmax_grad_workgroup",
        include_str!("../../../shaders/rows/softmax_grad_workgroup.wgsl"),
    )
});

/// Softmax's input gradient, one invocation per row.
pub(crate) const GRAD_INVOCATION: Kernel = Kernel(&KernelSpec {
    includes: &[GRADIENT],
    bindings: &[MASK, UPSTREAM],
    mapping: Mapping::InvocationPerRow,
    cpu_workgroup_size: WORKGROUP_SIZE,
    loop_cost: LoopCost::WholeRowTwice,
    ..row_kernel(
        "softmax_grad_invocation",
        include_str!("../../../shaders/rows/softmax_grad_invocation.wgsl"),
    )
});

/// Softmax's input gradient, rows cut into segments (two dispatches).
pub(crate) const GRAD_PARTS: Kernel = Kernel(&KernelSpec {
    includes: &[GRADIENT],
    bindings: &[
        MASK,
        UPSTREAM,
        Binding::new("partials", 6, BindingKind::StorageReadWrite),
    ],
    workgroup_memory: SUM_MEMORY,
    specializations: Specializations::SplitRows,
    mapping: Mapping::WorkgroupPerSegment {
        finishing: Finishing::Segments,
        partial_size: 4,
    },
    loop_cost: LoopCost::SegmentTwice,
    ..row_kernel(
        "softmax_grad_parts",
        include_str!("../../../shaders/rows/softmax_grad_parts.wgsl"),
    )
});

/// Every softmax kernel.
pub(crate) const ALL: [Kernel; 7] = [
    WORKGROUP,
    SUBGROUP,
    INVOCATION,
    PARTS,
    GRAD_WORKGROUP,
    GRAD_INVOCATION,
    GRAD_PARTS,
];
