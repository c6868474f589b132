//! Every kernel the crate has, gathered from the activation table and the
//! weight and loss kernels: for `warm_up` and for the tests that compile
//! and reflect every kernel. At the top of the house, since it names them all.

use crate::context::GpuContext;
use crate::error::Result;
use crate::kernels::spec::Kernel;

/// Every kernel the crate dispatches: each activation's, then the weights'
/// and the loss's.
pub(crate) fn all() -> Vec<Kernel> {
    macro_rules! kernels_of {
        ($($variant:ident => $ty:ty, $held:ty;)*) => {
            [$(<$ty as crate::activations::Kernels>::kernels()),*].concat()
        };
    }
    let mut all = crate::activations::with_activations!(kernels_of);
    all.extend(crate::weights::kernels::ALL);
    all.push(crate::training::loss::MSE_GRAD);
    // A layer's kernels also serve its `keras.activations` function: once each.
    let mut unique: Vec<Kernel> = Vec::with_capacity(all.len());
    for kernel in all {
        if !unique.contains(&kernel) {
            unique.push(kernel);
        }
    }
    unique
}

/// Compiles every kernel in every variant this device can run, so no later
/// call pays for compiling (and a browser's WebGPU checks every shader).
pub(crate) fn warm_up(ctx: &GpuContext) -> Result<()> {
    all().into_iter().try_for_each(|kernel| ctx.warm_up(kernel))
}
