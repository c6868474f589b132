//! Keras `Activation(activation)`: a layer that applies one of the
//! `keras.activations` functions by name. Each function lives in its own
//! file here (its struct, its `Elementwise` impl with the kernels and CPU
//! twins) and has one line in [`with_functions!`], the function table.

mod relu6;

use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::keras_json::fields::{Fields, KerasConfig, BASE_KEYS};
use crate::kernels::spec::Kernel;
use crate::layer::Layer;

/// What a `keras.activations` function is called in Keras.
pub(crate) trait KerasFunction: Default {
    /// Its name, as `keras.activations.get` takes it and `serialize` gives it.
    const NAME: &'static str;
    /// Other names Keras accepts for it (`swish` for `silu`).
    const ALIASES: &'static [&'static str] = &[];
}

/// Calls `$callback!` with the function table: per `keras.activations`
/// function this crate runs, its variant in [`Function`] and its type.
macro_rules! with_functions {
    ($callback:ident) => {
        $callback! {
            Relu6 => relu6::Relu6;
        }
    };
}

/// Every public function of `keras.activations` in Keras 3.15.1 (with the
/// aliases `swish` and `hard_swish`), so that a name Keras knows but this
/// crate does not run yet is told apart from a typo.
const KERAS_FUNCTIONS: &[&str] = &[
    "celu",
    "elu",
    "exponential",
    "gelu",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "leaky_relu",
    "linear",
    "log_sigmoid",
    "log_softmax",
    "mish",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "swish",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "tanh",
    "tanh_shrink",
    "threshold",
];

macro_rules! functions {
    ($($variant:ident => $ty:ty;)*) => {
        /// One `keras.activations` function, with Keras's default arguments
        /// (an `Activation` layer passes none).
        #[derive(Clone, Copy, Debug, PartialEq)]
        enum Function {
            $($variant($ty),)*
        }

        impl Function {
            /// The function Keras calls `name` (or an alias of it).
            fn by_name(name: &str) -> Option<Self> {
                $(
                    if name == <$ty as KerasFunction>::NAME
                        || <$ty as KerasFunction>::ALIASES.contains(&name)
                    {
                        return Some(Function::$variant(<$ty>::default()));
                    }
                )*
                None
            }

            /// Its Keras name (an alias resolves to its target, as in Keras).
            fn name(self) -> &'static str {
                match self {
                    $(Function::$variant(_) => <$ty as KerasFunction>::NAME,)*
                }
            }

            /// The function as a layer.
            fn layer(&self) -> &dyn Layer {
                match self {
                    $(Function::$variant(f) => f,)*
                }
            }

            /// The names this crate runs.
            fn names() -> Vec<&'static str> {
                vec![$(<$ty as KerasFunction>::NAME),*]
            }
        }

        impl crate::activations::Kernels for Activation {
            fn kernels() -> Vec<Kernel> {
                [$(<$ty as crate::activations::Kernels>::kernels()),*].concat()
            }
        }
    };
}

with_functions!(functions);

/// Keras `Activation(activation)`: applies the `keras.activations` function
/// named `activation`, with that function's default arguments, elementwise.
///
/// So far the function table holds `relu6` (the worked example of
/// ARCHITECTURE.md); any other name of `keras.activations` is an error that
/// says it is not available yet, and a name Keras does not know is Keras's
/// own error.
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// use wgpu_activations::{Activation, GpuContext, GpuTensor};
/// let ctx = GpuContext::new_blocking()?;
/// let relu6 = Activation::new("relu6")?;
/// let x = GpuTensor::from_slice(&ctx, &[4], &[-1.0, 0.5, 6.0, 9.0])?;
/// assert_eq!(relu6.forward(&ctx, &x)?.to_vec_blocking(&ctx)?, vec![0.0, 0.5, 6.0, 6.0]);
/// assert!(Activation::new("typo").is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Activation {
    function: Function,
}

impl Activation {
    /// The layer applying `keras.activations.<name>` (Keras's spelling, or
    /// an alias it accepts).
    pub fn new(name: &str) -> Result<Self> {
        if let Some(function) = Function::by_name(name) {
            return Ok(Self { function });
        }
        let message = if KERAS_FUNCTIONS.contains(&name) {
            format!(
                "activation={name:?} is a Keras activation that wgpu-activations does not run yet; \
                 it runs: {}",
                Function::names().join(", ")
            )
        } else {
            // Keras's own words (keras.activations.get).
            format!("Could not interpret activation function identifier: {name}")
        };
        Err(Error::argument("activation", message))
    }

    /// The function's Keras name.
    pub fn name(&self) -> &'static str {
        self.function.name()
    }

    /// Keras 3's `get_config()`: `{"activation": name}`.
    ///
    /// ```
    /// use serde_json::json;
    /// use wgpu_activations::Activation;
    /// assert_eq!(Activation::new("relu6")?.to_keras_config(), json!({"activation": "relu6"}));
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn to_keras_config(&self) -> Value {
        self.config()
    }
}

impl KerasConfig for Activation {
    const CLASS_NAME: &'static str = "Activation";

    fn from_fields(fields: &Fields<'_>) -> Result<Self> {
        fields.only(&["activation"], BASE_KEYS)?;
        match fields.string("activation")? {
            Some(name) => Activation::new(name),
            None => Err(fields.error(
                "activation",
                "an Activation layer needs `activation`, the name of a keras.activations function",
            )),
        }
    }

    fn config(&self) -> Value {
        json!({ "activation": self.name() })
    }
}

impl Activation {
    /// The function, as a layer.
    fn inner(&self) -> &dyn Layer {
        self.function.layer()
    }
}

// Every call goes to the function inside.
crate::layer::delegate_layer!(Activation, inner);
crate::layer::inherent_forward!(@input Activation);
