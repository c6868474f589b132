//! `keras.activations.hard_shrink(x, threshold=0.5)`: `x` where `|x| >
//! threshold`, else 0. Keras turns NaN into 0 (the test is false); here NaN
//! stays NaN.

use serde_json::{json, Value};

use crate::activations::elementwise::{
    elementwise_kernels, elementwise_layer, rounded_to_f16, Elementwise,
};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::{f32_json, Fields};
use crate::kernels::params::ScalarParams;
use crate::kernels::spec::layout;
use crate::validate::finite;

const OWNER: &str = "keras.activations.hard_shrink";

/// `hard_shrink(x) = where(|x| > threshold, x, 0)`; any finite threshold
/// (a negative one passes every `x`, as in Keras).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct HardShrink {
    threshold: f32,
}

impl KerasFunction for HardShrink {
    const NAME: &'static str = "hard_shrink";
    const ARGUMENTS: &'static [&'static str] = &["threshold"];

    fn from_kwargs(kwargs: &Fields<'_>) -> Result<Self> {
        let threshold = kwargs.number_or("threshold", 0.5)?;
        Ok(Self {
            threshold: finite(OWNER, "threshold", threshold)?,
        })
    }

    fn kwargs(&self) -> Value {
        json!({ "threshold": f32_json(self.threshold) })
    }
}

impl Elementwise for HardShrink {
    elementwise_kernels!("hard_shrink", layout!(ScalarParams), layout!(ScalarParams));
    type Params = ScalarParams;
    type GradientParams = ScalarParams;

    fn params(&self) -> ScalarParams {
        ScalarParams::new(self.threshold)
    }

    fn gradient_params(&self) -> ScalarParams {
        ScalarParams::new(self.threshold)
    }

    /// Its threshold rounded to f16, as Keras casts them.
    fn on_f16(&self) -> Option<Self> {
        Some(HardShrink {
            threshold: rounded_to_f16(self.threshold),
        })
    }

    /// The test is strict: `±threshold` gives `+0`.
    fn apply(&self, x: f32) -> f32 {
        if x.is_nan() || x.abs() > self.threshold {
            x
        } else {
            0.0
        }
    }

    /// 1 where `|x| > threshold`, 0 elsewhere (at `±threshold` too).
    fn backward(&self, x: f32, dy: f32) -> f32 {
        dy * if x.abs() > self.threshold { 1.0 } else { 0.0 }
    }
}

elementwise_layer!(@layer HardShrink, "Activation");
