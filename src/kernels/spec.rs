//! One description per compute kernel: [`KernelSpec`] holds everything the
//! crate needs to know about a kernel (its WGSL, its named bindings, what it
//! allocates, its specialisations, how it maps work onto workgroups), and
//! [`Kernel`] is the cheap handle the pipeline cache and the recorders pass
//! around. Each spec is written next to what it computes (an activation's
//! module, `weights/kernels.rs`, `training/loss.rs`); `crate::registry`
//! lists them all, for `warm_up` and for the tests that check every spec
//! against naga's reflection of its shader.

use crate::dtype::DType;

/// Prepended to every kernel: the workgroup size and the grid index helper.
const COMMON: &str = include_str!("../../shaders/common.wgsl");

/// Prepended to the elementwise kernels: the `Launch` uniform and `main`.
const ELEMENTWISE: &str = include_str!("../../shaders/elementwise/main.wgsl");

/// Elementwise I/O: read `input`, write `output`.
const IO_SEPARATE: &str = include_str!("../../shaders/elementwise/io_separate.wgsl");

/// Elementwise I/O: read and write `output` in place.
const IO_IN_PLACE: &str = include_str!("../../shaders/elementwise/io_in_place.wgsl");

/// Elementwise I/O for backward passes: read x and dy, write dx.
const IO_GRADIENT: &str = include_str!("../../shaders/elementwise/io_gradient.wgsl");

/// Accurate exp, expm1, log1p, tanh and erfc for the transcendental
/// elementwise kernels ([`KernelSpec::with_math`]); after the elementwise
/// prelude, whose `launch` it reads.
pub(crate) const MATH: &str = include_str!("../../shaders/elementwise/math.wgsl");

/// Prepended to the row kernels: bindings, `RowParams`, row indexing and the
/// online-softmax helpers.
const ROWS: &str = concat!(
    include_str!("../../shaders/rows/rows.wgsl"),
    "\n",
    include_str!("../../shaders/rows/online_softmax.wgsl")
);

/// The entry point of every kernel.
pub const ENTRY_POINT: &str = "main";

/// The default of the `WORKGROUP_SIZE` override in shaders/common.wgsl, and
/// the largest size any pipeline is created with (`MAX_WORKGROUP_SIZE`
/// there). 256 is WebGPU's guaranteed minimum for
/// `max_compute_invocations_per_workgroup`, so it runs on every adapter;
/// `KernelSpec::cpu_workgroup_size` picks smaller ones where measured faster.
pub const WORKGROUP_SIZE: u32 = 256;

/// A uniform struct: the `#[repr(C)]` Rust struct's name, which its WGSL
/// twin also bears, and its size (a test compares both with naga's layout).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    /// The struct's name in Rust and in WGSL.
    pub(crate) name: &'static str,
    /// Its size in bytes.
    pub(crate) size: usize,
}

impl Layout {
    /// No uniform: a kernel without parameters binds nothing at 1.
    pub(crate) const NONE: Layout = Layout { name: "", size: 0 };

    /// Whether there is a uniform at all.
    pub(crate) fn is_some(self) -> bool {
        self.size > 0
    }
}

/// The [`Layout`] of a uniform struct type in scope: `layout!(ReluParams)`.
macro_rules! layout {
    ($ty:ident) => {
        $crate::kernels::spec::Layout {
            name: stringify!($ty),
            size: size_of::<$ty>(),
        }
    };
}
pub(crate) use layout;

/// One elementwise chunk's launch description (binding 0, `launch`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
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

