//! Layer configs: [`layer_from_config`] reads a Keras `get_config()`
//! dictionary (Keras 3 or Keras 2 spelling), [`layer_from_json`] a whole
//! layer entry, a list of them or a `Sequential`, and each layer's
//! `to_keras_config` writes Keras 3's dictionary back.

use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::keras::{AnyLayer, Sequential};
use crate::keras_json::fields::{Fields, KerasConfig};
use crate::layer::Layer;

/// Generates [`CLASS_NAMES`], the config reader's dispatch and the writer's
/// from the activation table (`activations::with_activations!`).
macro_rules! configs {
    ($($variant:ident => $ty:ty, $held:ty;)*) => {
        /// The layer classes [`layer_from_config`] knows.
        pub const CLASS_NAMES: &[&str] = &[$(<$ty as KerasConfig>::CLASS_NAME),*];

        /// The layer of class `class_name` read from `fields`.
        fn from_fields(class_name: &str, fields: &Fields<'_>) -> Result<AnyLayer> {
            $(
                if class_name == <$ty as KerasConfig>::CLASS_NAME {
                    return <$ty as KerasConfig>::from_fields(fields).map(AnyLayer::from);
                }
            )*
            Err(unknown_class(class_name))
        }

        impl AnyLayer {
            /// The layer's Keras 3 `get_config()` (see each layer's
            /// `to_keras_config`); a chain gives `{"layers": [entries]}`, the
            /// config of a Keras `Sequential`.
            ///
            /// ```
            /// use serde_json::json;
            /// use wgpu_activations::{keras::AnyLayer, ELU};
            /// assert_eq!(AnyLayer::from(ELU::new(0.5)?).to_keras_config(), json!({"alpha": 0.5}));
            /// # Ok::<(), wgpu_activations::Error>(())
            /// ```
            pub fn to_keras_config(&self) -> Value {
                match self {
                    $(AnyLayer::$variant(l) => {
                        let layer: &$ty = std::borrow::Borrow::borrow(l);
                        layer.config()
                    })*
                    AnyLayer::Chain(layers) => json!({ "layers": self.chain_entries(layers) }),
                }
            }
        }
    };
}

crate::activations::with_activations!(configs);

/// Builds a layer from its Keras class name and `get_config()` dictionary.
///
/// Both spellings are read: Keras 3's (`LeakyReLU(negative_slope)`, Python
/// floats) and Keras 2's (`LeakyReLU(alpha)`, float32-cast values such as
/// `0.30000001192092896`). Missing keys take Keras's defaults. `name`,
/// `trainable` and `dtype` (a string or a `DTypePolicy` dict) are checked
/// for type and otherwise ignored: the layers compute in f32. Any other
/// unknown key, a value of the wrong type, or one the layer's constructor
/// rejects is an [`Error::InvalidArgument`] naming the key and the value.
///
/// Per class:
/// - `ReLU`: `max_value` (number or null), `negative_slope`, `threshold`.
/// - `LeakyReLU`: `negative_slope` (Keras 3, must be >= 0) or `alpha`
///   (Keras 2, validated alike here), not both.
/// - `ELU`: `alpha`. `ThresholdedReLU`: `theta`.
/// - `Softmax`: `axis`, an int or a list of ints; Keras 2's
///   `robust_masking` (a bool) is accepted and changes nothing, because
///   masks here always use Keras 3's hard `where` cut (masked positions
///   output 0), which is what `robust_masking` approximates.
/// - `PReLU`: `alpha_initializer`, `alpha_regularizer`, `alpha_constraint`
///   (each null, a name or a serialised object) and `shared_axes` (an int, a
///   list or null). The layer comes back unbuilt, as in Keras; set alpha
///   with [`crate::PReLU::load_alpha`] or build it on its first input.
/// - `Activation`: `activation`, the name of a `keras.activations` function
///   (any of them; a name Keras does not know is Keras's own error), with its
///   keyword arguments under `kwargs` where they differ from Keras's defaults.
///
/// ```
/// use serde_json::json;
/// use wgpu_activations::keras::{layer_from_config, AnyLayer};
/// let k2 = layer_from_config("LeakyReLU", &json!({"alpha": 0.30000001192092896, "name": "lr"}))?;
/// let k3 = layer_from_config("LeakyReLU", &json!({"negative_slope": 0.3}))?;
/// assert_eq!(k2.to_keras_config(), k3.to_keras_config());
/// let err = layer_from_config("ReLU", &json!({"threshold": -1.0})).unwrap_err();
/// assert!(err.to_string().contains("threshold=-1.0"));
/// assert!(layer_from_config("ELU", &json!({"alpha": 1.0, "beta": 2})).is_err());
/// assert!(matches!(layer_from_config("Softmax", &json!({"axis": [1, 2]}))?, AnyLayer::Softmax(_)));
/// # Ok::<(), wgpu_activations::Error>(())
/// ```
pub fn layer_from_config(class_name: &str, config: &Value) -> Result<AnyLayer> {
    let what = class_name.to_string();
    let fields = Fields::new(config, what, "", "config", false)?;
    fields.base_keys()?;
    from_fields(class_name, &fields)
}

