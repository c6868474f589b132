//! The kernels that work on a weight: its update (an SGD step and a Keras
//! constraint) and a regularizer's penalty, with their uniforms.

use bytemuck::{Pod, Zeroable};

use crate::dtype::DType;
use crate::kernels::rows::RowParams;
use crate::kernels::spec::{
    layout, Binding, BindingKind, Family, Kernel, KernelSpec, LoopCost, Mapping, Specializations,
    WORKGROUP_SIZE,
};

/// An SGD step and a Keras constraint on a parameter, one invocation per
/// row (a row is the slice a norm constraint normalises).
pub(crate) const PARAM_UPDATE: Kernel = Kernel(&KernelSpec {
    name: "param_update",
    family: Family::Rows,
    includes: &[],
    body: include_str!("../../shaders/weights/param_update.wgsl"),
    bindings: &[Binding::new(
        "update",
        7,
        BindingKind::Uniform(layout!(Update)),
    )],
    workgroup_memory: 0,
    params: layout!(RowParams),
    specializations: Specializations::ParamUpdate,
    features: wgpu::Features::empty(),
    dtypes: &[DType::F32],
    mapping: Mapping::InvocationPerRow,
    cpu_workgroup_size: WORKGROUP_SIZE,
    split_twin: None,
    loop_cost: LoopCost::WholeRowTwice,
});

/// [`PARAM_UPDATE`] over consecutive chunks of each row, for rows longer
/// than one invocation may loop over on llvmpipe (a norm over more than
/// about 32,000 elements): the chunks' squares summed into `squares` first
/// (phase 0), then the constraint applied chunk by chunk (phase 1).
pub(crate) const PARAM_UPDATE_CHUNK: Kernel = Kernel(&KernelSpec {
    name: "param_update_chunk",
    body: include_str!("../../shaders/weights/param_update_chunk.wgsl"),
    bindings: &[
        Binding::new("update", 7, BindingKind::Uniform(layout!(Update))),
        Binding::new("squares", 8, BindingKind::StorageReadWrite),
    ],
    ..*PARAM_UPDATE.0
});

/// A regularizer's penalty on a parameter: one workgroup strides over it.
pub(crate) const PARAM_PENALTY: Kernel = Kernel(&KernelSpec {
    name: "param_penalty",
    family: Family::Standalone,
    includes: &[],
    body: include_str!("../../shaders/weights/param_penalty.wgsl"),
    bindings: &[
        Binding::new("input", 2, BindingKind::Storage),
        Binding::new("output", 3, BindingKind::StorageReadWrite),
    ],
    // The tree reduction's vec2 (L1 and L2 sums) per lane.
    workgroup_memory: 8 * WORKGROUP_SIZE,
    params: layout!(PenaltyParams),
    specializations: Specializations::None,
    features: wgpu::Features::empty(),
    dtypes: &[DType::F32],
    mapping: Mapping::OneWorkgroup,
    cpu_workgroup_size: WORKGROUP_SIZE,
    split_twin: None,
    loop_cost: LoopCost::Array,
});

/// Every weight kernel.
pub(crate) const ALL: [Kernel; 3] = [PARAM_UPDATE, PARAM_UPDATE_CHUNK, PARAM_PENALTY];

/// [`PARAM_UPDATE`]'s step and constraint bounds.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub(crate) struct Update {
    /// The SGD step's learning rate.
    pub(crate) learning_rate: f32,
    /// The norm constraints' lower bound.
    pub(crate) min_value: f32,
    /// The norm constraints' upper bound.
    pub(crate) max_value: f32,
    /// `min_max_norm`'s rate (1 for `max_norm`).
    pub(crate) rate: f32,
    /// [`PARAM_UPDATE_CHUNK`]'s chunk: its first element in the row,
    pub(crate) first: u32,
    /// its length,
    pub(crate) count: u32,
    /// and the phase (0 the step and the squares, 1 the constraint).
    pub(crate) phase: u32,
    /// Padding to 32 bytes.
    pub(crate) _pad: u32,
}

/// [`PARAM_PENALTY`]'s uniform.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub(crate) struct PenaltyParams {
    /// Elements of the parameter.
    pub(crate) len: u32,
    /// The L1 factor.
    pub(crate) l1: f32,
    /// The L2 factor.
    pub(crate) l2: f32,
    /// The first element this dispatch sums (0: it writes the output,
    /// later chunks add to it).
    pub(crate) first: u32,
}
