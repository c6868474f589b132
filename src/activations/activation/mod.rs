//! Keras `Activation(activation)`: a layer that applies one of the
//! `keras.activations` functions by name, with its keyword arguments. Each
//! function lives in its own file here (its struct, its `KerasFunction`
//! impl, its kernels and CPU twins: an `Elementwise` impl, or a `Layer` impl
//! on the row machinery for sparsemax, log_softmax and glu) and has one line
//! in [`with_functions!`], the function table. relu, leaky_relu, elu and
//! softmax are their layer's kernels (`AsFunction`), in the layer's file.

mod celu;
mod exponential;
mod gelu;
mod glu;
mod hard_shrink;
mod hard_sigmoid;
mod hard_silu;
mod hard_tanh;
mod linear;
mod log_sigmoid;
mod log_softmax;
mod mish;
mod reference;
mod relu6;
mod selu;
mod sigmoid;
mod silu;
mod soft_shrink;
mod softplus;
mod softsign;
mod sparse_plus;
mod sparse_sigmoid;
mod sparsemax;
mod squareplus;
mod tanh;
mod tanh_shrink;
mod threshold;

use serde_json::{json, Map, Value};

pub(crate) use crate::activations::function::{AsFunction, KerasFunction};
use crate::error::{Error, Result};
use crate::keras_json::fields::{Fields, KerasConfig, BASE_KEYS};
use crate::kernels::spec::Kernel;
use crate::layer::Layer;

/// Calls `$callback!` with the function table: per `keras.activations`
/// function this crate runs, its variant in [`Function`] and its type.
macro_rules! with_functions {
    ($callback:ident) => {
        $callback! {
            Relu => AsFunction<crate::activations::relu::ReLU>;
            LeakyRelu => AsFunction<crate::activations::leaky_relu::LeakyReLU>;
            Elu => AsFunction<crate::activations::elu::ELU>;
            Relu6 => relu6::Relu6;
            Linear => linear::Linear;
            HardTanh => hard_tanh::HardTanh;
            HardShrink => hard_shrink::HardShrink;
            SoftShrink => soft_shrink::SoftShrink;
            Threshold => threshold::Threshold;
            SparseSigmoid => sparse_sigmoid::SparseSigmoid;
            HardSigmoid => hard_sigmoid::HardSigmoid;
            HardSilu => hard_silu::HardSilu;
            SparsePlus => sparse_plus::SparsePlus;
            Softsign => softsign::Softsign;
            Squareplus => squareplus::Squareplus;
            Softmax => AsFunction<crate::activations::softmax::Softmax>;
            Sparsemax => sparsemax::Sparsemax;
            LogSoftmax => log_softmax::LogSoftmax;
            Glu => glu::Glu;
            Sigmoid => sigmoid::Sigmoid;
            Tanh => tanh::Tanh;
            Softplus => softplus::Softplus;
            LogSigmoid => log_sigmoid::LogSigmoid;
            Silu => silu::Silu;
            Mish => mish::Mish;
            Selu => selu::Selu;
            Celu => celu::Celu;
            Gelu => gelu::Gelu;
            Exponential => exponential::Exponential;
            TanhShrink => tanh_shrink::TanhShrink;
        }
    };
}

