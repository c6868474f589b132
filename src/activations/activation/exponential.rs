//! `keras.activations.exponential`: `e^x`, no arguments.

use crate::activations::activation::reference::times;
use crate::activations::elementwise::{elementwise_layer, Elementwise};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::Fields;
use crate::kernels::spec::{Kernel, KernelSpec, Layout};

/// `exponential(x) = e^x`: inf from `x = 88.72283935546875` (where `e^x`
/// rounds past `f32::MAX`), 0 below -103.97.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Exponential;

impl KerasFunction for Exponential {
    const NAME: &'static str = "exponential";

    fn from_kwargs(_: &Fields<'_>) -> Result<Self> {
        Ok(Exponential)
    }
}

impl Elementwise for Exponential {
    const FORWARD: Kernel = Kernel(
        &KernelSpec::elementwise(
            "exponential",
            include_str!("../../../shaders/elementwise/exponential.wgsl"),
            Layout::NONE,
        )
        .with_math(),
    );
    const GRADIENT: Kernel = Kernel(
        &KernelSpec::elementwise_gradient(
            "exponential_grad",
            include_str!("../../../shaders/elementwise/exponential_grad.wgsl"),
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
        f64::from(x).exp() as f32
    }

    /// `dy * e^x` rounded once: finite wherever the product is, though
    /// `e^x` alone overflows (JAX multiplies by the rounded output, inf from
    /// 88.7228394). The derivative is inf at `+inf` and 0 at `-inf`.
    fn backward(&self, x: f32, dy: f32) -> f32 {
        if x.is_infinite() {
            return dy * if x > 0.0 { f32::INFINITY } else { 0.0 };
        }
        times(dy, f64::from(x).exp(), 1.0)
    }
}

elementwise_layer!(@layer Exponential, "Activation");
