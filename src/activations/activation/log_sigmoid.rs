//! `keras.activations.log_sigmoid`: `ln σ(x) = -softplus(-x)`, no arguments.

use crate::activations::activation::reference::{sigmoid, softplus, times};
use crate::activations::elementwise::{elementwise_layer, Elementwise};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::Fields;
use crate::kernels::spec::{Kernel, KernelSpec, Layout};

/// `log_sigmoid(x) = -softplus(-x)`, as `jax.nn.log_sigmoid`:
/// `log_sigmoid(-1e4)` is `-1e4`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct LogSigmoid;

impl KerasFunction for LogSigmoid {
    const NAME: &'static str = "log_sigmoid";

    fn from_kwargs(_: &Fields<'_>) -> Result<Self> {
        Ok(LogSigmoid)
    }
}

impl Elementwise for LogSigmoid {
    const FORWARD: Kernel = Kernel(
        &KernelSpec::elementwise(
            "log_sigmoid",
            include_str!("../../../shaders/elementwise/log_sigmoid.wgsl"),
            Layout::NONE,
        )
        .with_math(),
    );
    const GRADIENT: Kernel = Kernel(
        &KernelSpec::elementwise_gradient(
            "log_sigmoid_grad",
            include_str!("../../../shaders/elementwise/log_sigmoid_grad.wgsl"),
            Layout::NONE,
        )
        .with_math(),
    );
    type Params = ();
    type GradientParams = ();

    fn params(&self) {}

    fn gradient_params(&self) {}

    /// In f64, rounded once. NaN stays NaN, `-inf` gives `-inf`, `+inf` `-0`.
    fn apply(&self, x: f32) -> f32 {
        (-softplus(-f64::from(x))) as f32
    }

    /// `dy σ(-x)`, from `x`; σ(-x) is 1 at `-inf` and 0 at `+inf`.
    fn backward(&self, x: f32, dy: f32) -> f32 {
        if x == f32::INFINITY {
            return dy * 0.0;
        }
        times(dy, sigmoid(-f64::from(x)), 1.0)
    }
}

elementwise_layer!(@layer LogSigmoid, "Activation");