macro_rules! functions {
    ($($variant:ident => $ty:ty;)*) => {
        /// One `keras.activations` function, with Keras's default arguments
        /// (an `Activation` layer passes none).
        #[derive(Clone, Debug, PartialEq)]
        enum Function {
            $($variant($ty),)*
        }

        impl Function {
            /// The function Keras calls `name` (or an alias of it), called
            /// with `kwargs`; `None` for a name this crate does not run.
            fn by_name(name: &str, kwargs: &Value) -> Option<Result<Self>> {
                $(
                    if name == <$ty as KerasFunction>::NAME
                        || <$ty as KerasFunction>::ALIASES.contains(&name)
                    {
                        return Some(read_kwargs::<$ty>(kwargs).map(Function::$variant));
                    }
                )*
                None
            }

            /// The arguments it was called with.
            fn kwargs(&self) -> Value {
                match self {
                    $(Function::$variant(f) => f.kwargs(),)*
                }
            }

            /// Its Keras name (an alias resolves to its target, as in Keras).
            fn name(&self) -> &'static str {
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

/// `kwargs` read for `F`: only its arguments, then its own reader.
fn read_kwargs<F: KerasFunction>(kwargs: &Value) -> Result<F> {
    let fields = Fields::new(
        kwargs,
        format!("keras.activations.{}", F::NAME),
        "",
        "kwargs",
        false,
    )?;
    fields.only(F::ARGUMENTS, &[])?;
    F::from_kwargs(&fields)
}

/// Keras `Activation(activation)`: applies the `keras.activations` function
/// named `activation` elementwise, with Keras's default arguments, or with
/// the keyword arguments given to [`Activation::with_kwargs`] (as
/// `keras.activations.<name>(x, **kwargs)` takes them).
///
/// Every function of Keras 3.15.1's `keras.activations` runs; any other name
/// is Keras's own error, followed by the names it knows.
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// use serde_json::json;
/// use wgpu_activations::{Activation, GpuContext, GpuTensor};
/// let ctx = GpuContext::new_blocking()?;
/// let x = GpuTensor::from_slice(&ctx, &[4], &[-1.0, 0.5, 6.0, 9.0])?;
/// let relu6 = Activation::new("relu6")?;
/// assert_eq!(relu6.forward(&ctx, &x)?.to_vec_blocking(&ctx)?, vec![0.0, 0.5, 6.0, 6.0]);
/// let capped = Activation::with_kwargs("relu", &json!({"max_value": 2.0}))?;
/// assert_eq!(capped.forward(&ctx, &x)?.to_vec_blocking(&ctx)?, vec![0.0, 0.5, 2.0, 2.0]);
/// assert!(Activation::new("typo").is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Activation {
    function: Function,
}

impl Activation {
    /// The layer applying `keras.activations.<name>` (Keras's spelling, or
    /// an alias it accepts) with Keras's default arguments.
    pub fn new(name: &str) -> Result<Self> {
        Self::with_kwargs(name, &json!({}))
    }

    /// The layer applying `keras.activations.<name>(x, **kwargs)`: `kwargs`
    /// is a JSON object of the function's keyword arguments, by Keras's
    /// names, each absent one taking Keras's default. An unknown argument,
    /// a value of the wrong type, and a value that would make the output
    /// meaningless (docs/KERAS.md, "Activation functions") are errors naming it.
    ///
    /// ```
    /// use serde_json::json;
    /// use wgpu_activations::Activation;
    /// let leaky = Activation::with_kwargs("leaky_relu", &json!({"negative_slope": 0.1}))?;
    /// assert_eq!(leaky.kwargs(), json!({"negative_slope": 0.1}));
    /// assert!(Activation::with_kwargs("leaky_relu", &json!({"alpha": 0.1})).is_err());
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn with_kwargs(name: &str, kwargs: &Value) -> Result<Self> {
        if let Some(function) = Function::by_name(name, kwargs) {
            return Ok(Self {
                function: function?,
            });
        }
        // Keras's own words (keras.activations.get), then the names it
        // knows: every function of Keras 3.15.1 runs here.
        Err(Error::argument(
            "activation",
            format!(
                "Could not interpret activation function identifier: {name} (known: {}, and the aliases swish, hard_swish)",
                Function::names().join(", ")
            ),
        ))
    }

    /// `keras.activations.relu(x, negative_slope, max_value, threshold)`.
    /// As in Keras, a negative slope or threshold is allowed (the `ReLU`
    /// layer refuses them); a negative `max_value`, which makes every output
    /// that value, is refused.
    ///
    /// ```
    /// use wgpu_activations::Activation;
    /// assert!(Activation::relu(0.1, Some(6.0), -0.5).is_ok());
    /// assert!(Activation::relu(0.0, Some(-1.0), 0.0).is_err());
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn relu(negative_slope: f32, max_value: Option<f32>, threshold: f32) -> Result<Self> {
        Self::with_kwargs(
            "relu",
            &json!({"negative_slope": negative_slope, "max_value": max_value, "threshold": threshold}),
        )
    }

    /// `keras.activations.leaky_relu(x, negative_slope)` (Keras's default
    /// 0.2; any finite slope).
    ///
    /// ```
    /// use wgpu_activations::Activation;
    /// assert_eq!(Activation::leaky_relu(0.2)?, Activation::new("leaky_relu")?);
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn leaky_relu(negative_slope: f32) -> Result<Self> {
        Self::with_kwargs("leaky_relu", &json!({ "negative_slope": negative_slope }))
    }

    /// `keras.activations.elu(x, alpha)` (default 1; any finite alpha).
    ///
    /// ```
    /// use wgpu_activations::Activation;
    /// assert_eq!(Activation::elu(1.0)?, Activation::new("elu")?);
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn elu(alpha: f32) -> Result<Self> {
        Self::with_kwargs("elu", &json!({ "alpha": alpha }))
    }

    /// `keras.activations.hard_shrink(x, threshold)` (default 0.5; any
    /// finite threshold).
    ///
    /// ```
    /// use wgpu_activations::Activation;
    /// assert_eq!(Activation::hard_shrink(0.5)?, Activation::new("hard_shrink")?);
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn hard_shrink(threshold: f32) -> Result<Self> {
        Self::with_kwargs("hard_shrink", &json!({ "threshold": threshold }))
    }

    /// `keras.activations.soft_shrink(x, threshold)` (default 0.5; any
    /// finite threshold).
    ///
    /// ```
    /// use wgpu_activations::Activation;
    /// assert_eq!(Activation::soft_shrink(0.5)?, Activation::new("soft_shrink")?);
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn soft_shrink(threshold: f32) -> Result<Self> {
        Self::with_kwargs("soft_shrink", &json!({ "threshold": threshold }))
    }

    /// `keras.activations.threshold(x, threshold, default_value)`: both
    /// required, as in Keras, and finite.
    ///
    /// ```
    /// use wgpu_activations::Activation;
    /// assert!(Activation::threshold(0.5, -1.0).is_ok());
    /// assert!(Activation::new("threshold").is_err());
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn threshold(threshold: f32, default_value: f32) -> Result<Self> {
        Self::with_kwargs(
            "threshold",
            &json!({ "threshold": threshold, "default_value": default_value }),
        )
    }

    /// `keras.activations.squareplus(x, b)` (default 4; `b` finite and not
    /// negative).
    ///
    /// ```
    /// use wgpu_activations::Activation;
    /// assert_eq!(Activation::squareplus(4.0)?, Activation::new("squareplus")?);
    /// assert!(Activation::squareplus(-1.0).is_err());
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn squareplus(b: f32) -> Result<Self> {
        Self::with_kwargs("squareplus", &json!({ "b": b }))
    }

    /// `keras.activations.softmax(x, axis)` over the listed axes (Keras's
    /// default is the last, `-1`), checked against the rank at each call.
    ///
    /// ```
    /// use wgpu_activations::Activation;
    /// assert_eq!(Activation::softmax(&[-1])?.name(), "softmax");
    /// assert!(Activation::softmax(&[]).is_err());
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn softmax(axes: &[i64]) -> Result<Self> {
        Self::with_kwargs("softmax", &json!({ "axis": axes }))
    }

    /// The `keras.activations` names this crate runs (aliases aside), in
    /// its table's order.
    ///
    /// ```
    /// use wgpu_activations::Activation;
    /// assert!(Activation::names().contains(&"relu6"));
    /// ```
    pub fn names() -> Vec<&'static str> {
        Function::names()
    }

    /// The function's Keras name.
    pub fn name(&self) -> &'static str {
        self.function.name()
    }

    /// The function's keyword arguments, every one with its value (`{}` for
    /// a function without arguments).
    pub fn kwargs(&self) -> Value {
        self.function.kwargs()
    }

    /// Keras 3's `get_config()`: `{"activation": name}`. Keras cannot save
    /// arguments other than the defaults in an `Activation` layer; this
    /// crate then adds `"kwargs"`, which it reads back and Keras refuses
    /// (README, "Differences from Keras").
    ///
    /// ```
    /// use serde_json::json;
    /// use wgpu_activations::Activation;
    /// assert_eq!(Activation::new("relu6")?.to_keras_config(), json!({"activation": "relu6"}));
    /// assert_eq!(
    ///     Activation::elu(0.5)?.to_keras_config(),
    ///     json!({"activation": "elu", "kwargs": {"alpha": 0.5}})
    /// );
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn to_keras_config(&self) -> Value {
        self.config()
    }

    /// Whether the arguments are Keras's defaults (so Keras's own config
    /// says everything).
    fn has_default_kwargs(&self) -> bool {
        Activation::new(self.name()).is_ok_and(|default| default == *self)
    }

    /// The function, as a layer.
    fn inner(&self) -> &dyn Layer {
        self.function.layer()
    }
}

