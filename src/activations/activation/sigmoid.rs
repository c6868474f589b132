//! `keras.activations.sigmoid`: `1 / (1 + e^-x)`, no arguments.

use crate::activations::activation::reference::{sigmoid, sigmoid_slope, times};
use crate::activations::elementwise::{elementwise_layer, Elementwise};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::Fields;
use crate::kernels::spec::{Kernel, KernelSpec, Layout};

/// `sigmoid(x) = 1 / (1 + e^-x)` (`lax.logistic`), accurate in both tails:
/// `sigmoid(-100)` is `3.7e-44`, not 0.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Sigmoid;

impl KerasFunction for Sigmoid {
    const NAME: &'static str = "sigmoid";

    fn from_kwargs(_: &Fields<'_>) -> Result<Self> {
        Ok(Sigmoid)
    }
}

impl Elementwise for Sigmoid {
    const FORWARD: Kernel = Kernel(
        &KernelSpec::elementwise(
            "sigmoid",
            include_str!("../../../shaders/elementwise/sigmoid.wgsl"),
            Layout::NONE,
        )
        .with_math(),
    );
    const GRADIENT: Kernel = Kernel(
        &KernelSpec::elementwise_gradient(
            "sigmoid_grad",
            include_str!("../../../shaders/elementwise/sigmoid_grad.wgsl"),
            Layout::NONE,
        )
        .with_math(),
    );
    type Params = ();
    type GradientParams = ();

    fn params(&self) {}

    fn gradient_params(&self) {}

    /// In f64, rounded once. NaN stays NaN, `-inf` gives 0, `+inf` 1.
    fn apply(&self, x: f32) -> f32 {
        sigmoid(f64::from(x)) as f32
    }

    /// `dy * σ(x) σ(-x)` from `x` (JAX's `s (1 - s)` is 0 once `s` rounds
    /// to 1); the derivative is 0 at ±inf.
    fn backward(&self, x: f32, dy: f32) -> f32 {
        if x.is_infinite() {
            return dy * 0.0;
        }
        times(dy, sigmoid_slope(f64::from(x)), 1.0)
    }
}

elementwise_layer!(@layer Sigmoid, "Activation");
