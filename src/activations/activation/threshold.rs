//! `keras.activations.threshold(x, threshold, default_value)`: `x` above
//! `threshold` (strictly), `default_value` elsewhere. Both arguments are
//! required, as in Keras (so `Activation::new("threshold")` is an error).
//! Keras gives `default_value` for NaN; here NaN stays NaN.

use bytemuck::{Pod, Zeroable};
use serde_json::{json, Value};

use crate::activations::elementwise::{
    elementwise_kernels, elementwise_layer, rounded_to_f16, Elementwise,
};
use crate::activations::function::KerasFunction;
use crate::error::Error;
use crate::error::Result;
use crate::keras_json::fields::{f32_json, Fields};
use crate::kernels::params::ScalarParams;
use crate::kernels::spec::layout;
use crate::validate::finite;

const OWNER: &str = "keras.activations.threshold";

/// `threshold(x) = where(x > threshold, x, default_value)`, both finite.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Threshold {
    threshold: f32,
    default_value: f32,
}

/// The forward kernel's parameters; the WGSL struct of the same name in
/// shaders/elementwise/threshold.wgsl mirrors it.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub(crate) struct ThresholdParams {
    threshold: f32,
    default_value: f32,
    _pad: [f32; 2],
}

impl KerasFunction for Threshold {
    const NAME: &'static str = "threshold";
    const ARGUMENTS: &'static [&'static str] = &["threshold", "default_value"];

    fn from_kwargs(kwargs: &Fields<'_>) -> Result<Self> {
        let missing: Vec<&'static str> = Self::ARGUMENTS
            .iter()
            .copied()
            .filter(|&name| kwargs.get(name).is_none())
            .collect();
        if let Some(&first) = missing.first() {
            // Python's words for the call Keras would make.
            let names: Vec<String> = missing.iter().map(|name| format!("'{name}'")).collect();
            return Err(Error::argument(
                first,
                format!(
                    "threshold() missing {} required positional argument{}: {}",
                    missing.len(),
                    if missing.len() == 1 { "" } else { "s" },
                    names.join(" and ")
                ),
            ));
        }
        Ok(Self {
            threshold: finite(OWNER, "threshold", kwargs.number_or("threshold", 0.0)?)?,
            default_value: finite(
                OWNER,
                "default_value",
                kwargs.number_or("default_value", 0.0)?,
            )?,
        })
    }

    fn kwargs(&self) -> Value {
        json!({
            "threshold": f32_json(self.threshold),
            "default_value": f32_json(self.default_value),
        })
    }
}

impl Elementwise for Threshold {
    elementwise_kernels!("threshold", layout!(ThresholdParams), layout!(ScalarParams));
    type Params = ThresholdParams;
    type GradientParams = ScalarParams;

    fn params(&self) -> ThresholdParams {
        ThresholdParams {
            threshold: self.threshold,
            default_value: self.default_value,
            _pad: [0.0; 2],
        }
    }

    fn gradient_params(&self) -> ScalarParams {
        ScalarParams::new(self.threshold)
    }

    /// Its threshold and default_value rounded to f16, as Keras casts them.
    fn on_f16(&self) -> Option<Self> {
        Some(Threshold {
            threshold: rounded_to_f16(self.threshold),
            default_value: rounded_to_f16(self.default_value),
        })
    }

    /// The test is strict: `x == threshold` gives `default_value`.
    fn apply(&self, x: f32) -> f32 {
        if x.is_nan() || x > self.threshold {
            x
        } else {
            self.default_value
        }
    }

    /// 1 above `threshold`, 0 elsewhere (at it too).
    fn backward(&self, x: f32, dy: f32) -> f32 {
        dy * if x > self.threshold { 1.0 } else { 0.0 }
    }
}

elementwise_layer!(@layer Threshold, "Activation");
