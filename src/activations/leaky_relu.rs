//! Keras `LeakyReLU(negative_slope)` (Keras 2 called it `alpha`): the layer,
//! its validation and Keras messages, its CPU twins and its Keras config.

use std::fmt::Display;

use serde_json::{json, Value};

use crate::activations::elementwise::{elementwise_layer, rounded_to_f16, Elementwise};
use crate::activations::function::{AsFunction, KerasFunction};
use crate::error::Result;
use crate::keras_json::fields::{f32_json, Fields, KerasConfig, BASE_KEYS};
use crate::kernels::params::ScalarParams;
use crate::kernels::spec::{layout, Kernel, KernelSpec};
use crate::validate::{finite, non_negative_finite};

/// Keras `LeakyReLU`: `x` for `x >= 0`, `negative_slope * x` below.
///
/// Keras 3 names the argument `negative_slope`, Keras 2 `alpha`; both
/// constructors exist and validate alike (not negative, finite).
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// use wgpu_activations::{GpuContext, GpuTensor, LeakyReLU};
/// let ctx = GpuContext::new_blocking()?;
/// let layer = LeakyReLU::new(0.5)?;
/// let x = GpuTensor::from_slice(&ctx, &[3], &[-2.0, 0.0, 3.0])?;
/// assert_eq!(layer.forward(&ctx, &x)?.to_vec_blocking(&ctx)?, vec![-1.0, 0.0, 3.0]);
/// assert_eq!(LeakyReLU::from_alpha(0.5)?, layer);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeakyReLU {
    negative_slope: f32,
}

impl Default for LeakyReLU {
    /// Keras's layer default, 0.3.
    fn default() -> Self {
        Self {
            negative_slope: 0.3,
        }
    }
}

fn negative_slope_message(received: impl Display) -> String {
    format!(
        "The negative_slope value of a Leaky ReLU layer cannot be None or negative value. \
         Expected a float. Received: negative_slope={received}"
    )
}

fn negative_alpha(received: impl Display) -> String {
    format!("The alpha value of a Leaky ReLU layer cannot be None or negative value. Received: alpha={received}")
}

impl LeakyReLU {
    /// A validated `LeakyReLU` (Keras 3 spelling).
    pub fn new(negative_slope: f32) -> Result<Self> {
        let negative_slope = non_negative_finite(
            "a LeakyReLU layer",
            "negative_slope",
            negative_slope,
            || negative_slope_message(format_args!("{negative_slope:?}")),
        )?;
        Ok(Self { negative_slope })
    }

    /// A validated `LeakyReLU` from the Keras 2 argument `alpha`; errors name `alpha`.
    pub fn from_alpha(alpha: f32) -> Result<Self> {
        let negative_slope = non_negative_finite("a LeakyReLU layer", "alpha", alpha, || {
            negative_alpha(format_args!("{alpha:?}"))
        })?;
        Ok(Self { negative_slope })
    }

    /// The slope for negative inputs.
    pub fn negative_slope(&self) -> f32 {
        self.negative_slope
    }

    /// Keras 3's `get_config()`: `{"negative_slope"}`.
    ///
    /// ```
    /// use serde_json::json;
    /// use wgpu_activations::LeakyReLU;
    /// assert_eq!(LeakyReLU::from_alpha(0.2)?.to_keras_config(), json!({"negative_slope": 0.2}));
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn to_keras_config(&self) -> Value {
        self.config()
    }
}

impl Elementwise for LeakyReLU {
    const FORWARD: Kernel = Kernel(&KernelSpec::elementwise(
        "leaky_relu",
        include_str!("../../shaders/elementwise/leaky_relu.wgsl"),
        layout!(ScalarParams),
    ));
    const GRADIENT: Kernel = Kernel(&KernelSpec::elementwise_gradient(
        "leaky_relu_grad",
        include_str!("../../shaders/elementwise/leaky_relu_grad.wgsl"),
        layout!(ScalarParams),
    ));
    type Params = ScalarParams;
    type GradientParams = ScalarParams;

    fn params(&self) -> ScalarParams {
        ScalarParams::new(self.negative_slope)
    }

    fn gradient_params(&self) -> ScalarParams {
        ScalarParams::new(self.negative_slope)
    }

    /// Its negative_slope rounded to f16, as Keras casts them.
    fn on_f16(&self) -> Option<Self> {
        Some(LeakyReLU {
            negative_slope: rounded_to_f16(self.negative_slope),
        })
    }

    /// NaN stays NaN. Negative inputs with slope 0 give `-0` as Keras's
    /// `0 * x` does, `-inf` included (Keras: NaN).
    fn apply(&self, x: f32) -> f32 {
        match (x < 0.0, self.negative_slope == 0.0) {
            (true, true) => -0.0,
            (true, false) => self.negative_slope * x,
            (false, _) => x,
        }
    }

    /// jax.nn.leaky_relu's derivative: 1 for `x >= 0`, the slope below.
    fn backward(&self, x: f32, dy: f32) -> f32 {
        dy * if x >= 0.0 { 1.0 } else { self.negative_slope }
    }
}

elementwise_layer!(LeakyReLU, "LeakyReLU");

impl KerasConfig for LeakyReLU {
    const CLASS_NAME: &'static str = "LeakyReLU";

    /// Keras 3's `negative_slope` or Keras 2's `alpha` (validated alike
    /// here, although Keras 2 accepted a negative alpha), not both.
    fn from_fields(fields: &Fields<'_>) -> Result<Self> {
        fields.only(&["negative_slope", "alpha"], BASE_KEYS)?;
        fields.not_negative("negative_slope", negative_slope_message)?;
        fields.not_negative("alpha", negative_alpha)?;
        match (fields.get("negative_slope"), fields.get("alpha")) {
            (Some(slope), Some(alpha)) => Err(fields.error(
                "alpha",
                format!(
                    "LeakyReLU got both `negative_slope` (Keras 3) and `alpha` (its Keras 2 name); give one. \
                     Received: negative_slope={slope}, alpha={alpha}"
                ),
            )),
            (None, Some(_)) => LeakyReLU::from_alpha(fields.not_null(
                "alpha",
                0.3,
                "The alpha value of a Leaky ReLU layer cannot be None, Expecting a float. Received: None",
            )?),
            _ => LeakyReLU::new(fields.not_null(
                "negative_slope",
                0.3,
                &negative_slope_message("None"),
            )?),
        }
    }

    fn config(&self) -> Value {
        json!({ "negative_slope": f32_json(self.negative_slope) })
    }
}

/// `keras.activations.leaky_relu(x, negative_slope=0.2)`: the layer's
/// kernels with the function's default (the layer's is 0.3) and no check
/// but finiteness, as a negative slope works in Keras.
impl KerasFunction for AsFunction<LeakyReLU> {
    const NAME: &'static str = "leaky_relu";
    const ARGUMENTS: &'static [&'static str] = &["negative_slope"];

    fn from_kwargs(kwargs: &Fields<'_>) -> Result<Self> {
        let negative_slope = kwargs.number_or("negative_slope", 0.2)?;
        Ok(AsFunction(LeakyReLU {
            negative_slope: finite(
                "keras.activations.leaky_relu",
                "negative_slope",
                negative_slope,
            )?,
        }))
    }

    fn kwargs(&self) -> Value {
        json!({ "negative_slope": f32_json(self.0.negative_slope) })
    }
}

elementwise_layer!(@layer AsFunction<LeakyReLU>, "Activation");
