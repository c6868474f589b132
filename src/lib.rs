//! Keras activation layers as WGSL compute shaders on [`wgpu`]: `ReLU`,
//! `LeakyReLU`, `PReLU`, `ELU`, `ThresholdedReLU`, `Softmax` and
//! `Activation` (every function of `keras.activations`), forward and
//! backward, with exactly Keras's semantics, on Vulkan, Metal, DX12, OpenGL
//! and WebGPU.
//!
//! ```
//! # fn main() -> wgpu_activations::Result<()> {
//! use wgpu_activations::{cpu, GpuContext, GpuTensor, ReLU};
//! let ctx = GpuContext::new_blocking()?;
//! let data = [-2.0, -0.5, 0.5, 1.0, 7.0, 3.0];
//! let x = GpuTensor::from_slice(&ctx, &[2, 3], &data)?;
//! let relu = ReLU::new(Some(6.0), 0.1, 0.5)?;
//! let y = relu.forward(&ctx, &x)?;          // stays on the GPU
//! let host = y.to_vec_blocking(&ctx)?;      // or y.to_vec(&ctx).await
//! assert_eq!(host, cpu::relu(&relu, &data));
//! # Ok(()) }
//! ```
//!
//! # NaN and infinities
//! NaN in gives NaN out, for every layer. An infinite input gives the limit of
//! the layer's function: `ReLU(-inf)` is 0 with slope 0 and `-inf` otherwise,
//! `ReLU(+inf)` is `max_value` (or `+inf`), `ELU(-inf)` is `-alpha`, and
//! `LeakyReLU`/`PReLU` with a zero slope give 0 for `-inf` (Keras computes
//! `0 * -inf` there and returns NaN). Keras 3's `ReLU` with a threshold and
//! no slope maps NaN to 0; this crate keeps it NaN, so NaN is never hidden.

#![forbid(unsafe_code)]
// The doc examples block on the GPU, which a browser cannot: built for wasm
// they compile to nothing, and tests/browser.rs is the browser's suite.
#![cfg_attr(
    target_arch = "wasm32",
    doc(test(attr(no_main, cfg(not(target_arch = "wasm32")))))
)]
#![warn(missing_docs)]

mod activations;
mod chain;
mod context;
pub mod cpu;
mod dispatch;
mod dtype;
mod error;
pub mod keras;
mod keras_json;
mod kernels;
mod launch;
mod launch_rows;
mod layer;
mod loop_budget;
mod pipelines;
mod record;
mod registry;
mod shape;
mod tensor;
pub mod training;
mod uniforms;
mod validate;
mod weights;

pub use activations::activation::Activation;
pub use activations::elu::ELU;
pub use activations::leaky_relu::LeakyReLU;
pub use activations::prelu::{PReLU, PreluGradients};
pub use activations::relu::ReLU;
pub use activations::softmax::{Softmax, SoftmaxMapping};
pub use activations::thresholded_relu::ThresholdedReLU;
pub use context::{DeviceLostNotifier, GpuContext};
pub use dtype::DType;
pub use error::{Error, Result};
/// The `half` crate whose `f16` [`GpuTensor::from_f16`] takes.
pub use half;
pub use keras::AnyLayer;
pub use keras::Sequential;
pub use layer::{Layer, Saved};
pub use tensor::GpuTensor;
pub use weights::Initializer;
/// The wgpu this crate is built on, so hosts can name the same version.
pub use wgpu;

/// Compiles every kernel this crate has, in every variant the device can
/// run, so that no later call pays for compiling a pipeline (a first
/// forward otherwise compiles its kernel, tens of milliseconds on some
/// drivers).
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// let ctx = wgpu_activations::GpuContext::new_blocking()?;
/// wgpu_activations::warm_up(&ctx)?;
/// assert!(ctx.pipelines_compiled() > 20);
/// # Ok(()) }
/// ```
pub fn warm_up(ctx: &GpuContext) -> Result<()> {
    registry::warm_up(ctx)
}

/// Unstable internals for this crate's own benchmark (examples/bench), which
/// launches kernels itself for its sweeps: the launch arithmetic, the
/// kernels' sources and specialisations, and the uniform layouts. Not part
/// of the API: anything here may change in any release, so depend on none
/// of it.
#[doc(hidden)]
pub mod internals {
    pub use crate::activations::prelu::layer::{PreluParams, PRELU_MAX_RANK};
    pub use crate::dispatch::{chunks, row_segments, spread, vec4s_per_invocation, Chunk, Grid};
    pub use crate::kernels::params::ScalarParams;
    pub use crate::kernels::rows::{RowParams, ROW_MAX_RANK};
    pub use crate::kernels::spec::{
        Kernel, KernelSpec, Launch, PreluAlpha, RowShape, Specialization, Variant, ENTRY_POINT,
        WORKGROUP_SIZE,
    };
    pub use crate::loop_budget::row_loop_iterations;

    /// The kernels the benchmark launches.
    pub mod kernels {
        use crate::activations::elementwise::Elementwise;
        use crate::kernels::spec::Kernel;

        /// LeakyReLU's forward kernel.
        pub const LEAKY_RELU: Kernel = <crate::LeakyReLU as Elementwise>::FORWARD;
        /// PReLU's forward kernel.
        pub const PRELU: Kernel = crate::activations::prelu::layer::FORWARD;
    }

    /// The softmax kernel `mapping` picks for these rows on `ctx`'s device.
    pub fn softmax_kernel(
        ctx: &crate::GpuContext,
        mapping: crate::SoftmaxMapping,
        rows: u32,
        row_len: u32,
        innermost_reduced: bool,
    ) -> Kernel {
        mapping.kernel(
            rows,
            row_len,
            innermost_reduced,
            ctx.adapter_info().device_type,
            ctx.features(),
        )
    }

    /// Every kernel the crate has.
    pub fn all_kernels() -> Vec<Kernel> {
        crate::registry::all()
    }

    /// The softmax kernel that runs rows cut into segments.
    pub fn softmax_parts_kernel() -> Kernel {
        crate::activations::softmax::kernels::PARTS
    }

    /// Invocations per workgroup `kernel` runs with on `ctx`'s device.
    pub fn workgroup_size(ctx: &crate::GpuContext, kernel: Kernel) -> u32 {
        ctx.workgroup_size(kernel)
    }
}

/// The README's examples run as doctests, so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// docs/USAGE.md's examples, run as doctests like the README's.
#[cfg(doctest)]
#[doc = include_str!("../docs/USAGE.md")]
struct UsageDoctests;

/// docs/KERAS.md's examples, run as doctests like the README's.
#[cfg(doctest)]
#[doc = include_str!("../docs/KERAS.md")]
struct KerasDoctests;

/// docs/ACCURACY.md's examples, run as doctests like the README's.
#[cfg(doctest)]
#[doc = include_str!("../docs/ACCURACY.md")]
struct AccuracyDoctests;

/// docs/RELIABILITY.md's code blocks (shell only today), checked as doctests
/// like the README's so a Rust example added there runs too.
#[cfg(doctest)]
#[doc = include_str!("../docs/RELIABILITY.md")]
struct ReliabilityDoctests;

/// docs/BROWSER.md's examples (compiled, not run: they await a browser's
/// adapter), checked as doctests like the README's.
#[cfg(doctest)]
#[doc = include_str!("../docs/BROWSER.md")]
struct BrowserDoctests;
