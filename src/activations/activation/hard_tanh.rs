//! `keras.activations.hard_tanh`: `x` clipped to [-1, 1], no arguments.

use crate::activations::elementwise::{elementwise_kernels, elementwise_layer, Elementwise};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::Fields;
use crate::kernels::spec::Layout;

/// `hard_tanh(x) = where(x > 1, 1, where(x < -1, -1, x))`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct HardTanh;

impl KerasFunction for HardTanh {
    const NAME: &'static str = "hard_tanh";

    fn from_kwargs(_: &Fields<'_>) -> Result<Self> {
        Ok(HardTanh)
    }
}

impl Elementwise for HardTanh {
    elementwise_kernels!("hard_tanh", Layout::NONE, Layout::NONE);
    type Params = ();
    type GradientParams = ();

    fn params(&self) {}

    fn gradient_params(&self) {}

    /// NaN stays NaN; ±0 keep their sign (the `where` passes `x`).
    fn apply(&self, x: f32) -> f32 {
        x.clamp(-1.0, 1.0)
    }

    /// `where` differentiates the branch it takes: 1 on [-1, 1] (both ends
    /// included), 0 outside.
    fn backward(&self, x: f32, dy: f32) -> f32 {
        dy * if (-1.0..=1.0).contains(&x) { 1.0 } else { 0.0 }
    }
}

elementwise_layer!(@layer HardTanh, "Activation");
