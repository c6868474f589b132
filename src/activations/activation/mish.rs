//! `keras.activations.mish`: `x tanh(softplus(x))`, no arguments.

use crate::activations::activation::reference::{sigmoid, sigmoid_slope, softplus, times};
use crate::activations::elementwise::{elementwise_layer, Elementwise};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::Fields;
use crate::kernels::spec::{Kernel, KernelSpec, Layout};

/// `mish(x) = x tanh(softplus(x))` (Keras's own op; `jax.nn.mish`'s formula).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Mish;

impl KerasFunction for Mish {
    const NAME: &'static str = "mish";

    fn from_kwargs(_: &Fields<'_>) -> Result<Self> {
        Ok(Mish)
    }
}

impl Elementwise for Mish {
    const FORWARD: Kernel = Kernel(
        &KernelSpec::elementwise(
            "mish",
            include_str!("../../../shaders/elementwise/mish.wgsl"),
            Layout::NONE,
        )
        .with_math(),
    );
    const GRADIENT: Kernel = Kernel(
        &KernelSpec::elementwise_gradient(
            "mish_grad",
            include_str!("../../../shaders/elementwise/mish_grad.wgsl"),
            Layout::NONE,
        )
        .with_math(),
    );
    type Params = ();
    type GradientParams = ();

    fn params(&self) {}

    fn gradient_params(&self) {}

    /// In f64, rounded once. NaN stays NaN, `+inf` gives `+inf`, and `-inf`
    /// the limit `-0` (Keras computes `-inf * 0 = NaN`).
    fn apply(&self, x: f32) -> f32 {
        if x == f32::NEG_INFINITY {
            return -0.0;
        }
        let x = f64::from(x);
        (x * softplus(x).tanh()) as f32
    }

    /// `dy (tanh(sp) + x sech^2(sp) σ(x))` with `sp = softplus(x)`, from
    /// `x`; the limits 1 at `+inf` and `-0` at `-inf` (Keras: NaN at both).
    fn backward(&self, x: f32, dy: f32) -> f32 {
        if x == f32::INFINITY {
            return dy;
        }
        if x == f32::NEG_INFINITY {
            return dy * -0.0;
        }
        let x = f64::from(x);
        let sp = softplus(x);
        // sech^2 = 4 σ(2 sp) σ(-2 sp), without 1 - tanh^2's cancellation.
        let d = sp.tanh() + x * 4.0 * sigmoid_slope(2.0 * sp) * sigmoid(x);
        // Negative below the root at -1.1924 (where f64 may underflow).
        times(dy, d, if x < -1.0 { -1.0 } else { 1.0 })
    }
}

elementwise_layer!(@layer Mish, "Activation");
