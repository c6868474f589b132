//! The typed registry of compute kernels: one WGSL file per kernel under
//! `shaders/`, each with a `main` entry point, and the `#[repr(C)]` uniform
//! structs that mirror the WGSL `Params` structs field for field.
//!
//! Parameters always travel in uniform buffers, so one compiled pipeline per
//! kernel serves every parameter value.

use bytemuck::{Pod, Zeroable};

use crate::dtype::DType;

/// Prepended to every kernel: the workgroup size and the grid index helper.
const COMMON: &str = include_str!("../shaders/common.wgsl");

/// Prepended to the elementwise kernels: the `Launch` uniform and `main`.
const ELEMENTWISE: &str = include_str!("../shaders/elementwise.wgsl");

/// Elementwise I/O: read `input`, write `output`.
const IO_SEPARATE: &str = include_str!("../shaders/io_separate.wgsl");

/// Elementwise I/O: read and write `output` in place.
const IO_IN_PLACE: &str = include_str!("../shaders/io_in_place.wgsl");

/// Elementwise I/O for backward passes: read x and dy, write dx.
const IO_GRADIENT: &str = include_str!("../shaders/io_gradient.wgsl");

/// PReLU's alpha lookup, shared by its forward and input-gradient kernels.
const PRELU_ALPHA: &str = include_str!("../shaders/prelu_alpha.wgsl");

/// Prepended to the row kernels: bindings, `Params`, row indexing and the
/// online-softmax helpers.
const SOFTMAX_COMMON: &str = concat!(
    include_str!("../shaders/softmax_common.wgsl"),
    "\n",
    include_str!("../shaders/online_softmax.wgsl")
);

/// Prepended to PReLU's alpha-gradient kernels after [`SOFTMAX_COMMON`].
const PRELU_ALPHA_GRAD_COMMON: &str = include_str!("../shaders/prelu_alpha_grad_common.wgsl");

/// Prepended to the softmax backward kernels after [`SOFTMAX_COMMON`].
const SOFTMAX_GRAD: &str = include_str!("../shaders/softmax_grad.wgsl");

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
    /// `shaders/relu_grad.wgsl`: ReLU's input gradient.
    ReluGrad,
    /// `shaders/leaky_relu_grad.wgsl`: LeakyReLU's input gradient.
    LeakyReluGrad,
    /// `shaders/elu_grad.wgsl`: ELU's input gradient.
    EluGrad,
    /// `shaders/thresholded_relu_grad.wgsl`: ThresholdedReLU's input gradient.
    ThresholdedReluGrad,
    /// `shaders/prelu_grad.wgsl`: PReLU's input gradient.
    PreluGrad,
    /// `shaders/softmax_grad_workgroup.wgsl`: softmax's input gradient, one workgroup per row.
    SoftmaxGradWorkgroup,
    /// `shaders/softmax_grad_invocation.wgsl`: softmax's input gradient, one invocation per row.
    SoftmaxGradInvocation,
    /// `shaders/prelu_alpha_grad.wgsl`: PReLU's alpha gradient, one workgroup per alpha element.
    PreluAlphaGrad,
    /// `shaders/softmax_parts.wgsl`: softmax, rows cut into segments of a
    /// workgroup each (two dispatches).
    SoftmaxParts,
    /// `shaders/softmax_grad_parts.wgsl`: softmax's input gradient, rows cut
    /// into segments of a workgroup each (two dispatches).
    SoftmaxGradParts,
    /// `shaders/prelu_alpha_grad_parts.wgsl`: PReLU's alpha gradient, each
    /// alpha element's contributions cut into segments (two dispatches).
    PreluAlphaGradParts,
    /// `shaders/param_update.wgsl`: an SGD step and a Keras constraint on a parameter.
    ParamUpdate,
    /// `shaders/param_penalty.wgsl`: a regularizer's penalty on a parameter.
    ParamPenalty,
    /// `shaders/mse_grad.wgsl`: the mean squared error's gradient.
    MseGrad,
}

/// Which shared files a kernel's source starts with, and how it is bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    /// `out[i] = f(x[i])` over vec4 chunks, out of place or in place.
    Elementwise,
    /// `dx[i] = dy[i] * f'(x[i])` over vec4 chunks.
    ElementwiseGradient,
    /// Rows described by [`SoftmaxParams`] (softmax, alpha's gradient, parameter updates).
    Rows,
    /// Softmax backward rows.
    SoftmaxGradient,
    /// A kernel that needs only [`COMMON`].
    Standalone,
}

