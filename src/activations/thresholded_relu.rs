//! Keras 2 `ThresholdedReLU(theta)`: the layer, its validation and Keras
//! message, its CPU twins and its Keras config.

use std::fmt::Display;

use serde_json::{json, Value};

use crate::activations::elementwise::{elementwise_layer, rounded_to_f16, Elementwise};
use crate::error::Result;
use crate::keras_json::fields::{f32_json, Fields, KerasConfig, BASE_KEYS};
use crate::kernels::params::ScalarParams;
use crate::kernels::spec::{layout, Kernel, KernelSpec};
use crate::validate::non_negative_finite;

/// Keras 2 `ThresholdedReLU`: `x` for `x > theta` (strict), 0 otherwise.
///
/// `theta` must be finite and not negative, as in Keras 2.
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// use wgpu_activations::{GpuContext, GpuTensor, ThresholdedReLU};
/// let ctx = GpuContext::new_blocking()?;
/// let x = GpuTensor::from_slice(&ctx, &[3], &[1.0, 1.5, -3.0])?;
/// let y = ThresholdedReLU::new(1.0)?.forward(&ctx, &x)?.to_vec_blocking(&ctx)?;
/// assert_eq!(y, vec![0.0, 1.5, 0.0]);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ThresholdedReLU {
    theta: f32,
}

impl Default for ThresholdedReLU {
    /// Keras's default, theta = 1.
    fn default() -> Self {
        Self { theta: 1.0 }
    }
}

fn negative_theta(received: impl Display) -> String {
    format!("The theta value of a Thresholded ReLU layer should be >=0. Received: theta={received}")
}

impl ThresholdedReLU {
    /// A validated `ThresholdedReLU`.
    pub fn new(theta: f32) -> Result<Self> {
        let theta = non_negative_finite("a ThresholdedReLU layer", "theta", theta, || {
            negative_theta(format_args!("{theta:?}"))
        })?;
        Ok(Self { theta })
    }

    /// The threshold (outputs are kept strictly above it).
    pub fn theta(&self) -> f32 {
        self.theta
    }

    /// Keras 2's `get_config()`: `{"theta"}` (Keras 3 has no such layer;
    /// its `ReLU(threshold=theta)` differs only in the sign of zero and in
    /// mapping NaN to 0).
    ///
    /// ```
    /// use serde_json::json;
    /// use wgpu_activations::ThresholdedReLU;
    /// assert_eq!(ThresholdedReLU::new(2.5)?.to_keras_config(), json!({"theta": 2.5}));
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn to_keras_config(&self) -> Value {
        self.config()
    }
}

impl Elementwise for ThresholdedReLU {
    const FORWARD: Kernel = Kernel(&KernelSpec::elementwise(
        "thresholded_relu",
        include_str!("../../shaders/elementwise/thresholded_relu.wgsl"),
        layout!(ScalarParams),
    ));
    const GRADIENT: Kernel = Kernel(&KernelSpec::elementwise_gradient(
        "thresholded_relu_grad",
        include_str!("../../shaders/elementwise/thresholded_relu_grad.wgsl"),
        layout!(ScalarParams),
    ));
    type Params = ScalarParams;
    type GradientParams = ScalarParams;

    fn params(&self) -> ScalarParams {
        ScalarParams::new(self.theta)
    }

    fn gradient_params(&self) -> ScalarParams {
        ScalarParams::new(self.theta)
    }

    /// Its theta rounded to f16, as Keras casts them.
    fn on_f16(&self) -> Option<Self> {
        Some(ThresholdedReLU {
            theta: rounded_to_f16(self.theta),
        })
    }

    /// `x` strictly above theta, else a zero with the sign of `x` (Keras
    /// computes `x * (x > theta)`, so negative inputs give `-0`; `-inf`
    /// gives `-0` where Keras gives NaN); NaN stays NaN.
    fn apply(&self, x: f32) -> f32 {
        if x <= self.theta {
            0.0f32.copysign(x)
        } else {
            x
        }
    }

    /// 1 strictly above theta, 0 at and below it.
    fn backward(&self, x: f32, dy: f32) -> f32 {
        dy * if x > self.theta { 1.0 } else { 0.0 }
    }
}

elementwise_layer!(ThresholdedReLU, "ThresholdedReLU");

impl KerasConfig for ThresholdedReLU {
    const CLASS_NAME: &'static str = "ThresholdedReLU";

    fn from_fields(fields: &Fields<'_>) -> Result<Self> {
        fields.only(&["theta"], BASE_KEYS)?;
        fields.not_negative("theta", negative_theta)?;
        let theta = fields.not_null(
            "theta",
            1.0,
            "Theta of a Thresholded ReLU layer cannot be None, expecting a float. Received: None",
        )?;
        ThresholdedReLU::new(theta)
    }

    fn config(&self) -> Value {
        json!({ "theta": f32_json(self.theta) })
    }
}
