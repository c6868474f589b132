//! Keras activation layers as WGSL compute shaders on [`wgpu`]: `ReLU`,
//! `LeakyReLU`, `PReLU`, `ELU`, `ThresholdedReLU` and `Softmax`, with exactly Keras's
//! semantics, on Vulkan, Metal, DX12, OpenGL and WebGPU.
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

mod context;
pub mod cpu;
pub mod dispatch;
mod dtype;
mod error;
pub mod keras;
pub mod kernels;
mod launch;
mod launch_rows;
pub mod layers;
pub mod loop_budget;
mod pipelines;
mod sequential;
pub mod shape;
mod tensor;
pub mod training;
mod uniforms;

pub use context::GpuContext;
pub use dispatch::SoftmaxMapping;
pub use dtype::DType;
pub use error::{Error, Result};
/// The `half` crate whose `f16` [`GpuTensor::from_f16`] takes.
pub use half;
pub use keras::AnyLayer;
pub use layers::elu::ELU;
pub use layers::leaky_relu::LeakyReLU;
pub use layers::prelu::PReLU;
pub use layers::relu::ReLU;
pub use layers::softmax::Softmax;
pub use layers::thresholded_relu::ThresholdedReLU;
pub use layers::PreluGradients;
pub use layers::{Layer, Saved};
pub use sequential::Sequential;
pub use tensor::GpuTensor;
pub use training::Initializer;
/// The wgpu this crate is built on, so hosts can name the same version.
pub use wgpu;

/// The README's examples run as doctests, so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
