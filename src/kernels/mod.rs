//! The compute kernels: [`spec`] says what one kernel is; each kernel's
//! [`spec::KernelSpec`] is written beside what it computes (an activation's
//! module, `training/kernels.rs`). [`all`] lists every one, from the
//! activation table, for the tests that compile each kernel in every variant
//! and check each spec against naga's reflection of its shader.

pub(crate) mod rows;
pub(crate) mod spec;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

use spec::Kernel;

use crate::context::GpuContext;
use crate::error::Result;

/// Every kernel the crate dispatches: each activation's, then training's.
pub(crate) fn all() -> Vec<Kernel> {
    macro_rules! kernels_of {
        ($($variant:ident => $ty:ty, $held:ty;)*) => {
            [$(<$ty as crate::activations::Kernels>::kernels()),*].concat()
        };
    }
    let mut all = crate::activations::with_activations!(kernels_of);
    all.extend(crate::training::kernels::ALL);
    all
}

/// Compiles every kernel in every variant this device can run, so no later
/// call pays for compiling (and a browser's WebGPU checks every shader).
pub(crate) fn warm_up(ctx: &GpuContext) -> Result<()> {
    all().into_iter().try_for_each(|kernel| ctx.warm_up(kernel))
}
