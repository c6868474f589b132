//! `keras.activations.soft_shrink(x, threshold=0.5)`: `x` moved toward 0
//! by `threshold`, 0 within it. Keras turns NaN into 0; here NaN stays NaN.

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

const OWNER: &str = "keras.activations.soft_shrink";

/// `soft_shrink(x) = where(x > t, x - t, where(x < -t, x + t, 0))`; any
/// finite threshold (Keras: `soft_shrink(threshold=-1)` moves every `x`
/// away from 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SoftShrink {
    threshold: f32,
}

impl KerasFunction for SoftShrink {
    const NAME: &'static str = "soft_shrink";
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

impl Elementwise for SoftShrink {
    elementwise_kernels!("soft_shrink", layout!(ScalarParams), layout!(ScalarParams));
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
        Some(SoftShrink {
            threshold: rounded_to_f16(self.threshold),
        })
    }

    /// One f32 subtraction or addition, as Keras computes it; `+0` inside.
    fn apply(&self, x: f32) -> f32 {
        let t = self.threshold;
        if x.is_nan() {
            x
        } else if x > t {
            x - t
        } else if x < -t {
            x + t
        } else {
            0.0
        }
    }

    /// 1 outside `[-t, t]`, 0 inside (both ends included).
    fn backward(&self, x: f32, dy: f32) -> f32 {
        let t = self.threshold;
        dy * if x > t || x < -t { 1.0 } else { 0.0 }
    }
}

elementwise_layer!(@layer SoftShrink, "Activation");