/// Everything about one kernel, in one value.
#[derive(Debug)]
pub struct KernelSpec {
    /// Used in labels, `wgpu-activations.<name>`, and errors; unique.
    pub(crate) name: &'static str,
    /// Which shared files the source starts with, and how it is bound.
    pub(crate) family: Family,
    /// Shared files between the family's and the kernel's own (e.g. PReLU's
    /// alpha lookup).
    pub(crate) includes: &'static [&'static str],
    /// The kernel's own file.
    pub(crate) body: &'static str,
    /// Every binding the shader declares beyond its family's
    /// ([`Family::bindings`]), by the WGSL variable's name.
    pub(crate) bindings: &'static [Binding],
    /// Bytes of workgroup memory one workgroup allocates.
    pub(crate) workgroup_memory: u32,
    /// The uniform at binding 1, `params`: its WGSL struct is named as the
    /// `#[repr(C)]` Rust struct that fills it, and has its size;
    /// [`Layout::NONE`] for a kernel without parameters (no binding 1).
    pub(crate) params: Layout,
    /// Which `override` constants pick its code paths.
    pub(crate) specializations: Specializations,
    /// Device features it needs beyond baseline WebGPU.
    pub(crate) features: wgpu::Features,
    /// The element types its tensors may hold.
    pub(crate) dtypes: &'static [DType],
    /// How a job's work maps onto workgroups.
    pub(crate) mapping: Mapping,
    /// Invocations per workgroup on a CPU adapter (GPUs take
    /// [`WORKGROUP_SIZE`]). Measured on lavapipe at 16M (BENCHMARKS.md): a
    /// workgroup per row is 18% faster at 64 than at 256 (fewer partials to
    /// combine); the elementwise kernels are within 3% at 64..256.
    pub(crate) cpu_workgroup_size: u32,
    /// The kernel that takes rows longer than one workgroup should take, in
    /// segments (two dispatches); see `dispatch::row_segments`.
    pub(crate) split_twin: Option<Kernel>,
    /// How many loop iterations one invocation runs (llvmpipe's budget).
    pub(crate) loop_cost: LoopCost,
}

impl KernelSpec {
    /// A spec with the defaults of an elementwise forward kernel of `name`
    /// over `body` whose `params` uniform is laid out as `params`.
    pub(crate) const fn elementwise(
        name: &'static str,
        body: &'static str,
        params: Layout,
    ) -> Self {
        Self {
            name,
            family: Family::Elementwise,
            includes: &[],
            body,
            bindings: &[],
            workgroup_memory: 0,
            params,
            specializations: Specializations::None,
            features: wgpu::Features::empty(),
            dtypes: &[DType::F32, DType::F16],
            mapping: Mapping::Vec4s,
            cpu_workgroup_size: WORKGROUP_SIZE,
            split_twin: None,
            loop_cost: LoopCost::Vec4s,
        }
    }

    /// The same spec with shaders/elementwise/math.wgsl included (an
    /// elementwise kernel built on its exp, expm1, log1p, tanh or erfc).
    pub(crate) const fn with_math(self) -> Self {
        self.with_includes(&[MATH])
    }

    /// The same spec with `includes` between the family's files and its own.
    pub(crate) const fn with_includes(self, includes: &'static [&'static str]) -> Self {
        Self { includes, ..self }
    }

    /// As [`KernelSpec::elementwise`], for a backward kernel (`dx = dy * f'(x)`).
    pub(crate) const fn elementwise_gradient(
        name: &'static str,
        body: &'static str,
        params: Layout,
    ) -> Self {
        Self {
            family: Family::ElementwiseGradient,
            ..Self::elementwise(name, body, params)
        }
    }
}

/// A cheap, copyable handle to a kernel's [`KernelSpec`]; equal when the
/// names are (a test checks that names are unique).
#[derive(Clone, Copy)]
pub struct Kernel(pub(crate) &'static KernelSpec);

impl std::ops::Deref for Kernel {
    type Target = KernelSpec;
    fn deref(&self) -> &KernelSpec {
        self.0
    }
}

impl PartialEq for Kernel {
    fn eq(&self, other: &Self) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for Kernel {}

impl std::hash::Hash for Kernel {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.name.hash(state);
    }
}

impl std::fmt::Debug for Kernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name)
    }
}

