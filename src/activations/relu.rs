//! Keras `ReLU(max_value, negative_slope, threshold)`: the layer, its
//! validation (the one place its Keras error messages are written), its
//! kernels' parameters, its CPU twins and its Keras config.

use std::fmt::Display;

use bytemuck::{Pod, Zeroable};
use serde_json::{json, Value};

use crate::activations::elementwise::{elementwise_layer, rounded_to_f16, Elementwise};
use crate::activations::function::{AsFunction, KerasFunction};
use crate::error::Result;
use crate::keras_json::fields::{f32_json, Fields, KerasConfig, BASE_KEYS};
use crate::kernels::spec::{layout, Kernel, KernelSpec};
use crate::validate::{finite, non_negative_finite};

/// Keras `ReLU`: `x > threshold` gives `min(x, max_value)`, `x <= threshold`
/// gives `negative_slope * (x - threshold)` (so `x == threshold` gives 0).
///
/// Arguments are validated as in Keras 3: each must not be negative, and
/// none may be NaN or infinite (`max_value = +inf` means no clip).
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// use wgpu_activations::{GpuContext, GpuTensor, ReLU};
/// let ctx = GpuContext::new_blocking()?;
/// let relu = ReLU::new(Some(6.0), 0.1, 0.5)?;
/// let x = GpuTensor::from_slice(&ctx, &[4], &[-1.5, 0.5, 3.0, 9.0])?;
/// assert_eq!(relu.forward(&ctx, &x)?.to_vec_blocking(&ctx)?, vec![-0.2, 0.0, 3.0, 6.0]);
/// assert!(ReLU::new(None, -0.1, 0.0).is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReLU {
    max_value: Option<f32>,
    negative_slope: f32,
    threshold: f32,
}

impl Default for ReLU {
    /// Keras's defaults: no clip, slope 0, threshold 0.
    fn default() -> Self {
        Self {
            max_value: None,
            negative_slope: 0.0,
            threshold: 0.0,
        }
    }
}

/// Keras's messages for a negative (or `None`) argument.
fn negative_max_value(received: impl Display) -> String {
    format!("max_value of a ReLU layer cannot be a negative value. Received: max_value={received}")
}

fn negative_slope_message(received: impl Display) -> String {
    format!(
        "negative_slope of a ReLU layer cannot be None or a negative value. \
         Received: negative_slope={received}"
    )
}

fn negative_threshold(received: impl Display) -> String {
    format!("threshold of a ReLU layer cannot be None or a negative value. Received: threshold={received}")
}

impl ReLU {
    /// A validated `ReLU`.
    pub fn new(max_value: Option<f32>, negative_slope: f32, threshold: f32) -> Result<Self> {
        let max_value = match max_value {
            Some(m) if m == f32::INFINITY => None,
            Some(m) => Some(non_negative_finite("a ReLU layer", "max_value", m, || {
                negative_max_value(format_args!("{m:?}"))
            })?),
            None => None,
        };
        let negative_slope =
            non_negative_finite("a ReLU layer", "negative_slope", negative_slope, || {
                negative_slope_message(format_args!("{negative_slope:?}"))
            })?;
        let threshold = non_negative_finite("a ReLU layer", "threshold", threshold, || {
            negative_threshold(format_args!("{threshold:?}"))
        })?;
        Ok(Self {
            max_value,
            negative_slope,
            threshold,
        })
    }

    /// The upper clip, if any.
    pub fn max_value(&self) -> Option<f32> {
        self.max_value
    }

    /// The slope below the threshold.
    pub fn negative_slope(&self) -> f32 {
        self.negative_slope
    }

    /// Where the identity part starts (strictly above it).
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Whether Keras computes this `ReLU` as `leaky_relu(x, negative_slope)`
    /// (a slope with no clip and threshold 0), which keeps `-0` where the
    /// general formula gives `+0`, and whose derivative is 1 at 0.
    fn is_leaky(&self) -> bool {
        self.negative_slope != 0.0 && self.max_value.is_none() && self.threshold == 0.0
    }

    /// Keras 3's `get_config()` for this layer, without `name`, `trainable`
    /// and `dtype`: `{"max_value", "negative_slope", "threshold"}`.
    ///
    /// ```
    /// use serde_json::json;
    /// use wgpu_activations::ReLU;
    /// let config = ReLU::new(Some(6.0), 0.1, 0.0)?.to_keras_config();
    /// assert_eq!(config, json!({"max_value": 6.0, "negative_slope": 0.1, "threshold": 0.0}));
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn to_keras_config(&self) -> Value {
        self.config()
    }
}

