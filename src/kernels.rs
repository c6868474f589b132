//! The typed registry of compute kernels: one WGSL file per kernel under
//! `shaders/`, each with a `main` entry point, and the `#[repr(C)]` uniform
//! structs that mirror the WGSL `Params` structs field for field.
//!
//! Parameters always travel in uniform buffers, so one compiled pipeline per
//! kernel serves every parameter value.

use bytemuck::{Pod, Zeroable};

/// Prepended to every kernel: the workgroup size and the grid index helper.
const COMMON: &str = include_str!("../shaders/common.wgsl");

/// Prepended to the elementwise kernels: the `Launch` uniform and `main`.
const ELEMENTWISE: &str = include_str!("../shaders/elementwise.wgsl");

/// Elementwise I/O: read `input`, write `output`.
const IO_SEPARATE: &str = include_str!("../shaders/io_separate.wgsl");

/// Elementwise I/O: read and write `output` in place.
const IO_IN_PLACE: &str = include_str!("../shaders/io_in_place.wgsl");

/// Prepended to the softmax kernels: bindings, `Params` and the online-softmax helpers.
const SOFTMAX_COMMON: &str = include_str!("../shaders/softmax_common.wgsl");

/// Every compute kernel the crate dispatches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Kernel {
    /// `shaders/relu.wgsl`
    Relu,
    /// `shaders/leaky_relu.wgsl`
    LeakyRelu,
    /// `shaders/elu.wgsl`
    Elu,
    /// `shaders/thresholded_relu.wgsl`
    ThresholdedRelu,
    /// `shaders/prelu.wgsl`
    Prelu,
    /// `shaders/softmax_workgroup.wgsl`: softmax, one workgroup per row.
    SoftmaxWorkgroup,
    /// `shaders/softmax_invocation.wgsl`: softmax, one invocation per row.
    SoftmaxInvocation,
    /// `shaders/softmax_subgroup.wgsl`: softmax, one workgroup per row,
    /// reduced with subgroup operations (needs `Features::SUBGROUP`).
    SoftmaxSubgroup,
}

impl Kernel {
    /// Every kernel, for tests that validate or compile them all.
    pub const ALL: [Kernel; 8] = [
        Kernel::Relu,
        Kernel::LeakyRelu,
        Kernel::Elu,
        Kernel::ThresholdedRelu,
        Kernel::Prelu,
        Kernel::SoftmaxWorkgroup,
        Kernel::SoftmaxInvocation,
        Kernel::SoftmaxSubgroup,
    ];

    /// The kernel's name, used in labels: `wgpu-activations.<name>`.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Relu => "relu",
            Kernel::LeakyRelu => "leaky_relu",
            Kernel::Elu => "elu",
            Kernel::ThresholdedRelu => "thresholded_relu",
            Kernel::Prelu => "prelu",
            Kernel::SoftmaxWorkgroup => "softmax_workgroup",
            Kernel::SoftmaxInvocation => "softmax_invocation",
            Kernel::SoftmaxSubgroup => "softmax_subgroup",
        }
    }

    /// The kernel's own file, without the common prelude.
    fn file(self) -> &'static str {
        match self {
            Kernel::Relu => include_str!("../shaders/relu.wgsl"),
            Kernel::LeakyRelu => include_str!("../shaders/leaky_relu.wgsl"),
            Kernel::Elu => include_str!("../shaders/elu.wgsl"),
            Kernel::ThresholdedRelu => include_str!("../shaders/thresholded_relu.wgsl"),
            Kernel::Prelu => include_str!("../shaders/prelu.wgsl"),
            Kernel::SoftmaxWorkgroup => include_str!("../shaders/softmax_workgroup.wgsl"),
            Kernel::SoftmaxInvocation => include_str!("../shaders/softmax_invocation.wgsl"),
            Kernel::SoftmaxSubgroup => include_str!("../shaders/softmax_subgroup.wgsl"),
        }
    }

    /// The WGSL `override` constants of a specialisation, set when the
    /// pipeline is created. Specialisations pick code paths that a uniform
    /// branch would not prune on CPU adapters (which run every path).
    pub fn overrides(self, specialization: u32) -> Vec<(&'static str, f64)> {
        match self {
            Kernel::Prelu => vec![("ALPHA_MODE", f64::from(specialization))],
            Kernel::SoftmaxWorkgroup | Kernel::SoftmaxInvocation | Kernel::SoftmaxSubgroup => vec![
                ("KEPT_SINGLE", f64::from(specialization & 1)),
                ("REDUCED_SINGLE", f64::from((specialization >> 1) & 1)),
                ("HAS_MASK", f64::from((specialization >> 2) & 1)),
            ],
            _ => Vec::new(),
        }
    }

    /// Every specialisation of the kernel (for tests that compile them all).
    pub fn specializations(self) -> std::ops::Range<u32> {
        match self {
            Kernel::Prelu => 0..3,
            Kernel::SoftmaxWorkgroup | Kernel::SoftmaxInvocation | Kernel::SoftmaxSubgroup => 0..8,
            _ => 0..1,
        }
    }

    /// The device features the kernel needs beyond baseline WebGPU.
    pub fn required_features(self) -> wgpu::Features {
        match self {
            Kernel::SoftmaxSubgroup => wgpu::Features::SUBGROUP,
            _ => wgpu::Features::empty(),
        }
    }

    /// Whether the kernel is elementwise (and so also has an in-place variant).
    pub fn is_elementwise(self) -> bool {
        !matches!(
            self,
            Kernel::SoftmaxWorkgroup | Kernel::SoftmaxInvocation | Kernel::SoftmaxSubgroup
        )
    }

    /// The variants this kernel is compiled in.
    pub fn variants(self) -> &'static [Variant] {
        if self.is_elementwise() {
            &[Variant::Separate, Variant::InPlace]
        } else {
            &[Variant::Separate]
        }
    }

    /// The complete WGSL source of one variant: the common prelude, the
    /// kernel family's shared files, then the kernel's own file.
    ///
    /// ```
    /// use wgpu_activations::kernels::{Kernel, Variant};
    /// assert!(Kernel::Relu.source(Variant::InPlace).contains("fn main"));
    /// ```
    pub fn source(self, variant: Variant) -> String {
        let family = if self.is_elementwise() {
            let io = match variant {
                Variant::Separate => IO_SEPARATE,
                Variant::InPlace => IO_IN_PLACE,
            };
            format!("{ELEMENTWISE}\n{io}")
        } else {
            SOFTMAX_COMMON.to_string()
        };
        format!("{COMMON}\n{family}\n{}", self.file())
    }

    /// Size in bytes of the kernel's `Params` uniform (checked against naga in tests).
    pub fn params_size(self) -> usize {
        match self {
            Kernel::Relu => size_of::<ReluParams>(),
            Kernel::LeakyRelu | Kernel::Elu | Kernel::ThresholdedRelu => size_of::<ScalarParams>(),
            Kernel::Prelu => size_of::<PreluParams>(),
            Kernel::SoftmaxWorkgroup | Kernel::SoftmaxInvocation | Kernel::SoftmaxSubgroup => {
                size_of::<SoftmaxParams>()
            }
        }
    }
}