impl Kernel {
    /// The kernel's name.
    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// The variants this kernel is compiled in: forward elementwise kernels
    /// also run in place.
    pub(crate) fn variants(self) -> &'static [Variant] {
        if self.family == Family::Elementwise {
            &[Variant::Separate, Variant::InPlace]
        } else {
            &[Variant::Separate]
        }
    }

    /// Every binding of `variant`: the family's, then the kernel's own.
    pub(crate) fn bindings(self, variant: Variant) -> impl Iterator<Item = &'static Binding> {
        self.family.bindings(variant).iter().chain(self.0.bindings)
    }

    /// The binding index of the WGSL variable `name`.
    pub fn binding(self, name: &str) -> Option<u32> {
        if name == "params" {
            return self.params.is_some().then_some(1);
        }
        self.bindings(Variant::Separate)
            .find(|b| b.name == name)
            .map(|b| b.index)
    }

    /// What one dispatch binds and allocates: storage buffers, uniform
    /// buffers, and bytes of workgroup memory (checked against the device's
    /// limits before a pipeline is made), counted from the bindings.
    pub(crate) fn resources(self) -> (u32, u32, u32) {
        // `params`, the uniform almost every kernel has.
        let (mut storage, mut uniforms) = (0, u32::from(self.params.is_some()));
        for binding in self.bindings(Variant::Separate) {
            match binding.kind {
                BindingKind::Uniform(_) => uniforms += 1,
                BindingKind::Storage | BindingKind::StorageReadWrite => storage += 1,
            }
        }
        (storage, uniforms, self.workgroup_memory)
    }

    /// The complete WGSL source of one variant for tensors of `dtype`: the
    /// type prelude ([`DType`]'s `stored` alias), the common prelude, the
    /// family's shared files, the kernel's includes, then its own file.
    pub fn source(self, variant: Variant, dtype: DType) -> String {
        let mut source = format!("{}{COMMON}\n", dtype.wgsl_prelude());
        for part in self.family.preludes(variant) {
            source.push_str(part);
            source.push('\n');
        }
        for part in self.includes {
            source.push_str(part);
            source.push('\n');
        }
        source.push_str(self.body);
        source
    }
}

/// Which shared files a kernel's source starts with, and how it is bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    /// `out[i] = f(x[i])` over vec4 chunks, out of place or in place.
    Elementwise,
    /// `dx[i] = dy[i] * f'(x[i])` over vec4 chunks.
    ElementwiseGradient,
    /// Rows described by `RowParams` (softmax, alpha's gradient, parameter
    /// updates): shaders/rows/rows.wgsl.
    Rows,
    /// A kernel that needs only the common prelude.
    Standalone,
}

impl Family {
    /// The shared files, in order.
    fn preludes(self, variant: Variant) -> &'static [&'static str] {
        match (self, variant) {
            (Family::Elementwise, Variant::Separate) => &[ELEMENTWISE, IO_SEPARATE],
            (Family::Elementwise, Variant::InPlace) => &[ELEMENTWISE, IO_IN_PLACE],
            (Family::ElementwiseGradient, _) => &[ELEMENTWISE, IO_GRADIENT],
            (Family::Rows, _) => &[ROWS],
            (Family::Standalone, _) => &[],
        }
    }

    /// The bindings the shared files declare, besides binding 1, `params`,
    /// which a kernel has when it has parameters ([`KernelSpec::params`]).
    pub(crate) fn bindings(self, variant: Variant) -> &'static [Binding] {
        use BindingKind::{Storage, StorageReadWrite, Uniform};
        const LAUNCH: Binding = Binding::new("launch", 0, Uniform(layout!(Launch)));
        const INPUT: Binding = Binding::new("input", 2, Storage);
        const OUTPUT: Binding = Binding::new("output", 3, StorageReadWrite);
        const UPSTREAM: Binding = Binding::new("upstream", 5, Storage);
        match (self, variant) {
            (Family::Elementwise, Variant::Separate) => &[LAUNCH, INPUT, OUTPUT],
            (Family::Elementwise, Variant::InPlace) => &[LAUNCH, OUTPUT],
            (Family::ElementwiseGradient, _) => &[LAUNCH, INPUT, OUTPUT, UPSTREAM],
            // Softmax's kernels add the `mask` this prelude declares; the
            // others never read it, so their pipelines do not bind it.
            (Family::Rows, _) => &[INPUT, OUTPUT],
            (Family::Standalone, _) => &[],
        }
    }
}

