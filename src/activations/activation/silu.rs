//! `keras.activations.silu` (alias `swish`): `x σ(x)`, no arguments.

use crate::activations::activation::reference::{sigmoid, times};
use crate::activations::elementwise::{elementwise_layer, Elementwise};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::Fields;
use crate::kernels::spec::{Kernel, KernelSpec, Layout};

/// `silu(x) = x σ(x)` (`swish` is the same function; its name is `silu`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Silu;

impl KerasFunction for Silu {
    const NAME: &'static str = "silu";
    const ALIASES: &'static [&'static str] = &["swish"];

    fn from_kwargs(_: &Fields<'_>) -> Result<Self> {
        Ok(Silu)
    }
}

impl Elementwise for Silu {
    const FORWARD: Kernel = Kernel(
        &KernelSpec::elementwise(
            "silu",
            include_str!("../../../shaders/elementwise/silu.wgsl"),
            Layout::NONE,
        )
        .with_math(),
    );
    const GRADIENT: Kernel = Kernel(
        &KernelSpec::elementwise_gradient(
            "silu_grad",
            include_str!("../../../shaders/elementwise/silu_grad.wgsl"),
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
        (f64::from(x) * sigmoid(f64::from(x))) as f32
    }

    /// `dy σ(x) (1 + x σ(-x))`, from `x`; the limits 1 at `+inf` and `-0`
    /// at `-inf` (Keras: NaN at both).
    fn backward(&self, x: f32, dy: f32) -> f32 {
        if x == f32::INFINITY {
            return dy;
        }
        if x == f32::NEG_INFINITY {
            return dy * -0.0;
        }
        let x = f64::from(x);
        let d = sigmoid(x) * (1.0 + x * sigmoid(-x));
        // Negative below the root at -1.2785 (where f64's σ(x) may underflow).
        times(dy, d, if x < -1.0 { -1.0 } else { 1.0 })
    }
}

elementwise_layer!(@layer Silu, "Activation");
