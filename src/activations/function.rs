//! What a `keras.activations` function is to the crate: [`KerasFunction`]
//! (its Keras name, aliases and keyword arguments) and [`AsFunction`] (a
//! layer class's kernels run as the function of the same name). Below both
//! the layer files and the function table, so neither imports the other.

use serde_json::{json, Value};

use crate::activations::elementwise::Elementwise;
use crate::error::Result;
use crate::keras_json::fields::Fields;
use crate::kernels::spec::Kernel;

/// A `keras.activations` function: what Keras calls it and the keyword
/// arguments it takes.
pub(crate) trait KerasFunction: Sized {
    /// Its name, as `keras.activations.get` takes it and `serialize` gives it.
    const NAME: &'static str;
    /// Other names Keras accepts for it (`swish` for `silu`).
    const ALIASES: &'static [&'static str] = &[];
    /// Its keyword arguments, as Keras names them (any other is an error).
    const ARGUMENTS: &'static [&'static str] = &[];

    /// The function called with `kwargs` (only [`Self::ARGUMENTS`], already
    /// checked; Keras's default for each one absent), validated: each
    /// refusal names the argument and the value.
    fn from_kwargs(kwargs: &Fields<'_>) -> Result<Self>;

    /// Every argument with its value, as `kwargs` (`{}` without arguments).
    fn kwargs(&self) -> Value {
        json!({})
    }
}

/// A Keras layer class's kernels and CPU twins run as the
/// `keras.activations` function of the same name (`ReLU` as `relu`), with
/// the function's own defaults and validation (its `KerasFunction` impl,
/// beside the layer's).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct AsFunction<L>(pub(crate) L);

impl<L: Elementwise> Elementwise for AsFunction<L> {
    const FORWARD: Kernel = L::FORWARD;
    const GRADIENT: Kernel = L::GRADIENT;
    type Params = L::Params;
    type GradientParams = L::GradientParams;

    fn params(&self) -> L::Params {
        self.0.params()
    }

    fn gradient_params(&self) -> L::GradientParams {
        self.0.gradient_params()
    }

    fn on_f16(&self) -> Option<Self> {
        self.0.on_f16().map(AsFunction)
    }

    fn apply(&self, x: f32) -> f32 {
        self.0.apply(x)
    }

    fn backward(&self, x: f32, dy: f32) -> f32 {
        self.0.backward(x, dy)
    }
}
