//! `keras.activations.sparse_sigmoid`: `0.5 * clip(x + 1, 0, 2)`, no
//! arguments; computed with the same f32 operations, so it is exact.

use crate::activations::elementwise::{elementwise_kernels, elementwise_layer, Elementwise};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::Fields;
use crate::kernels::spec::Layout;

/// `sparse_sigmoid(x) = 0.5 * clip(x + 1, 0, 2)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SparseSigmoid;

impl KerasFunction for SparseSigmoid {
    const NAME: &'static str = "sparse_sigmoid";

    fn from_kwargs(_: &Fields<'_>) -> Result<Self> {
        Ok(SparseSigmoid)
    }
}

/// The derivative of `max(a, b)` in `a`: JAX splits a tie in half.
fn max_derivative(a: f32, b: f32) -> f32 {
    if a > b {
        1.0
    } else if a == b {
        0.5
    } else {
        0.0
    }
}

impl Elementwise for SparseSigmoid {
    elementwise_kernels!("sparse_sigmoid", Layout::NONE, Layout::NONE);
    type Params = ();
    type GradientParams = ();

    fn params(&self) {}

    fn gradient_params(&self) {}

    /// `x + 1` rounded in f32 first, as Keras does; zeros are `+0`.
    fn apply(&self, x: f32) -> f32 {
        let t = x + 1.0;
        if x.is_nan() {
            x
        } else {
            0.5 * t.clamp(0.0, 2.0) + 0.0
        }
    }

    /// `0.5` strictly inside, `0.25` where `x + 1` is 0 or 2 (JAX's
    /// `clip` splits ties), 0 outside.
    fn backward(&self, x: f32, dy: f32) -> f32 {
        let t = x + 1.0;
        dy * (0.5 * max_derivative(t, 0.0) * max_derivative(2.0, t.max(0.0)))
    }
}

elementwise_layer!(@layer SparseSigmoid, "Activation");
