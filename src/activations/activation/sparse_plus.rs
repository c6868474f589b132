//! `keras.activations.sparse_plus`: 0 up to -1, `(x + 1)^2 / 4` between, `x`
//! from 1; no arguments, the same f32 operations as Keras (exact).

use crate::activations::elementwise::{elementwise_kernels, elementwise_layer, Elementwise};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::Fields;
use crate::kernels::spec::Layout;

/// `sparse_plus(x) = where(x <= -1, 0, where(x >= 1, x, (x + 1)^2 / 4))`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SparsePlus;

impl KerasFunction for SparsePlus {
    const NAME: &'static str = "sparse_plus";

    fn from_kwargs(_: &Fields<'_>) -> Result<Self> {
        Ok(SparsePlus)
    }
}

impl Elementwise for SparsePlus {
    elementwise_kernels!("sparse_plus", Layout::NONE, Layout::NONE);
    type Params = ();
    type GradientParams = ();

    fn params(&self) {}

    fn gradient_params(&self) {}

    /// NaN stays NaN; `+0` up to -1 (and at `-inf`).
    fn apply(&self, x: f32) -> f32 {
        let t = x + 1.0;
        if x <= -1.0 {
            0.0
        } else if x >= 1.0 || x.is_nan() {
            x
        } else {
            t * t / 4.0
        }
    }

    /// 0 up to -1, 1 from 1 (`where` takes those branches at the kinks),
    /// `(x + 1) / 2` between: `dy * ((x + 1) / 2)` is JAX's `(dy / 4) * (2 *
    /// (x + 1))` to the bit (both scalings are exact); at `±inf` the limits
    /// 0 and `dy` (JAX: NaN from the branch not taken).
    fn backward(&self, x: f32, dy: f32) -> f32 {
        let derivative = if x <= -1.0 {
            0.0
        } else if x >= 1.0 {
            1.0
        } else {
            0.5 * (x + 1.0)
        };
        dy * derivative
    }
}

elementwise_layer!(@layer SparsePlus, "Activation");
