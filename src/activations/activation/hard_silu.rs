//! `keras.activations.hard_silu` (alias `hard_swish`): `x * hard_sigmoid(x)`,
//! no arguments; the same f32 operations as Keras.

use crate::activations::activation::hard_sigmoid::relu6_of_shift;
use crate::activations::elementwise::{elementwise_kernels, elementwise_layer, Elementwise};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::Fields;
use crate::kernels::spec::Layout;

/// `hard_silu(x) = x * relu6(x + 3) / 6`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct HardSilu;

impl KerasFunction for HardSilu {
    const NAME: &'static str = "hard_silu";
    const ALIASES: &'static [&'static str] = &["hard_swish"];

    fn from_kwargs(_: &Fields<'_>) -> Result<Self> {
        Ok(HardSilu)
    }
}

impl Elementwise for HardSilu {
    elementwise_kernels!("hard_silu", Layout::NONE, Layout::NONE);
    type Params = ();
    type GradientParams = ();

    fn params(&self) {}

    fn gradient_params(&self) {}

    /// `x * (relu6(x + 3) / 6)`: `-0` below -3 (Keras's `x * 0`), and `-0`
    /// at `-inf`, the function's limit, where Keras computes `-inf * 0 = NaN`.
    fn apply(&self, x: f32) -> f32 {
        if x == f32::NEG_INFINITY {
            return -0.0;
        }
        x * (relu6_of_shift(x).0 / 6.0)
    }

    /// The derivative `(2x + 3) / 6` where `x + 3` (rounded as forward) is
    /// strictly inside (0, 6), in f64 and rounded once; `h(x)` outside, 0
    /// below and 1 above (so 0 at -3 and 1 at 3, as relu6's custom
    /// derivative gives in JAX). JAX's own `dy * h + (dy * x) / 6` cancels
    /// near -1.5; the golden gradients agree within their tolerance.
    fn backward(&self, x: f32, dy: f32) -> f32 {
        let (r, inside) = relu6_of_shift(x);
        if inside {
            (f64::from(dy) * (2.0 * f64::from(x) + 3.0) / 6.0) as f32
        } else {
            dy * (r / 6.0)
        }
    }
}

elementwise_layer!(@layer HardSilu, "Activation");
