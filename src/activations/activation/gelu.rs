//! `keras.activations.gelu(x, approximate=False)`: `x Φ(x)`, with erfc, or
//! its tanh approximation.

use bytemuck::{Pod, Zeroable};
use serde_json::{json, Value};

use crate::activations::activation::reference::{sigmoid, sigmoid_slope, times};
use crate::activations::elementwise::{elementwise_layer, Elementwise};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::Fields;
use crate::kernels::spec::{layout, Kernel, KernelSpec, MATH};

/// Shared by both kernels: the uniform and the tanh form's argument.
const PARTS: &str = include_str!("../../../shaders/elementwise/gelu_parts.wgsl");

/// `sqrt(0.5)` rounded to f32, as `jax.nn.gelu` uses it.
const SQRT_HALF: f32 = std::f32::consts::FRAC_1_SQRT_2;
/// `sqrt(2 / pi)` rounded to f32, as `jax.nn.gelu` uses it.
const SQRT_2_OVER_PI: f32 = 0.797_884_6;
/// The cubic coefficient of the tanh form, rounded to f32.
const CUBIC: f32 = 0.044_715;

/// `gelu(x) = x Φ(x) = 0.5 x erfc(-x sqrt(0.5))` (Keras's default), or with
/// `approximate` its tanh form
/// `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`, each with Keras's
/// float32 constants. Both keep their relative precision in the left tail
/// (`gelu(-10) = -7.62e-23`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Gelu {
    approximate: bool,
}

/// The kernels' uniform: which form.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub(crate) struct GeluParams {
    /// 1 for the tanh form, 0 for erfc.
    approximate: u32,
    _pad: [u32; 3],
}

impl KerasFunction for Gelu {
    const NAME: &'static str = "gelu";
    const ARGUMENTS: &'static [&'static str] = &["approximate"];

    /// `approximate`: a bool, or null (Python's falsy `None`, the erfc form).
    fn from_kwargs(kwargs: &Fields<'_>) -> Result<Self> {
        Ok(Gelu {
            approximate: kwargs.bool_or_null("approximate", false)?,
        })
    }

    fn kwargs(&self) -> Value {
        json!({ "approximate": self.approximate })
    }
}

impl Gelu {
    /// The erfc form in f64.
    fn erfc_form(x: f64) -> f64 {
        0.5 * x * libm::erfc(-x * f64::from(SQRT_HALF))
    }

    /// Its derivative, `0.5 erfc(-c x) + (c x / sqrt(pi)) e^(-c^2 x^2)`.
    fn erfc_slope(x: f64) -> f64 {
        let c = f64::from(SQRT_HALF);
        let w = c * x;
        0.5 * libm::erfc(-w) + w / std::f64::consts::PI.sqrt() * (-w * w).exp()
    }

    /// `2u` for the tanh form: `0.5 (1 + tanh u) = σ(2u)`.
    fn twice_u(x: f64) -> f64 {
        2.0 * f64::from(SQRT_2_OVER_PI) * (x + f64::from(CUBIC) * x * x * x)
    }

    /// The tanh form in f64, as `x σ(2u)` (no cancellation in `1 + tanh u`).
    fn tanh_form(x: f64) -> f64 {
        x * sigmoid(Self::twice_u(x))
    }

    /// Its derivative, `σ(2u) + 2x c (1 + 3 a x^2) σ(2u) σ(-2u)`.
    fn tanh_slope(x: f64) -> f64 {
        let t = Self::twice_u(x);
        let du = f64::from(SQRT_2_OVER_PI) * (1.0 + 3.0 * f64::from(CUBIC) * x * x);
        sigmoid(t) + 2.0 * x * du * sigmoid_slope(t)
    }
}

impl Elementwise for Gelu {
    const FORWARD: Kernel = Kernel(
        &KernelSpec::elementwise(
            "gelu",
            include_str!("../../../shaders/elementwise/gelu.wgsl"),
            layout!(GeluParams),
        )
        .with_includes(&[MATH, PARTS]),
    );
    const GRADIENT: Kernel = Kernel(
        &KernelSpec::elementwise_gradient(
            "gelu_grad",
            include_str!("../../../shaders/elementwise/gelu_grad.wgsl"),
            layout!(GeluParams),
        )
        .with_includes(&[MATH, PARTS]),
    );
    type Params = GeluParams;
    type GradientParams = GeluParams;

    fn params(&self) -> GeluParams {
        GeluParams {
            approximate: u32::from(self.approximate),
            _pad: [0; 3],
        }
    }

    fn gradient_params(&self) -> GeluParams {
        self.params()
    }

    /// In f64, rounded once. NaN stays NaN, ±0 keep their sign, `+inf`
    /// gives `+inf`, and `-inf` the limit `-0` (Keras computes NaN).
    fn apply(&self, x: f32) -> f32 {
        if x == f32::NEG_INFINITY {
            return -0.0;
        }
        let x = f64::from(x);
        let y = if self.approximate {
            Self::tanh_form(x)
        } else {
            Self::erfc_form(x)
        };
        y as f32
    }

    /// `dy gelu'(x)`, from `x`; the limits 1 at `+inf` and `-0` at `-inf`
    /// (Keras: NaN at both, and at ±3e38 in the tanh form).
    fn backward(&self, x: f32, dy: f32) -> f32 {
        if x == f32::INFINITY {
            return dy;
        }
        if x == f32::NEG_INFINITY {
            return dy * -0.0;
        }
        let x = f64::from(x);
        let d = if self.approximate {
            Self::tanh_slope(x)
        } else {
            Self::erfc_slope(x)
        };
        // Negative below the root near -0.75 (where f64 may underflow).
        times(dy, d, if x < -0.5 { -1.0 } else { 1.0 })
    }
}

elementwise_layer!(@layer Gelu, "Activation");