fn unknown_class(class_name: &str) -> Error {
    Error::argument(
        "class_name",
        format!(
            "Unknown layer class_name {class_name:?}: expected one of {} (or a list of entries, or a Sequential of them)",
            CLASS_NAMES.join(", ")
        ),
    )
}

/// Builds a layer, or a chain, from a Keras layer entry
/// `{"class_name": ..., "config": {...}}`, a JSON list of entries, or a
/// serialised `Sequential` (`{"class_name": "Sequential", "config":
/// {"layers": [...]}}`) of activation layers. Chains run on the GPU in one
/// submission ([`AnyLayer::Chain`]).
///
/// An entry may carry Keras 3's `module`, `registered_name` and
/// `build_config` and Keras 2's `name`; a `Sequential` also a compiled
/// model's `compile_config` and Keras 2's `keras_version` and `backend`
/// (`model.to_json()`), which are ignored; a PReLU entry with
/// `build_config.input_shape` is built for that shape (a `null` batch size
/// counts as 1), so its alpha can be set right away. In a `Sequential`, an
/// `InputLayer` entry (`batch_shape`, Keras 2 `batch_input_shape`) is
/// skipped, and its shape, or the model's `build_config.input_shape` /
/// `build_input_shape`, builds the PReLUs, as Keras builds them.
///
/// ```
/// use serde_json::json;
/// use wgpu_activations::{keras::{layer_from_json, AnyLayer}, Layer};
/// let chain = layer_from_json(&json!([
///     {"class_name": "ReLU", "config": {"max_value": 6.0}},
///     {"class_name": "Softmax", "config": {"axis": -1}},
/// ]))?;
/// assert!(matches!(&chain, AnyLayer::Chain(layers) if layers.len() == 2));
/// assert_eq!(chain.reference(&[1, 2], &[9.0, 6.0])?, vec![0.5, 0.5]);
/// # Ok::<(), wgpu_activations::Error>(())
/// ```
pub fn layer_from_json(value: &Value) -> Result<AnyLayer> {
    if let Value::Array(entries) = value {
        return entries
            .iter()
            .map(layer_from_json)
            .collect::<Result<Sequential>>()
            .map(AnyLayer::Chain);
    }
    let entry = Fields::new(value, "a layer entry", "", "class_name", false)?;
    let model = entry.get("class_name") == Some(&Value::from("Sequential"));
    entry.only(
        &["class_name", "config"],
        if model {
            // A model's `to_json()`: Keras 3 adds `compile_config` once it
            // is compiled (optimizer, loss, metrics), Keras 2 adds
            // `keras_version` and `backend`. None changes what is computed.
            MODEL_ENTRY_KEYS
        } else {
            LAYER_ENTRY_KEYS
        },
    )?;
    let class_name = entry.string("class_name")?.ok_or_else(|| {
        Error::argument(
            "class_name",
            format!("a layer entry needs a `class_name`. Received: {value}"),
        )
    })?;
    let empty = Value::Object(Map::new());
    let config = entry.get("config").unwrap_or(&empty);
    if class_name == "Sequential" {
        let seq = Fields::new(config, "Sequential", "config.", "config", true)?;
        seq.only(
            &["layers"],
            &["name", "trainable", "dtype", "build_input_shape"],
        )?;
        let layers = seq.get("layers").ok_or_else(|| {
            Error::argument("config", "a Sequential config needs `layers`".to_string())
        })?;
        let Value::Array(entries) = layers else {
            return Err(seq.wrong_type("layers", "a list of layer entries", layers));
        };
        // Keras 3 records the model's input shape here when it was built.
        let built_shape = entry
            .get("build_config")
            .and_then(|b| b.get("input_shape"))
            .or_else(|| seq.get("build_input_shape"))
            .filter(|s| !s.is_null())
            .map(input_shape)
            .transpose()?;
        return sequential(entries, built_shape);
    }
    let layer = layer_from_config(class_name, config)?;
    if let (AnyLayer::PReLU(prelu), Some(build)) = (&layer, entry.get("build_config")) {
        if let Some(shape) = build.get("input_shape").filter(|s| !s.is_null()) {
            prelu.build(&input_shape(shape)?)?;
        }
    }
    Ok(layer)
}

