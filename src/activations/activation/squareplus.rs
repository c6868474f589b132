//! `keras.activations.squareplus(x, b=4)`: `(x + sqrt(x^2 + b)) / 2`,
//! computed without Keras's cancellation (for `x < 0` as `b / (2(sqrt(x^2 +
//! b) - x))`) or its overflow (`x^2` past 1.8e19), so every output is within
//! a few ulps, where Keras's `squareplus(-1e4)` is 0 and `squareplus(±3e38)`
//! is `+inf`.

use serde_json::{json, Value};

use crate::activations::elementwise::{
    elementwise_kernels, elementwise_layer, rounded_to_f16, Elementwise,
};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::{f32_json, Fields};
use crate::kernels::params::ScalarParams;
use crate::kernels::spec::layout;
use crate::validate::non_negative_finite;

const OWNER: &str = "keras.activations.squareplus";

/// `squareplus(x) = (x + sqrt(x^2 + b)) / 2`, `b` finite and not negative
/// (a negative `b` makes every `|x| < sqrt(-b)` NaN in Keras); a subnormal
/// `b` is 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Squareplus {
    b: f32,
}

impl KerasFunction for Squareplus {
    const NAME: &'static str = "squareplus";
    const ARGUMENTS: &'static [&'static str] = &["b"];

    fn from_kwargs(kwargs: &Fields<'_>) -> Result<Self> {
        let b = kwargs.number_or("b", 4.0)?;
        let b = non_negative_finite(OWNER, "b", b, || {
            format!(
                "b of {OWNER} cannot be negative: sqrt(x^2 + b) would be NaN for |x| < sqrt(-b). \
                 Received: b={b:?}"
            )
        })?;
        // A subnormal b counts as 0, as GPUs that flush subnormals read it
        // (and as XLA on the CPU computes with it).
        let b = if b < f32::MIN_POSITIVE { 0.0 } else { b };
        Ok(Self { b })
    }

    fn kwargs(&self) -> Value {
        json!({ "b": f32_json(self.b) })
    }
}

impl Squareplus {
    /// `(y, sqrt(x^2 + b))` in f64, `y` without cancellation.
    fn parts(&self, x: f32) -> (f64, f64) {
        let (x, b) = (f64::from(x), f64::from(self.b));
        let root = (x * x + b).sqrt();
        let y = if x >= 0.0 {
            (x + root) / 2.0
        } else {
            b / (2.0 * (root - x))
        };
        (y, root)
    }
}

impl Elementwise for Squareplus {
    elementwise_kernels!("squareplus", layout!(ScalarParams), layout!(ScalarParams), shared: "squareplus_parts");
    type Params = ScalarParams;
    type GradientParams = ScalarParams;

    fn params(&self) -> ScalarParams {
        ScalarParams::new(self.b)
    }

    fn gradient_params(&self) -> ScalarParams {
        ScalarParams::new(self.b)
    }

    /// Its b rounded to f16, as Keras casts them.
    fn on_f16(&self) -> Option<Self> {
        Some(Squareplus {
            b: rounded_to_f16(self.b),
        })
    }

    /// In f64, rounded once: `+inf` gives `+inf`, `-inf` gives `+0` (the
    /// limits; Keras: NaN at `-inf`).
    fn apply(&self, x: f32) -> f32 {
        self.parts(x).0 as f32
    }

    /// `dy * (1 + x / sqrt(x^2 + b)) / 2`, which is `dy * y / sqrt(x^2 + b)`
    /// (no cancellation for `x < 0`), in f64: 1 at `+inf`, and 1/2 at `x = 0`
    /// with `b = 0` (where the derivative jumps from 0 to 1).
    fn backward(&self, x: f32, dy: f32) -> f32 {
        let (y, root) = self.parts(x);
        let derivative = if x == f32::INFINITY {
            1.0
        } else if root == 0.0 {
            0.5
        } else {
            y / root
        };
        (f64::from(dy) * derivative) as f32
    }
}

elementwise_layer!(@layer Squareplus, "Activation");