/// One `@group(0) @binding(index)` variable of a kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Binding {
    /// The WGSL variable's name: the recorders bind by it.
    pub(crate) name: &'static str,
    /// Its binding index.
    pub(crate) index: u32,
    /// What it is.
    pub(crate) kind: BindingKind,
}

impl Binding {
    /// A binding of `kind` named `name` at `index`.
    pub(crate) const fn new(name: &'static str, index: u32, kind: BindingKind) -> Self {
        Self { name, index, kind }
    }
}

/// What a binding holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BindingKind {
    /// `var<uniform>` of a struct laid out as a Rust struct.
    Uniform(Layout),
    /// `var<storage, read>`.
    Storage,
    /// `var<storage, read_write>`.
    StorageReadWrite,
}

/// How many loop iterations one invocation runs: the formula for each kind
/// is in `loop_budget::row_loop_iterations`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LoopCost {
    /// A grid-sized stride over a few vec4s: far inside any budget.
    Vec4s,
    /// One invocation reads its whole row twice.
    WholeRowTwice,
    /// A workgroup strides over its row twice, then a reduction tree.
    StridedTwice,
    /// As [`LoopCost::StridedTwice`], plus a fold over one slot per subgroup.
    StridedTwiceSubgroups,
    /// A workgroup strides over its row once, then a reduction tree.
    StridedOnce,
    /// A segment's share twice and the fold over a row's segments.
    SegmentTwice,
    /// A segment's share once and the fold over a row's segments.
    SegmentOnce,
    /// One workgroup strides over a plain array once, then a tree.
    Array,
}

/// How a job's work maps onto workgroups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mapping {
    /// vec4 chunks, a grid-strided loop (the elementwise kernels).
    Vec4s,
    /// One workgroup per row.
    WorkgroupPerRow,
    /// One invocation per row.
    InvocationPerRow,
    /// Rows cut into segments, a workgroup each, then a finishing pass
    /// (`FINISH`) over `finishing` units.
    WorkgroupPerSegment {
        /// What the second dispatch covers.
        finishing: Finishing,
        /// Bytes of one segment's partial result in the scratch buffer.
        partial_size: u64,
    },
    /// One workgroup strides over the whole parameter.
    OneWorkgroup,
}

/// What a split kernel's second dispatch covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Finishing {
    /// A workgroup per segment again (softmax: each normalises its segment).
    Segments,
    /// A workgroup per row (an alpha element's sum of its segments).
    Rows,
}

/// The family of `override` constants a kernel is specialised by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Specializations {
    /// None.
    None,
    /// `ALPHA_MODE`: how PReLU finds alpha.
    PreluAlpha,
    /// The row kernels' `KEPT_SINGLE`, `REDUCED_SINGLE`, `HAS_MASK`.
    Rows,
    /// [`Specializations::Rows`] and `FINISH` (split kernels).
    SplitRows,
    /// [`Specializations::Rows`], `CONSTRAINT` and `HAS_STEP` (parameter updates).
    ParamUpdate,
}

impl Specializations {
    /// Every specialisation of this family (for the tests that compile them all).
    pub(crate) fn all(self) -> Vec<Specialization> {
        let rows = || {
            (0..8u32).map(|bits| RowShape {
                kept_single: bits & 1 != 0,
                reduced_single: bits & 2 != 0,
                masked: bits & 4 != 0,
            })
        };
        match self {
            Specializations::None => vec![Specialization::None],
            Specializations::PreluAlpha => [
                PreluAlpha::General,
                PreluAlpha::InnermostVec4,
                PreluAlpha::SharedByVec4,
            ]
            .map(Specialization::PreluAlpha)
            .to_vec(),
            Specializations::Rows => rows().map(Specialization::Rows).collect(),
            Specializations::SplitRows => rows()
                .flat_map(|r| [false, true].map(|finish| Specialization::SplitRows(r, finish)))
                .collect(),
            Specializations::ParamUpdate => rows()
                .flat_map(|r| {
                    UpdateConstraint::ALL
                        .into_iter()
                        .flat_map(move |constraint| {
                            [false, true]
                                .map(|step| Specialization::ParamUpdate(r, constraint, step))
                        })
                })
                .collect(),
        }
    }
}