/// Keys of a layer entry beside `class_name` and `config`, read elsewhere
/// (`build_config`) or ignored.
const LAYER_ENTRY_KEYS: &[&str] = &[
    "module",
    "registered_name",
    "build_config",
    "name",
    "inbound_nodes",
];

/// Keys of a `Sequential` entry beside `class_name` and `config`: those of
/// a layer entry and what a model's `to_json()` adds.
const MODEL_ENTRY_KEYS: &[&str] = &[
    "module",
    "registered_name",
    "build_config",
    "compile_config",
    "keras_version",
    "backend",
    "name",
];

/// A Sequential's layers. Its `InputLayer` (which Keras 3 lists first when
/// the model was made with `keras.Input`) computes nothing, but its shape
/// (or the model's recorded input shape, `shape`) builds the PReLUs, as
/// Keras builds them when the model is made; the activation layers keep the
/// shape, so it holds for every one of them.
fn sequential(entries: &[Value], mut shape: Option<Vec<usize>>) -> Result<AnyLayer> {
    let mut layers = Vec::new();
    for entry in entries {
        if entry.get("class_name") == Some(&Value::from("InputLayer")) {
            let config = entry.get("config").unwrap_or(&Value::Null);
            let batch_shape = config
                .get("batch_shape")
                .or_else(|| config.get("batch_input_shape"));
            if let Some(batch_shape) = batch_shape {
                shape = Some(input_shape(batch_shape)?);
            }
            continue;
        }
        let layer = layer_from_json(entry)?;
        if let (AnyLayer::PReLU(prelu), Some(shape)) = (&layer, &shape) {
            if !prelu.is_built() {
                prelu.build(shape)?;
            }
        }
        layers.push(layer);
    }
    Ok(AnyLayer::Chain(layers.into()))
}

/// A Keras input shape (`[null, 4, 5]`) with a `null` batch size as 1.
fn input_shape(value: &Value) -> Result<Vec<usize>> {
    let bad = || {
        Error::argument(
            "build_config",
            format!("build_config.input_shape must be a list of sizes (null for the batch). Received: {value}"),
        )
    };
    value
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|d| match d {
            Value::Null => Ok(1),
            Value::Number(n) => n.as_u64().map(|n| n as usize).ok_or_else(bad),
            _ => Err(bad()),
        })
        .collect()
}

impl AnyLayer {
    /// The whole Keras entry, `{"class_name", "config"}`, which
    /// [`layer_from_json`] reads back; a chain gives a list of entries.
    ///
    /// ```
    /// use serde_json::json;
    /// use wgpu_activations::{keras::{layer_from_json, AnyLayer}, LeakyReLU, Sequential, Softmax};
    /// let chain = AnyLayer::from(Sequential::new().with(LeakyReLU::new(0.5)?).with(Softmax::new(0)));
    /// let entries = chain.to_keras_json();
    /// assert_eq!(entries[1], json!({"class_name": "Softmax", "config": {"axis": 0}}));
    /// assert_eq!(layer_from_json(&entries)?.to_keras_json(), entries);
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn to_keras_json(&self) -> Value {
        match self {
            AnyLayer::Chain(layers) => self.chain_entries(layers),
            layer => json!({
                "class_name": layer.class_name(),
                "config": layer.to_keras_config(),
            }),
        }
    }

    /// A chain's entries, nested chains flattened (Keras's `Sequential`
    /// holds layers, and a chain of chains computes the same thing).
    fn chain_entries(&self, layers: &[AnyLayer]) -> Value {
        let mut out = Vec::new();
        for layer in layers {
            match layer.to_keras_json() {
                Value::Array(inner) => out.extend(inner),
                entry => out.push(entry),
            }
        }
        Value::Array(out)
    }
}
