//! The compute kernels: [`spec`] says what one kernel is; each kernel's
//! [`spec::KernelSpec`] is written beside what it computes (an activation's
//! module, `weights/kernels.rs`, `training/loss.rs`); `crate::registry`
//! lists every one. `rows` and `params` hold uniforms several kernels share;
//! `tests` compiles each kernel in every variant and checks each spec
//! against naga's reflection of its shader.

pub(crate) mod params;
pub(crate) mod rows;
pub(crate) mod spec;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