/// The function name in an `activation` config value: a name (Keras 2 and
/// 3), a serialized function (`{"class_name": "function", "config": name}`,
/// Keras 3's `serialize_keras_object`), or null (`linear`, as
/// `keras.activations.get(None)`).
fn function_name<'a>(fields: &Fields<'a>) -> Result<&'a str> {
    const EXPECTED: &str = "the name of a keras.activations function, or a serialized one \
                            ({\"class_name\": \"function\", \"config\": name})";
    match fields.get("activation") {
        None => Err(fields.error(
            "activation",
            "an Activation layer needs `activation`, the name of a keras.activations function",
        )),
        Some(Value::Null) => Ok("linear"),
        Some(Value::String(name)) => Ok(name),
        Some(object @ Value::Object(map)) => match (map.get("class_name"), map.get("config")) {
            (Some(Value::String(class)), Some(Value::String(name))) if class == "function" => {
                Ok(name)
            }
            _ => Err(fields.wrong_type("activation", EXPECTED, object)),
        },
        Some(other) => Err(fields.wrong_type("activation", EXPECTED, other)),
    }
}

impl KerasConfig for Activation {
    const CLASS_NAME: &'static str = "Activation";

    fn from_fields(fields: &Fields<'_>) -> Result<Self> {
        fields.only(&["activation", "kwargs"], BASE_KEYS)?;
        let name = function_name(fields)?;
        match fields.get("kwargs") {
            None => Activation::new(name),
            Some(kwargs) => Activation::with_kwargs(name, kwargs),
        }
    }

    fn config(&self) -> Value {
        let mut config = Map::new();
        config.insert("activation".into(), json!(self.name()));
        if !self.has_default_kwargs() {
            config.insert("kwargs".into(), self.kwargs());
        }
        Value::Object(config)
    }
}

// Every call goes to the function inside; the class is Activation's own.
crate::layer::delegate_layer!(Activation, inner, "Activation");
crate::layer::inherent_forward!(@input Activation);