impl Kernel {
    /// Every kernel, for tests that validate or compile them all.
    pub const ALL: [Kernel; 22] = [
        Kernel::Relu,
        Kernel::LeakyRelu,
        Kernel::Elu,
        Kernel::ThresholdedRelu,
        Kernel::Prelu,
        Kernel::SoftmaxWorkgroup,
        Kernel::SoftmaxInvocation,
        Kernel::SoftmaxSubgroup,
        Kernel::ReluGrad,
        Kernel::LeakyReluGrad,
        Kernel::EluGrad,
        Kernel::ThresholdedReluGrad,
        Kernel::PreluGrad,
        Kernel::SoftmaxGradWorkgroup,
        Kernel::SoftmaxGradInvocation,
        Kernel::PreluAlphaGrad,
        Kernel::SoftmaxParts,
        Kernel::SoftmaxGradParts,
        Kernel::PreluAlphaGradParts,
        Kernel::ParamUpdate,
        Kernel::ParamPenalty,
        Kernel::MseGrad,
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
            Kernel::ReluGrad => "relu_grad",
            Kernel::LeakyReluGrad => "leaky_relu_grad",
            Kernel::EluGrad => "elu_grad",
            Kernel::ThresholdedReluGrad => "thresholded_relu_grad",
            Kernel::PreluGrad => "prelu_grad",
            Kernel::SoftmaxGradWorkgroup => "softmax_grad_workgroup",
            Kernel::SoftmaxGradInvocation => "softmax_grad_invocation",
            Kernel::PreluAlphaGrad => "prelu_alpha_grad",
            Kernel::SoftmaxParts => "softmax_parts",
            Kernel::SoftmaxGradParts => "softmax_grad_parts",
            Kernel::PreluAlphaGradParts => "prelu_alpha_grad_parts",
            Kernel::ParamUpdate => "param_update",
            Kernel::ParamPenalty => "param_penalty",
            Kernel::MseGrad => "mse_grad",
        }
    }

    fn family(self) -> Family {
        match self {
            Kernel::Relu
            | Kernel::LeakyRelu
            | Kernel::Elu
            | Kernel::ThresholdedRelu
            | Kernel::Prelu => Family::Elementwise,
            Kernel::ReluGrad
            | Kernel::LeakyReluGrad
            | Kernel::EluGrad
            | Kernel::ThresholdedReluGrad
            | Kernel::PreluGrad
            | Kernel::MseGrad => Family::ElementwiseGradient,
            Kernel::SoftmaxWorkgroup
            | Kernel::SoftmaxInvocation
            | Kernel::SoftmaxSubgroup
            | Kernel::SoftmaxParts
            | Kernel::PreluAlphaGrad
            | Kernel::PreluAlphaGradParts
            | Kernel::ParamUpdate => Family::Rows,
            Kernel::SoftmaxGradWorkgroup
            | Kernel::SoftmaxGradInvocation
            | Kernel::SoftmaxGradParts => Family::SoftmaxGradient,
            Kernel::ParamPenalty => Family::Standalone,
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
            Kernel::ReluGrad => include_str!("../shaders/relu_grad.wgsl"),
            Kernel::LeakyReluGrad => include_str!("../shaders/leaky_relu_grad.wgsl"),
            Kernel::EluGrad => include_str!("../shaders/elu_grad.wgsl"),
            Kernel::ThresholdedReluGrad => include_str!("../shaders/thresholded_relu_grad.wgsl"),
            Kernel::PreluGrad => include_str!("../shaders/prelu_grad.wgsl"),
            Kernel::SoftmaxGradWorkgroup => include_str!("../shaders/softmax_grad_workgroup.wgsl"),
            Kernel::SoftmaxGradInvocation => {
                include_str!("../shaders/softmax_grad_invocation.wgsl")
            }
            Kernel::PreluAlphaGrad => include_str!("../shaders/prelu_alpha_grad.wgsl"),
            Kernel::SoftmaxParts => include_str!("../shaders/softmax_parts.wgsl"),
            Kernel::SoftmaxGradParts => include_str!("../shaders/softmax_grad_parts.wgsl"),
            Kernel::PreluAlphaGradParts => include_str!("../shaders/prelu_alpha_grad_parts.wgsl"),
            Kernel::ParamUpdate => include_str!("../shaders/param_update.wgsl"),
            Kernel::ParamPenalty => include_str!("../shaders/param_penalty.wgsl"),
            Kernel::MseGrad => include_str!("../shaders/mse_grad.wgsl"),
        }
    }

    /// The WGSL `override` constants of a specialisation, set when the
    /// pipeline is created. Specialisations pick code paths that a uniform
    /// branch would not prune on CPU adapters (which run every path).
    pub fn overrides(self, specialization: u32) -> Vec<(&'static str, f64)> {
        match self {
            Kernel::Prelu | Kernel::PreluGrad => vec![("ALPHA_MODE", f64::from(specialization))],
            Kernel::ParamUpdate => {
                let mut rows = rows_overrides(specialization);
                rows.push(("CONSTRAINT", f64::from((specialization >> 3) & 3)));
                rows.push(("HAS_STEP", f64::from((specialization >> 5) & 1)));
                rows
            }
            _ if self.is_split() => {
                let mut rows = rows_overrides(specialization);
                rows.push(("FINISH", f64::from((specialization >> 3) & 1)));
                rows
            }
            _ if matches!(self.family(), Family::Rows | Family::SoftmaxGradient) => {
                rows_overrides(specialization)
            }
            _ => Vec::new(),
        }
    }

    /// Every specialisation of the kernel (for tests that compile them all).
    pub fn specializations(self) -> std::ops::Range<u32> {
        match self {
            Kernel::Prelu | Kernel::PreluGrad => 0..3,
            Kernel::ParamUpdate => 0..64,
            _ if self.is_split() => 0..16,
            _ if matches!(self.family(), Family::Rows | Family::SoftmaxGradient) => 0..8,
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

    /// What one dispatch binds and allocates: storage buffers, uniform
    /// buffers, and bytes of workgroup memory (checked against the device's
    /// limits before a pipeline is made).
    pub fn resources(self) -> (u32, u32, u32) {
        let storage = match self {
            Kernel::Relu | Kernel::LeakyRelu | Kernel::Elu | Kernel::ThresholdedRelu => 2,
            // + alpha; + dy for gradients; softmax's mask.
            Kernel::Prelu
            | Kernel::SoftmaxWorkgroup
            | Kernel::SoftmaxInvocation
            | Kernel::SoftmaxSubgroup
            | Kernel::ReluGrad
            | Kernel::LeakyReluGrad
            | Kernel::EluGrad
            | Kernel::ThresholdedReluGrad
            | Kernel::MseGrad => 3,
            Kernel::PreluGrad
            | Kernel::SoftmaxGradWorkgroup
            | Kernel::SoftmaxGradInvocation
            | Kernel::PreluAlphaGrad
            // + the partials.
            | Kernel::SoftmaxParts => 4,
            Kernel::SoftmaxGradParts | Kernel::PreluAlphaGradParts => 5,
            Kernel::ParamUpdate | Kernel::ParamPenalty => 2,
        };
        let uniforms = match self.family() {
            Family::Elementwise | Family::ElementwiseGradient => 2,
            _ if matches!(
                self,
                Kernel::PreluAlphaGrad | Kernel::PreluAlphaGradParts | Kernel::ParamUpdate
            ) =>
            {
                2
            }
            _ => 1,
        };
        // Workgroup arrays of MAX_WORKGROUP_SIZE: `Running` (16 bytes), the
        // f32 `partial_sums`, the penalty's vec2.
        let workgroup_memory = match self {
            Kernel::SoftmaxWorkgroup | Kernel::SoftmaxSubgroup | Kernel::SoftmaxParts => {
                16 * WORKGROUP_SIZE
            }
            Kernel::SoftmaxGradWorkgroup
            | Kernel::SoftmaxGradParts
            | Kernel::PreluAlphaGrad
            | Kernel::PreluAlphaGradParts => 4 * WORKGROUP_SIZE,
            Kernel::ParamPenalty => 8 * WORKGROUP_SIZE,
            _ => 0,
        };
        (storage, uniforms, workgroup_memory)
    }

    /// Whether the kernel cuts rows into segments and runs in two
    /// dispatches (specialisation bit 3 picks the second, `FINISH`).
    pub fn is_split(self) -> bool {
        matches!(
            self,
            Kernel::SoftmaxParts | Kernel::SoftmaxGradParts | Kernel::PreluAlphaGradParts
        )
    }

    /// Whether the kernel is elementwise over vec4 chunks (forward or backward),
    /// taking a `Launch` uniform.
    pub fn is_elementwise(self) -> bool {
        matches!(
            self.family(),
            Family::Elementwise | Family::ElementwiseGradient
        )
    }

    /// The variants this kernel is compiled in: forward elementwise kernels
    /// also run in place.
    pub fn variants(self) -> &'static [Variant] {
        if self.family() == Family::Elementwise {
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
        self.source_for(variant, DType::F32)
    }

    /// The element types the kernel's tensors may hold: the layers' kernels
    /// take f32 or f16; the parameter kernels (alpha's gradient, update and
    /// penalty) work on f32 parameters only.
    pub fn dtypes(self) -> &'static [DType] {
        match self {
            Kernel::PreluAlphaGrad
            | Kernel::PreluAlphaGradParts
            | Kernel::ParamUpdate
            | Kernel::ParamPenalty => &[DType::F32],
            _ => &[DType::F32, DType::F16],
        }
    }

    /// The complete WGSL source of one variant for tensors of `dtype`: the
    /// type prelude ([`DType`]'s `stored` alias), then as [`Kernel::source`].
    ///
    /// ```
    /// use wgpu_activations::{kernels::{Kernel, Variant}, DType};
    /// assert!(Kernel::Relu.source_for(Variant::Separate, DType::F16).starts_with("enable f16;"));
    /// ```
    pub fn source_for(self, variant: Variant, dtype: DType) -> String {
        let mut family = match self.family() {
            Family::Elementwise => {
                let io = match variant {
                    Variant::Separate => IO_SEPARATE,
                    Variant::InPlace => IO_IN_PLACE,
                };
                format!("{ELEMENTWISE}\n{io}")
            }
            Family::ElementwiseGradient => format!("{ELEMENTWISE}\n{IO_GRADIENT}"),
            Family::Rows => SOFTMAX_COMMON.to_string(),
            Family::SoftmaxGradient => format!("{SOFTMAX_COMMON}\n{SOFTMAX_GRAD}"),
            Family::Standalone => String::new(),
        };
        if matches!(self, Kernel::Prelu | Kernel::PreluGrad) {
            family = format!("{family}\n{PRELU_ALPHA}");
        }
        if matches!(self, Kernel::PreluAlphaGrad | Kernel::PreluAlphaGradParts) {
            family = format!("{family}\n{PRELU_ALPHA_GRAD_COMMON}");
        }
        format!(
            "{}{COMMON}\n{family}\n{}",
            dtype.wgsl_prelude(),
            self.file()
        )
    }

    /// Size in bytes of the kernel's `Params` uniform (checked against naga in tests).
    pub fn params_size(self) -> usize {
        match self {
            Kernel::Relu => size_of::<ReluParams>(),
            Kernel::ReluGrad => size_of::<ReluGradParams>(),
            Kernel::LeakyRelu
            | Kernel::Elu
            | Kernel::ThresholdedRelu
            | Kernel::LeakyReluGrad
            | Kernel::EluGrad
            | Kernel::ThresholdedReluGrad
            | Kernel::MseGrad => size_of::<ScalarParams>(),
            Kernel::Prelu | Kernel::PreluGrad => size_of::<PreluParams>(),
            Kernel::ParamPenalty => size_of::<PenaltyParams>(),
            _ => size_of::<SoftmaxParams>(),
        }
    }
}

