//! `keras.activations.tanh_shrink`: `x - tanh(x)`, no arguments.

use crate::activations::activation::reference::times;
use crate::activations::elementwise::{elementwise_layer, Elementwise};
use crate::activations::function::KerasFunction;
use crate::error::Result;
use crate::keras_json::fields::Fields;
use crate::kernels::spec::{Kernel, KernelSpec, Layout};

/// `tanh_shrink(x) = x - tanh(x)`, without the cancellation near 0 (Keras's
/// f32 `tanh_shrink(1e-3)` is `4.66e-10` against a true `3.33e-10`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct TanhShrink;

impl KerasFunction for TanhShrink {
    const NAME: &'static str = "tanh_shrink";

    fn from_kwargs(_: &Fields<'_>) -> Result<Self> {
        Ok(TanhShrink)
    }
}

/// `x - tanh(x)` in f64: its Taylor series below 0.1, where f64's own
/// difference would keep too few digits.
fn tanh_shrink(x: f64) -> f64 {
    if x.abs() >= 0.1 {
        return x - x.tanh();
    }
    // x^3/3 - 2x^5/15 + 17x^7/315 - 62x^9/2835 + 1382x^11/155925 - ...
    const TAYLOR: [f64; 7] = [
        1.0 / 3.0,
        -2.0 / 15.0,
        17.0 / 315.0,
        -62.0 / 2835.0,
        1382.0 / 155_925.0,
        -21844.0 / 6_081_075.0,
        929_569.0 / 638_512_875.0,
    ];
    let u = x * x;
    let series = TAYLOR.iter().rev().fold(0.0, |acc, &c| acc * u + c);
    x * u * series
}

impl Elementwise for TanhShrink {
    const FORWARD: Kernel = Kernel(
        &KernelSpec::elementwise(
            "tanh_shrink",
            include_str!("../../../shaders/elementwise/tanh_shrink.wgsl"),
            Layout::NONE,
        )
        .with_math(),
    );
    const GRADIENT: Kernel = Kernel(
        &KernelSpec::elementwise_gradient(
            "tanh_shrink_grad",
            include_str!("../../../shaders/elementwise/tanh_shrink_grad.wgsl"),
            Layout::NONE,
        )
        .with_math(),
    );
    type Params = ();
    type GradientParams = ();

    fn params(&self) {}

    fn gradient_params(&self) {}

    /// In f64, rounded once. NaN stays NaN, ±0 give `+0` (Keras's
    /// `x - tanh(x)`), ±inf give ±inf.
    fn apply(&self, x: f32) -> f32 {
        if x == 0.0 {
            return 0.0;
        }
        tanh_shrink(f64::from(x)) as f32
    }

    /// `dy tanh^2(x)` (JAX's `1 - (1 - t^2)`), from `x`; 1 at ±inf, 0 at 0.
    fn backward(&self, x: f32, dy: f32) -> f32 {
        let t = f64::from(x).tanh();
        times(dy, t * t, if x == 0.0 { 0.0 } else { 1.0 })
    }
}

elementwise_layer!(@layer TanhShrink, "Activation");
