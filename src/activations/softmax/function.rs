//! `keras.activations.softmax(x, axis=-1)`: the `Softmax` layer's kernels
//! and CPU twins, as `Activation("softmax")` and through `with_kwargs`.

use serde_json::Value;

use crate::activations::function::{AsFunction, KerasFunction};
use crate::activations::softmax::Softmax;
use crate::error::{Error, Result};
use crate::keras_json::fields::{Fields, KerasConfig};
use crate::layer::Layer;

/// `axis` as the layer's config reads it: an int, or a list or tuple (a
/// JSON list) of ints, which softmax takes as one set of axes as Keras
/// does. `axis=None` (every axis) is refused, naming it.
impl KerasFunction for AsFunction<Softmax> {
    const NAME: &'static str = "softmax";
    const ARGUMENTS: &'static [&'static str] = &["axis"];

    fn from_kwargs(kwargs: &Fields<'_>) -> Result<Self> {
        if kwargs.get("axis") == Some(&Value::Null) {
            return Err(Error::argument(
                "axis",
                "keras.activations.softmax with axis=None (every axis) is not supported; \
                 list the axes instead. Received: axis=None",
            ));
        }
        Softmax::from_fields(kwargs).map(AsFunction)
    }

    fn kwargs(&self) -> Value {
        self.0.config()
    }
}

impl AsFunction<Softmax> {
    /// The layer inside.
    fn softmax(&self) -> &dyn Layer {
        &self.0
    }
}

crate::layer::delegate_layer!(AsFunction<Softmax>, softmax, "Activation");

impl crate::activations::Kernels for AsFunction<Softmax> {
    fn kernels() -> Vec<crate::kernels::spec::Kernel> {
        <Softmax as crate::activations::Kernels>::kernels()
    }
}