/// The row kernels' overrides: bits 0..3 of a specialisation.
fn rows_overrides(specialization: u32) -> Vec<(&'static str, f64)> {
    vec![
        ("KEPT_SINGLE", f64::from(specialization & 1)),
        ("REDUCED_SINGLE", f64::from((specialization >> 1) & 1)),
        ("HAS_MASK", f64::from((specialization >> 2) & 1)),
    ]
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
/// shaders/elu.wgsl (alpha), shaders/thresholded_relu.wgsl (theta), their
/// gradients, and shaders/mse_grad.wgsl (scale). Keep in step.
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

/// Keep in step with `Params` in shaders/softmax_common.wgsl (the row kernels).
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
    /// Segments per row for the split kernels ([`Kernel::is_split`]); 1 otherwise.
    pub parts: u32,
    /// Elements per segment for the split kernels; `row_len` otherwise.
    pub part_len: u32,
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

/// Keep in step with `Params` in shaders/relu_grad.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct ReluGradParams {
    /// The positive part passes for `x > lo` (or `x >= lo` when `inclusive`);
    /// the negative part adds `slope` for `x < lo`.
    pub lo: f32,
    /// The negative part's slope.
    pub slope: f32,
    /// The clip bound, read when `clip` is 1.
    pub hi: f32,
    /// The derivative at `x == hi`: 1/2 (JAX's clip), 0 (relu6).
    pub tie: f32,
    /// 1 when the positive part is clipped at `hi`.
    pub clip: u32,
    /// 1 for `jax.nn.leaky_relu`'s `x >= 0`.
    pub inclusive: u32,
    /// Padding to 32 bytes.
    pub _pad: [u32; 2],
}

/// Keep in step with `Regularization` in shaders/prelu_alpha_grad.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct Regularization {
    /// The L1 factor (0 for none).
    pub l1: f32,
    /// The L2 factor (0 for none).
    pub l2: f32,
    /// Padding to 16 bytes.
    pub _pad: [f32; 2],
}

/// Keep in step with `Update` in shaders/param_update.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct Update {
    /// The SGD step's learning rate.
    pub learning_rate: f32,
    /// The norm constraints' lower bound.
    pub min_value: f32,
    /// The norm constraints' upper bound.
    pub max_value: f32,
    /// `min_max_norm`'s rate (1 for `max_norm`).
    pub rate: f32,
}

/// Keep in step with `Params` in shaders/param_penalty.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct PenaltyParams {
    /// Elements of the parameter.
    pub len: u32,
    /// The L1 factor.
    pub l1: f32,
    /// The L2 factor.
    pub l2: f32,
    /// Padding to 16 bytes.
    pub _pad: u32,
}
