//! `keras.activations.softsign`: `x / (|x| + 1)`, no arguments.

use crate::activations::elementwise::{elementwise_kernels, elementwise_layer, Elementwise};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::Fields;
use crate::kernels::spec::Layout;

/// `softsign(x) = x / (|x| + 1)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Softsign;

impl KerasFunction for Softsign {
    const NAME: &'static str = "softsign";

    fn from_kwargs(_: &Fields<'_>) -> Result<Self> {
        Ok(Softsign)
    }
}

impl Elementwise for Softsign {
    elementwise_kernels!("softsign", Layout::NONE, Layout::NONE);
    type Params = ();
    type GradientParams = ();

    fn params(&self) {}

    fn gradient_params(&self) {}

    /// In f64, rounded once. `±inf` gives `±1`, the limit (Keras: `inf / inf
    /// = NaN`); ±0 keep their sign.
    fn apply(&self, x: f32) -> f32 {
        if x.is_infinite() {
            return x.signum();
        }
        let x = f64::from(x);
        (x / (x.abs() + 1.0)) as f32
    }

    /// `dy / (|x| + 1)^2` in f64, rounded once (0 at `±inf`).
    fn backward(&self, x: f32, dy: f32) -> f32 {
        let a = f64::from(x).abs() + 1.0;
        (f64::from(dy) / a / a) as f32
    }
}

elementwise_layer!(@layer Softsign, "Activation");
