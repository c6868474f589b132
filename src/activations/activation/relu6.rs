//! `keras.activations.relu6`: `min(max(x, 0), 6)`, no arguments. The
//! worked example of ARCHITECTURE.md's "Adding an activation": this file,
//! shaders/elementwise/relu6{,_grad}.wgsl and one line in the function table
//! (src/activations/activation/mod.rs).

use crate::activations::elementwise::{elementwise_layer, Elementwise};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::Fields;
use crate::kernels::spec::{Kernel, KernelSpec, Layout};

/// `relu6(x) = min(max(x, 0), 6)`, as `jax.nn.relu6` computes it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Relu6;

impl KerasFunction for Relu6 {
    const NAME: &'static str = "relu6";

    fn from_kwargs(_: &Fields<'_>) -> Result<Self> {
        Ok(Relu6)
    }
}

impl Elementwise for Relu6 {
    const FORWARD: Kernel = Kernel(&KernelSpec::elementwise(
        "relu6",
        include_str!("../../../shaders/elementwise/relu6.wgsl"),
        Layout::NONE,
    ));
    const GRADIENT: Kernel = Kernel(&KernelSpec::elementwise_gradient(
        "relu6_grad",
        include_str!("../../../shaders/elementwise/relu6_grad.wgsl"),
        Layout::NONE,
    ));
    type Params = ();
    type GradientParams = ();

    fn params(&self) {}

    fn gradient_params(&self) {}

    /// NaN stays NaN, `-inf` gives 0 and `+inf` 6; zeros are `+0`, as
    /// JAX's `max(-0, 0)` gives them.
    fn apply(&self, x: f32) -> f32 {
        if x.is_nan() {
            x
        } else if x > 0.0 {
            x.min(6.0)
        } else {
            0.0
        }
    }

    /// jax.nn.relu6's custom derivative: 1 strictly between 0 and 6, 0 at
    /// both kinks and outside.
    fn backward(&self, x: f32, dy: f32) -> f32 {
        dy * if x > 0.0 && x < 6.0 { 1.0 } else { 0.0 }
    }
}

elementwise_layer!(@layer Relu6, "Activation");