/// One choice of a kernel's `override` constants; part of the pipeline key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Specialization {
    /// A kernel without overrides.
    None,
    /// PReLU's alpha lookup.
    PreluAlpha(PreluAlpha),
    /// A row kernel.
    Rows(RowShape),
    /// A split row kernel and whether this is its finishing pass.
    SplitRows(RowShape, bool),
    /// A parameter update: rows, the `CONSTRAINT` code and whether an SGD step runs.
    ParamUpdate(RowShape, UpdateConstraint, bool),
}

impl Specialization {
    /// The family this choice belongs to.
    pub(crate) fn family(self) -> Specializations {
        match self {
            Specialization::None => Specializations::None,
            Specialization::PreluAlpha(_) => Specializations::PreluAlpha,
            Specialization::Rows(_) => Specializations::Rows,
            Specialization::SplitRows(..) => Specializations::SplitRows,
            Specialization::ParamUpdate(..) => Specializations::ParamUpdate,
        }
    }

    /// The WGSL `override` constants it sets, applied when the pipeline is
    /// created. Specialisations pick code paths that a uniform branch would
    /// not prune on CPU adapters (which run every path).
    pub fn overrides(self) -> Vec<(&'static str, f64)> {
        let flag = |b: bool| f64::from(u8::from(b));
        let rows = |r: RowShape| {
            vec![
                ("KEPT_SINGLE", flag(r.kept_single)),
                ("REDUCED_SINGLE", flag(r.reduced_single)),
                ("HAS_MASK", flag(r.masked)),
            ]
        };
        match self {
            Specialization::None => Vec::new(),
            Specialization::PreluAlpha(mode) => vec![("ALPHA_MODE", f64::from(mode as u32))],
            Specialization::Rows(r) => rows(r),
            Specialization::SplitRows(r, finish) => {
                let mut o = rows(r);
                o.push(("FINISH", flag(finish)));
                o
            }
            Specialization::ParamUpdate(r, constraint, step) => {
                let mut o = rows(r);
                o.push(("CONSTRAINT", f64::from(constraint as u32)));
                o.push(("HAS_STEP", flag(step)));
                o
            }
        }
    }
}

/// Which Keras constraint a parameter update applies (`CONSTRAINT` in
/// shaders/weights/param_update.wgsl).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UpdateConstraint {
    /// No constraint.
    None = 0,
    /// `non_neg`.
    NonNeg = 1,
    /// `max_norm` and `min_max_norm` (a norm clipped between two bounds).
    Norm = 2,
    /// `unit_norm`.
    UnitNorm = 3,
}

impl UpdateConstraint {
    /// Every choice, for the tests that compile them all.
    pub(crate) const ALL: [UpdateConstraint; 4] = [
        UpdateConstraint::None,
        UpdateConstraint::NonNeg,
        UpdateConstraint::Norm,
        UpdateConstraint::UnitNorm,
    ];
}

/// The shape facts a row kernel is specialised by: a single merged axis on
/// either side indexes without a division loop, and unmasked runs never
/// touch the mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RowShape {
    /// The kept axes merged into one.
    pub kept_single: bool,
    /// The reduced axes merged into one.
    pub reduced_single: bool,
    /// A mask is bound and read.
    pub masked: bool,
}

/// How the PReLU kernel finds alpha (`ALPHA_MODE` in shaders/elementwise/prelu_alpha.wgsl).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PreluAlpha {
    /// The general index loop, per element.
    General = 0,
    /// alpha varies along the innermost axis, a multiple of 4 long.
    InnermostVec4 = 1,
    /// alpha varies along one outer axis whose inner block is a multiple of 4.
    SharedByVec4 = 2,
}

/// How a kernel is bound: the pipeline cache's key beside the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Variant {
    /// Reads one buffer, writes another.
    Separate,
    /// Reads and writes one buffer (elementwise kernels only).
    InPlace,
}
