//! `keras.activations.selu`: `scale * elu(x, alpha)` with Keras's fixed
//! constants, no arguments.

use crate::activations::activation::reference::times;
use crate::activations::elementwise::{elementwise_layer, Elementwise};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::Fields;
use crate::kernels::spec::{Kernel, KernelSpec, Layout};

/// Keras's `alpha`, rounded to f32 as Keras uses it.
const ALPHA: f32 = 1.673_263_2;
/// Keras's `scale`, rounded to f32 as Keras uses it.
const SCALE: f32 = 1.050_701;

/// `selu(x) = scale * x` for `x > 0`, `scale * alpha * expm1(x)` otherwise
/// (accurate near 0), with Keras's float32 constants: `selu(-inf)` is
/// `-1.7580993`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Selu;

impl KerasFunction for Selu {
    const NAME: &'static str = "selu";

    fn from_kwargs(_: &Fields<'_>) -> Result<Self> {
        Ok(Selu)
    }
}

impl Elementwise for Selu {
    const FORWARD: Kernel = Kernel(
        &KernelSpec::elementwise(
            "selu",
            include_str!("../../../shaders/elementwise/selu.wgsl"),
            Layout::NONE,
        )
        .with_math(),
    );
    const GRADIENT: Kernel = Kernel(
        &KernelSpec::elementwise_gradient(
            "selu_grad",
            include_str!("../../../shaders/elementwise/selu_grad.wgsl"),
            Layout::NONE,
        )
        .with_math(),
    );
    type Params = ();
    type GradientParams = ();

    fn params(&self) {}

    fn gradient_params(&self) {}

    /// `scale * x` above 0 (one f32 product, as Keras's), else
    /// `scale * alpha * expm1(x)` in f64, rounded once. NaN stays NaN, ±0
    /// keep their sign, `-inf` gives `-scale * alpha`.
    fn apply(&self, x: f32) -> f32 {
        if x > 0.0 {
            SCALE * x
        } else {
            (f64::from(SCALE) * f64::from(ALPHA) * f64::from(x).exp_m1()) as f32
        }
    }

    /// `dy * scale` above 0, `dy * scale * alpha * exp(x)` at and below
    /// (so `scale * alpha` at 0, as JAX's `where` gives it); 0 at `-inf`.
    fn backward(&self, x: f32, dy: f32) -> f32 {
        if x > 0.0 {
            dy * SCALE
        } else if x == f32::NEG_INFINITY {
            dy * 0.0
        } else {
            let d = f64::from(SCALE) * f64::from(ALPHA) * f64::from(x).exp();
            times(dy, d, 1.0)
        }
    }
}

elementwise_layer!(@layer Selu, "Activation");
