//! `keras.activations.tanh`: the hyperbolic tangent, no arguments.

use crate::activations::activation::reference::{sigmoid_slope, times};
use crate::activations::elementwise::{elementwise_layer, Elementwise};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::Fields;
use crate::kernels::spec::{Kernel, KernelSpec, Layout};

/// `tanh(x)`, without `(e^2x - 1) / (e^2x + 1)`'s overflow and cancellation.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Tanh;

impl KerasFunction for Tanh {
    const NAME: &'static str = "tanh";

    fn from_kwargs(_: &Fields<'_>) -> Result<Self> {
        Ok(Tanh)
    }
}

impl Elementwise for Tanh {
    const FORWARD: Kernel = Kernel(
        &KernelSpec::elementwise(
            "tanh",
            include_str!("../../../shaders/elementwise/tanh.wgsl"),
            Layout::NONE,
        )
        .with_math(),
    );
    const GRADIENT: Kernel = Kernel(
        &KernelSpec::elementwise_gradient(
            "tanh_grad",
            include_str!("../../../shaders/elementwise/tanh_grad.wgsl"),
            Layout::NONE,
        )
        .with_math(),
    );
    type Params = ();
    type GradientParams = ();

    fn params(&self) {}

    fn gradient_params(&self) {}

    /// In f64, rounded once. NaN stays NaN, ±0 keep their sign, ±inf give ±1.
    fn apply(&self, x: f32) -> f32 {
        f64::from(x).tanh() as f32
    }

    /// `dy (1 - tanh^2 x) = 4 dy σ(2x) σ(-2x)`, from `x` (JAX's `1 - t^2`
    /// is 0 once `t` rounds to ±1); 0 at ±inf.
    fn backward(&self, x: f32, dy: f32) -> f32 {
        if x.is_infinite() {
            return dy * 0.0;
        }
        times(dy, 4.0 * sigmoid_slope(2.0 * f64::from(x)), 1.0)
    }
}

elementwise_layer!(@layer Tanh, "Activation");