/// The forward kernel's uniform.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub(crate) struct ReluParams {
    /// Upper clip, read only when `has_max` is 1.
    max_value: f32,
    /// Slope below the threshold.
    negative_slope: f32,
    /// Where the linear part starts (strict `x > threshold`).
    threshold: f32,
    /// 1 when `max_value` is set.
    has_max: u32,
}

/// The gradient kernel's uniform: Keras 3's composition flattened (see
/// shaders/elementwise/relu_grad.wgsl and [`Elementwise::backward`] below).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub(crate) struct ReluGradParams {
    /// The positive part passes for `x > lo` (or `x >= lo` when `inclusive`);
    /// the negative part adds `slope` for `x < lo`.
    lo: f32,
    /// The negative part's slope.
    slope: f32,
    /// The clip bound, read when `clip` is 1.
    hi: f32,
    /// The derivative at `x == hi`: 1/2 (JAX's clip), 0 (relu6).
    tie: f32,
    /// 1 when the positive part is clipped at `hi`.
    clip: u32,
    /// 1 for `jax.nn.leaky_relu`'s `x >= 0`.
    inclusive: u32,
    /// 1 when the clip's lower bound 0 lies above the threshold (the
    /// function's negative thresholds): `x` in `(threshold, 0]` is clipped.
    floor: u32,
    /// Padding to 32 bytes.
    _pad: u32,
}

/// JAX's derivative of `max(a, b)` with respect to `a` at value `a`
/// (ties split: 1/2).
fn max_derivative(a: f32, b: f32) -> f32 {
    if a > b {
        1.0
    } else if a == b {
        0.5
    } else {
        0.0
    }
}

impl Elementwise for ReLU {
    const FORWARD: Kernel = Kernel(&KernelSpec::elementwise(
        "relu",
        include_str!("../../shaders/elementwise/relu.wgsl"),
        layout!(ReluParams),
    ));
    const GRADIENT: Kernel = Kernel(&KernelSpec::elementwise_gradient(
        "relu_grad",
        include_str!("../../shaders/elementwise/relu_grad.wgsl"),
        layout!(ReluGradParams),
    ));
    type Params = ReluParams;
    type GradientParams = ReluGradParams;

    fn params(&self) -> ReluParams {
        ReluParams {
            max_value: self.max_value.unwrap_or(0.0),
            negative_slope: self.negative_slope,
            threshold: self.threshold,
            has_max: u32::from(self.max_value.is_some()),
        }
    }

    fn gradient_params(&self) -> ReluGradParams {
        let relu6 = self.threshold == 0.0 && self.max_value == Some(6.0);
        ReluGradParams {
            lo: self.threshold,
            slope: self.negative_slope,
            hi: self.max_value.unwrap_or(0.0),
            tie: if relu6 { 0.0 } else { 0.5 },
            clip: u32::from(self.max_value.is_some()),
            inclusive: u32::from(self.is_leaky()),
            floor: u32::from(self.max_value.is_some() && self.threshold < 0.0),
            _pad: 0,
        }
    }

    /// Its max_value, negative_slope and threshold rounded to f16, as Keras casts them.
    fn on_f16(&self) -> Option<Self> {
        Some(ReLU {
            max_value: self.max_value.map(rounded_to_f16),
            negative_slope: rounded_to_f16(self.negative_slope),
            threshold: rounded_to_f16(self.threshold),
        })
    }

    /// NaN stays NaN, `-inf` with slope 0 gives 0. Zeros are `+0` as Keras's
    /// `y - slope * relu(threshold - x)` gives them, except where Keras calls
    /// `leaky_relu`, which keeps the sign of `slope * x`: `ReLU(-0)` is `-0` there.
    fn apply(&self, x: f32) -> f32 {
        let (slope, threshold) = (self.negative_slope, self.threshold);
        if x > threshold {
            // jnp.clip(y, 0, max_value); the 0 matters only for a negative
            // threshold (keras.activations.relu allows one), and its zero is
            // +0. A negative slope's `y - slope * relu(threshold - x)` adds
            // `-(slope * +0) = +0`, which also makes a zero +0.
            let y = self.max_value.map_or(x, |m| x.max(0.0).min(m) + 0.0);
            if slope < 0.0 {
                y + 0.0
            } else {
                y
            }
        } else if x <= threshold {
            let below = if slope == 0.0 {
                0.0
            } else {
                slope * (x - threshold)
            };
            if below == 0.0 && !self.is_leaky() {
                0.0
            } else {
                below
            }
        } else {
            x
        }
    }

