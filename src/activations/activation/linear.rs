//! `keras.activations.linear`: `x` itself, no arguments (and what
//! `keras.activations.get(None)` gives).

use crate::activations::elementwise::{elementwise_kernels, elementwise_layer, Elementwise};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::Fields;
use crate::kernels::spec::Layout;

/// `linear(x) = x`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Linear;

impl KerasFunction for Linear {
    const NAME: &'static str = "linear";

    fn from_kwargs(_: &Fields<'_>) -> Result<Self> {
        Ok(Linear)
    }
}

impl Elementwise for Linear {
    elementwise_kernels!("linear", Layout::NONE, Layout::NONE);
    type Params = ();
    type GradientParams = ();

    fn params(&self) {}

    fn gradient_params(&self) {}

    fn apply(&self, x: f32) -> f32 {
        x
    }

    /// The derivative is 1 everywhere.
    fn backward(&self, _: f32, dy: f32) -> f32 {
        dy
    }
}

elementwise_layer!(@layer Linear, "Activation");
