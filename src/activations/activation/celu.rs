//! `keras.activations.celu(x, alpha=1.0)`:
//! `max(x, 0) + alpha * expm1(min(x, 0) / alpha)`.

use serde_json::{json, Value};

use crate::activations::activation::reference::{positive_zero, times};
use crate::activations::elementwise::{elementwise_layer, rounded_to_f16, Elementwise};
use crate::activations::function::KerasFunction;
use crate::error::{Error, Result};
use crate::keras_json::fields::{f32_json, Fields};
use crate::kernels::params::ScalarParams;
use crate::kernels::spec::{layout, Kernel, KernelSpec};
use crate::validate::finite;

/// `celu(x) = max(x, 0) + alpha * expm1(min(x, 0) / alpha)`: `x` for
/// `x >= 0`, `alpha * expm1(x / alpha)` below (accurate near 0, the quotient
/// kept exact). Any finite normal `alpha`, negative included, as in Keras
/// (whose `alpha = 0` gives NaN for `x >= 0`, and is refused here, as is a
/// subnormal alpha, whose reciprocal overflows f32).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Celu {
    alpha: f32,
}

impl Default for Celu {
    /// Keras's default, alpha = 1.
    fn default() -> Self {
        Self { alpha: 1.0 }
    }
}

impl KerasFunction for Celu {
    const NAME: &'static str = "celu";
    const ARGUMENTS: &'static [&'static str] = &["alpha"];

    fn from_kwargs(kwargs: &Fields<'_>) -> Result<Self> {
        let alpha = finite(
            "keras.activations.celu",
            "alpha",
            kwargs.number_or("alpha", 1.0)?,
        )?;
        if alpha == 0.0 {
            return Err(Error::argument(
                "alpha",
                format!(
                    "alpha of keras.activations.celu must not be 0 (Keras divides by it and \
                     gives NaN for every x >= 0). Received: alpha={alpha:?}"
                ),
            ));
        }
        // GPUs divide as x * (1 / alpha), and 1 / alpha overflows f32 for a
        // subnormal alpha; many also flush subnormals to 0 (XLA's CPU
        // backend too, so Keras's own result is NaN or inf there).
        if alpha.abs() < f32::MIN_POSITIVE {
            return Err(Error::argument(
                "alpha",
                format!(
                    "alpha of keras.activations.celu must be at least {:e} in magnitude: a \
                     subnormal alpha overflows 1 / alpha and is flushed to 0 by many GPUs. \
                     Received: alpha={alpha:e}",
                    f32::MIN_POSITIVE
                ),
            ));
        }
        Ok(Celu { alpha })
    }

    fn kwargs(&self) -> Value {
        json!({ "alpha": f32_json(self.alpha) })
    }
}

impl Elementwise for Celu {
    const FORWARD: Kernel = Kernel(
        &KernelSpec::elementwise(
            "celu",
            include_str!("../../../shaders/elementwise/celu.wgsl"),
            layout!(ScalarParams),
        )
        .with_math(),
    );
    const GRADIENT: Kernel = Kernel(
        &KernelSpec::elementwise_gradient(
            "celu_grad",
            include_str!("../../../shaders/elementwise/celu_grad.wgsl"),
            layout!(ScalarParams),
        )
        .with_math(),
    );
    type Params = ScalarParams;
    type GradientParams = ScalarParams;

    fn params(&self) -> ScalarParams {
        ScalarParams::new(self.alpha)
    }

    fn gradient_params(&self) -> ScalarParams {
        ScalarParams::new(self.alpha)
    }

    /// Its alpha (unless it rounds to 0) rounded to f16, as Keras casts them.
    fn on_f16(&self) -> Option<Self> {
        // An alpha that rounds to f16's 0 (Keras's result: NaN for every
        // x >= 0) keeps its f32 value; README, "Differences from Keras".
        let alpha = rounded_to_f16(self.alpha);
        (alpha != 0.0).then_some(Celu { alpha })
    }

    /// `x` for `x >= 0` (±0 give `+0`, as Keras's sum does), else
    /// `alpha * expm1(x / alpha)` in f64, rounded once. NaN stays NaN,
    /// `-inf` gives `-alpha` (`-inf` for a negative alpha).
    fn apply(&self, x: f32) -> f32 {
        if x >= 0.0 || x.is_nan() {
            positive_zero(x)
        } else {
            let alpha = f64::from(self.alpha);
            (alpha * (f64::from(x) / alpha).exp_m1()) as f32
        }
    }

    /// `dy` for `x >= 0` (1 at 0: JAX splits the ties of `max` and `min`
    /// half and half), `dy * exp(x / alpha)` below; at `-inf`, 0 (inf for a
    /// negative alpha).
    fn backward(&self, x: f32, dy: f32) -> f32 {
        if x >= 0.0 {
            dy
        } else if x == f32::NEG_INFINITY {
            dy * if self.alpha > 0.0 { 0.0 } else { f32::INFINITY }
        } else {
            times(dy, (f64::from(x) / f64::from(self.alpha)).exp(), 1.0)
        }
    }
}

elementwise_layer!(@layer Celu, "Activation");
