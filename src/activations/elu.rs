//! Keras `ELU(alpha)`: the layer, its validation, its CPU twins (`expm1`
//! and `exp` in f64) and its Keras config.

use serde_json::{json, Value};

use crate::activations::elementwise::{elementwise_layer, rounded_to_f16, Elementwise};
use crate::activations::function::{AsFunction, KerasFunction};
use crate::error::Result;
use crate::keras_json::fields::{f32_json, Fields, KerasConfig, BASE_KEYS};
use crate::kernels::params::ScalarParams;
use crate::kernels::spec::{layout, Kernel, KernelSpec};
use crate::validate::finite;

/// Keras `ELU`: `x` for `x > 0`, `alpha * expm1(x)` otherwise, accurate near 0
/// (a polynomial, not `exp(x) - 1`).
///
/// Any finite `alpha` is accepted, negative included, as in Keras.
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// use wgpu_activations::{GpuContext, GpuTensor, ELU};
/// let ctx = GpuContext::new_blocking()?;
/// let x = GpuTensor::from_slice(&ctx, &[3], &[-1e-7, 0.0, 2.0])?;
/// let y = ELU::new(1.0)?.forward(&ctx, &x)?.to_vec_blocking(&ctx)?;
/// assert_eq!(y[1..], [0.0, 2.0]);
/// assert!((y[0] + 1e-7).abs() < 1e-13);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ELU {
    alpha: f32,
}

impl Default for ELU {
    /// Keras's default, alpha = 1.
    fn default() -> Self {
        Self { alpha: 1.0 }
    }
}

impl ELU {
    /// A validated `ELU` (alpha must be finite).
    pub fn new(alpha: f32) -> Result<Self> {
        Ok(Self {
            alpha: finite("a ELU layer", "alpha", alpha)?,
        })
    }

    /// The scale of the negative part.
    pub fn alpha(&self) -> f32 {
        self.alpha
    }

    /// Keras 3's `get_config()`: `{"alpha"}`.
    ///
    /// ```
    /// use serde_json::json;
    /// use wgpu_activations::ELU;
    /// assert_eq!(ELU::new(-1.0)?.to_keras_config(), json!({"alpha": -1.0}));
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn to_keras_config(&self) -> Value {
        self.config()
    }
}

impl Elementwise for ELU {
    const FORWARD: Kernel = Kernel(&KernelSpec::elementwise(
        "elu",
        include_str!("../../shaders/elementwise/elu.wgsl"),
        layout!(ScalarParams),
    ));
    const GRADIENT: Kernel = Kernel(&KernelSpec::elementwise_gradient(
        "elu_grad",
        include_str!("../../shaders/elementwise/elu_grad.wgsl"),
        layout!(ScalarParams),
    ));
    type Params = ScalarParams;
    type GradientParams = ScalarParams;

    fn params(&self) -> ScalarParams {
        ScalarParams::new(self.alpha)
    }

    fn gradient_params(&self) -> ScalarParams {
        ScalarParams::new(self.alpha)
    }

    /// Its alpha rounded to f16, as Keras casts them.
    fn on_f16(&self) -> Option<Self> {
        Some(ELU {
            alpha: rounded_to_f16(self.alpha),
        })
    }

    /// `x` for `x > 0`, else `alpha * expm1(x)` in f64, rounded once to
    /// f32. NaN stays NaN, `-inf` gives `-alpha`.
    fn apply(&self, x: f32) -> f32 {
        if x > 0.0 || x.is_nan() {
            x
        } else {
            (f64::from(self.alpha) * f64::from(x).exp_m1()) as f32
        }
    }

    /// `alpha * exp(x)` for `x <= 0`, evaluated in f64 with `dy` and rounded once.
    fn backward(&self, x: f32, dy: f32) -> f32 {
        let alpha = f64::from(self.alpha);
        if x > 0.0 {
            dy
        } else if dy.is_infinite() && x > f32::NEG_INFINITY {
            // exp(x) > 0 even where f64's exp underflows: ±inf (NaN for alpha 0).
            (f64::from(dy) * alpha) as f32
        } else {
            (f64::from(dy) * alpha * f64::from(x).exp()) as f32
        }
    }
}

elementwise_layer!(ELU, "ELU");

impl KerasConfig for ELU {
    const CLASS_NAME: &'static str = "ELU";

    fn from_fields(fields: &Fields<'_>) -> Result<Self> {
        fields.only(&["alpha"], BASE_KEYS)?;
        let alpha = fields.not_null(
            "alpha",
            1.0,
            "Alpha of an ELU layer cannot be None, expecting a float. Received: None",
        )?;
        ELU::new(alpha)
    }

    fn config(&self) -> Value {
        json!({ "alpha": f32_json(self.alpha) })
    }
}

/// `keras.activations.elu(x, alpha=1)`: the layer itself, any finite alpha.
impl KerasFunction for AsFunction<ELU> {
    const NAME: &'static str = "elu";
    const ARGUMENTS: &'static [&'static str] = &["alpha"];

    fn from_kwargs(kwargs: &Fields<'_>) -> Result<Self> {
        let alpha = kwargs.number_or("alpha", 1.0)?;
        Ok(AsFunction(ELU {
            alpha: finite("keras.activations.elu", "alpha", alpha)?,
        }))
    }

    fn kwargs(&self) -> Value {
        json!({ "alpha": f32_json(self.0.alpha) })
    }
}

elementwise_layer!(@layer AsFunction<ELU>, "Activation");
