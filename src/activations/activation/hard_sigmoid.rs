//! `keras.activations.hard_sigmoid`: `relu6(x + 3) / 6`, no arguments
//! (Keras 2's was `clip(0.2x + 0.5, 0, 1)`; this is Keras 3's).

use crate::activations::elementwise::{elementwise_kernels, elementwise_layer, Elementwise};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::Fields;
use crate::kernels::spec::Layout;

/// `hard_sigmoid(x) = relu6(x + 3) / 6`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct HardSigmoid;

impl KerasFunction for HardSigmoid {
    const NAME: &'static str = "hard_sigmoid";

    fn from_kwargs(_: &Fields<'_>) -> Result<Self> {
        Ok(HardSigmoid)
    }
}

/// `relu6(x + 3)` with `x + 3` rounded in f32 as Keras rounds it, and
/// whether it lies strictly inside (0, 6), where relu6's derivative is 1.
pub(crate) fn relu6_of_shift(x: f32) -> (f32, bool) {
    let t = x + 3.0;
    (t.clamp(0.0, 6.0) + 0.0, t > 0.0 && t < 6.0)
}

impl Elementwise for HardSigmoid {
    elementwise_kernels!("hard_sigmoid", Layout::NONE, Layout::NONE);
    type Params = ();
    type GradientParams = ();

    fn params(&self) {}

    fn gradient_params(&self) {}

    /// f32 operations in Keras's order; NaN stays NaN, zeros are `+0`.
    fn apply(&self, x: f32) -> f32 {
        if x.is_nan() {
            return x;
        }
        relu6_of_shift(x).0 / 6.0
    }

    /// `dy / 6` where `x + 3` is strictly inside (0, 6) (relu6's custom
    /// derivative is 0 at both kinks), else `dy * 0`.
    fn backward(&self, x: f32, dy: f32) -> f32 {
        if relu6_of_shift(x).1 {
            dy / 6.0
        } else {
            dy * 0.0
        }
    }
}

elementwise_layer!(@layer HardSigmoid, "Activation");