    /// Keras 3's `ReLU.static_call` differentiated term by term, as JAX does.
    fn backward(&self, x: f32, dy: f32) -> f32 {
        let (slope, threshold, max_value) = (self.negative_slope, self.threshold, self.max_value);
        if self.is_leaky() {
            // jax.nn.leaky_relu: where(x >= 0, x, slope * x).
            return dy * if x >= 0.0 { 1.0 } else { slope };
        }
        let relu6 = threshold == 0.0 && max_value == Some(6.0);
        // The positive part and its derivative.
        let (y, mut g) = if threshold != 0.0 {
            // x * cast(x > threshold): the mask is a constant.
            let mask = if x > threshold { 1.0 } else { 0.0 };
            (x * mask, mask)
        } else if relu6 {
            // jax.nn.relu6's custom derivative: 0 at 0 and at 6.
            (0.0, if x > 0.0 && x < 6.0 { 1.0 } else { 0.0 })
        } else {
            // jax.nn.relu's custom derivative: 0 at 0.
            (x.max(0.0), if x > 0.0 { 1.0 } else { 0.0 })
        };
        if let (Some(max_value), false) = (max_value, relu6) {
            // jnp.clip(y, 0, max_value) = minimum(max_value, maximum(0, y)).
            g *= max_derivative(y, 0.0);
            g *= max_derivative(-y.max(0.0), -max_value);
        }
        if slope != 0.0 {
            // - slope * relu(threshold - x)
            g += slope * if threshold - x > 0.0 { 1.0 } else { 0.0 };
        }
        dy * g
    }
}

elementwise_layer!(ReLU, "ReLU");

impl KerasConfig for ReLU {
    const CLASS_NAME: &'static str = "ReLU";

    fn from_fields(fields: &Fields<'_>) -> Result<Self> {
        fields.only(&["max_value", "negative_slope", "threshold"], BASE_KEYS)?;
        fields.not_negative("max_value", negative_max_value)?;
        fields.not_negative("negative_slope", negative_slope_message)?;
        fields.not_negative("threshold", negative_threshold)?;
        let max_value = fields.number("max_value")?.flatten();
        let negative_slope =
            fields.not_null("negative_slope", 0.0, &negative_slope_message("None"))?;
        let threshold = fields.not_null("threshold", 0.0, &negative_threshold("None"))?;
        ReLU::new(max_value, negative_slope, threshold)
    }

    fn config(&self) -> Value {
        json!({
            "max_value": self.max_value.map(f32_json),
            "negative_slope": f32_json(self.negative_slope),
            "threshold": f32_json(self.threshold),
        })
    }
}

/// `keras.activations.relu(x, negative_slope=0, max_value=None,
/// threshold=0)`: the layer's kernels, without the layer's checks, as the
/// function has none: a negative slope or threshold works. A negative
/// `max_value` (every output that value) is refused.
impl KerasFunction for AsFunction<ReLU> {
    const NAME: &'static str = "relu";
    const ARGUMENTS: &'static [&'static str] = &["negative_slope", "max_value", "threshold"];

    fn from_kwargs(kwargs: &Fields<'_>) -> Result<Self> {
        const OWNER: &str = "keras.activations.relu";
        let negative_slope = finite(
            OWNER,
            "negative_slope",
            kwargs.number_or("negative_slope", 0.0)?,
        )?;
        let threshold = finite(OWNER, "threshold", kwargs.number_or("threshold", 0.0)?)?;
        let max_value = match kwargs.number("max_value")?.flatten() {
            None => None,
            Some(m) if m == f32::INFINITY => None,
            Some(m) => Some(non_negative_finite(OWNER, "max_value", m, || {
                format!(
                    "max_value of {OWNER} cannot be negative: every output would be max_value. \
                     Received: max_value={m:?}"
                )
            })?),
        };
        Ok(AsFunction(ReLU {
            max_value,
            negative_slope,
            threshold,
        }))
    }

    fn kwargs(&self) -> Value {
        let relu = &self.0;
        json!({
            "negative_slope": f32_json(relu.negative_slope),
            "max_value": relu.max_value.map(f32_json),
            "threshold": f32_json(relu.threshold),
        })
    }
}

elementwise_layer!(@layer AsFunction<ReLU>, "Activation");
