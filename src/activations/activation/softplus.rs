//! `keras.activations.softplus`: `ln(1 + e^x)`, no arguments.

use crate::activations::activation::reference::{sigmoid, softplus, times};
use crate::activations::elementwise::{elementwise_layer, Elementwise};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::Fields;
use crate::kernels::spec::{Kernel, KernelSpec, Layout};

/// `softplus(x) = ln(1 + e^x)`, as `jax.nn.softplus` computes it
/// (`max(x, 0) + ln(1 + e^-|x|)`): `softplus(1e4)` is `1e4`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Softplus;

impl KerasFunction for Softplus {
    const NAME: &'static str = "softplus";

    fn from_kwargs(_: &Fields<'_>) -> Result<Self> {
        Ok(Softplus)
    }
}

impl Elementwise for Softplus {
    const FORWARD: Kernel = Kernel(
        &KernelSpec::elementwise(
            "softplus",
            include_str!("../../../shaders/elementwise/softplus.wgsl"),
            Layout::NONE,
        )
        .with_math(),
    );
    const GRADIENT: Kernel = Kernel(
        &KernelSpec::elementwise_gradient(
            "softplus_grad",
            include_str!("../../../shaders/elementwise/softplus_grad.wgsl"),
            Layout::NONE,
        )
        .with_math(),
    );
    type Params = ();
    type GradientParams = ();

    fn params(&self) {}

    fn gradient_params(&self) {}

    /// In f64, rounded once. NaN stays NaN, `-inf` gives 0, `+inf` inf.
    fn apply(&self, x: f32) -> f32 {
        softplus(f64::from(x)) as f32
    }

    /// `dy σ(x)`, from `x` (JAX's `exp(x - softplus(x))` rounds); σ is 0
    /// at `-inf` and 1 at `+inf`.
    fn backward(&self, x: f32, dy: f32) -> f32 {
        if x == f32::NEG_INFINITY {
            return dy * 0.0;
        }
        times(dy, sigmoid(f64::from(x)), 1.0)
    }
}

elementwise_layer!(@layer Softplus, "Activation");