/// How a kernel is bound: the pipeline cache's key beside the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Variant {
    /// Reads one buffer, writes another.
    Separate,
    /// Reads and writes one buffer (elementwise kernels only).
    InPlace,
}

/// The entry point of every kernel.
pub const ENTRY_POINT: &str = "main";

/// The default of the `WORKGROUP_SIZE` override in shaders/common.wgsl, and
/// the largest size any pipeline is created with (`MAX_WORKGROUP_SIZE`
/// there). 256 is WebGPU's guaranteed minimum for
/// `max_compute_invocations_per_workgroup`, so it runs on every adapter;
/// `dispatch::workgroup_size` picks smaller ones where measured faster.
pub const WORKGROUP_SIZE: u32 = 256;

/// One chunk's launch description. Keep in step with `Launch` in shaders/elementwise.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct Launch {
    /// vec4s in this chunk.
    pub len: u32,
    /// Workgroups along x; the grid continues along y.
    pub grid_x: u32,
    /// Index of the chunk's first element in the whole tensor.
    pub base: u32,
    /// Invocations in the whole grid (each invocation's step).
    pub stride: u32,
}

/// Keep in step with `Params` in shaders/relu.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct ReluParams {
    /// Upper clip, read only when `has_max` is 1.
    pub max_value: f32,
    /// Slope below the threshold.
    pub negative_slope: f32,
    /// Where the linear part starts (strict `x > threshold`).
    pub threshold: f32,
    /// 1 when `max_value` is set.
    pub has_max: u32,
}

/// One scalar and padding: `Params` of shaders/leaky_relu.wgsl (negative_slope),
/// shaders/elu.wgsl (alpha) and shaders/thresholded_relu.wgsl (theta). Keep in step.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct ScalarParams {
    /// The layer's one argument.
    pub value: f32,
    /// Padding to 16 bytes.
    pub _pad: [f32; 3],
}

impl ScalarParams {
    /// Wraps one scalar argument.
    pub fn new(value: f32) -> Self {
        Self {
            value,
            _pad: [0.0; 3],
        }
    }
}

/// How the PReLU kernel finds alpha (`ALPHA_MODE` in shaders/prelu.wgsl).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreluAlpha {
    /// The general index loop, per element.
    General = 0,
    /// alpha varies along the innermost axis, a multiple of 4 long.
    InnermostVec4 = 1,
    /// alpha varies along one outer axis whose inner block is a multiple of 4.
    SharedByVec4 = 2,
}

/// Most axes the PReLU kernel indexes after merging compatible neighbours.
pub const PRELU_MAX_RANK: usize = 8;

/// Keep in step with `Params` in shaders/prelu.wgsl.
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

/// Most merged axes on each side (kept, reduced) of a softmax.
pub const SOFTMAX_MAX_RANK: usize = 8;

/// Keep in step with `Params` in shaders/softmax.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct SoftmaxParams {
    /// Number of rows (one workgroup each).
    pub rows: u32,
    /// Elements per row.
    pub row_len: u32,
    /// Merged kept axes in use.
    pub kept_rank: u32,
    /// Merged reduced axes in use.
    pub reduced_rank: u32,
    /// 1 when a mask is bound.
    pub has_mask: u32,
    /// Workgroups along x; rows continue along y.
    pub grid_x: u32,
    /// Padding to 16 bytes.
    pub _pad: [u32; 2],
    /// Sizes of the kept axes, outermost first.
    pub kept_dims: [u32; SOFTMAX_MAX_RANK],
    /// Input strides of the kept axes.
    pub kept_strides: [u32; SOFTMAX_MAX_RANK],
    /// Mask strides of the kept axes (0 where the mask broadcasts).
    pub kept_mask_strides: [u32; SOFTMAX_MAX_RANK],
    /// Sizes of the reduced axes, outermost first.
    pub reduced_dims: [u32; SOFTMAX_MAX_RANK],
    /// Input strides of the reduced axes.
    pub reduced_strides: [u32; SOFTMAX_MAX_RANK],
    /// Mask strides of the reduced axes.
    pub reduced_mask_strides: [u32; SOFTMAX_MAX_RANK],
}
