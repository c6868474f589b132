//! Layer configs: [`layer_from_config`] reads a Keras `get_config()`
//! dictionary (Keras 3 or Keras 2 spelling), [`layer_from_json`] a whole
//! layer entry, a list of them or a `Sequential`, and each layer's
//! `to_keras_config` writes Keras 3's dictionary back.

use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::keras::fields::{f32_json, ints_json, Fields, BASE_KEYS};
use crate::keras::objects::{
    constraint_from, constraint_json, initializer_from, initializer_json, regularizer_from,
    regularizer_json,
};
use crate::keras::AnyLayer;
use crate::layers::Layer;
use crate::{LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU, ELU};

/// The layer classes [`layer_from_config`] knows.
pub const CLASS_NAMES: &[&str] = &[
    "ReLU",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "ThresholdedReLU",
    "Softmax",
];

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
///   with [`PReLU::load_alpha`] or build it on its first input.
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
    match class_name {
        "ReLU" => relu(&fields).map(AnyLayer::ReLU),
        "LeakyReLU" => leaky_relu(&fields).map(AnyLayer::LeakyReLU),
        "ELU" => {
            fields.only(&["alpha"], BASE_KEYS)?;
            let alpha = not_null(
                &fields,
                "alpha",
                1.0,
                "Alpha of an ELU layer cannot be None, expecting a float. Received: None",
            )?;
            ELU::new(alpha).map(AnyLayer::ELU)
        }
        "ThresholdedReLU" => {
            fields.only(&["theta"], BASE_KEYS)?;
            not_negative(&fields, "theta", |v| {
                format!("The theta value of a Thresholded ReLU layer should be >=0. Received: theta={v}")
            })?;
            let theta = not_null(&fields, "theta", 1.0, "Theta of a Thresholded ReLU layer cannot be None, expecting a float. Received: None")?;
            ThresholdedReLU::new(theta).map(AnyLayer::ThresholdedReLU)
        }
        "Softmax" => softmax(&fields).map(AnyLayer::Softmax),
        "PReLU" => prelu(&fields).map(AnyLayer::from),
        other => Err(unknown_class(other)),
    }
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

/// Rejects a negative number with `message(value)`, checked on the JSON
/// value itself, as Keras checks the Python float before any cast to f32:
/// `-1e-50` is negative there although it rounds to `-0.0` in f32, which
/// the constructors (`value < 0.0`) would accept. Other types and `null`
/// are left to the readers, and `-0.0` passes, as in Python.
fn not_negative(
    fields: &Fields<'_>,
    key: &'static str,
    message: impl FnOnce(&Value) -> String,
) -> Result<()> {
    match fields.get(key) {
        Some(value @ Value::Number(n)) if n.as_f64().is_some_and(|v| v < 0.0) => {
            Err(fields.error(key, message(value)))
        }
        _ => Ok(()),
    }
}

/// A number that Keras rejects when `None`, with Keras's message for it.
fn not_null(
    fields: &Fields<'_>,
    key: &'static str,
    default: f32,
    null_message: &str,
) -> Result<f32> {
    match fields.number(key)? {
        None => Ok(default),
        Some(Some(v)) => Ok(v),
        Some(None) => Err(fields.error(key, null_message)),
    }
}

fn relu(fields: &Fields<'_>) -> Result<ReLU> {
    fields.only(&["max_value", "negative_slope", "threshold"], BASE_KEYS)?;
    not_negative(fields, "max_value", |v| {
        format!("max_value of a ReLU layer cannot be a negative value. Received: max_value={v}")
    })?;
    not_negative(fields, "negative_slope", |v| {
        format!("negative_slope of a ReLU layer cannot be None or a negative value. Received: negative_slope={v}")
    })?;
    not_negative(fields, "threshold", |v| {
        format!(
            "threshold of a ReLU layer cannot be None or a negative value. Received: threshold={v}"
        )
    })?;
    let max_value = fields.number("max_value")?.flatten();
    let negative_slope = not_null(
        fields,
        "negative_slope",
        0.0,
        "negative_slope of a ReLU layer cannot be None or a negative value. Received: negative_slope=None",
    )?;
    let threshold = not_null(
        fields,
        "threshold",
        0.0,
        "threshold of a ReLU layer cannot be None or a negative value. Received: threshold=None",
    )?;
    ReLU::new(max_value, negative_slope, threshold)
}

fn leaky_relu(fields: &Fields<'_>) -> Result<LeakyReLU> {
    fields.only(&["negative_slope", "alpha"], BASE_KEYS)?;
    not_negative(fields, "negative_slope", |v| {
        format!(
            "The negative_slope value of a Leaky ReLU layer cannot be None or negative value. \
             Expected a float. Received: negative_slope={v}"
        )
    })?;
    // Keras 2 accepted a negative alpha; it is validated as Keras 3's
    // negative_slope here (see LeakyReLU::from_alpha).
    not_negative(fields, "alpha", |v| {
        format!("The alpha value of a Leaky ReLU layer cannot be None or negative value. Received: alpha={v}")
    })?;
    match (fields.get("negative_slope"), fields.get("alpha")) {
        (Some(slope), Some(alpha)) => Err(fields.error(
            "alpha",
            format!(
                "LeakyReLU got both `negative_slope` (Keras 3) and `alpha` (its Keras 2 name); give one. \
                 Received: negative_slope={slope}, alpha={alpha}"
            ),
        )),
        (None, Some(_)) => LeakyReLU::from_alpha(not_null(
            fields,
            "alpha",
            0.3,
            "The alpha value of a Leaky ReLU layer cannot be None, Expecting a float. Received: None",
        )?),
        _ => LeakyReLU::new(not_null(
            fields,
            "negative_slope",
            0.3,
            "The negative_slope value of a Leaky ReLU layer cannot be None or negative value. \
             Expected a float. Received: negative_slope=None",
        )?),
    }
}

fn softmax(fields: &Fields<'_>) -> Result<Softmax> {
    fields.only(&["axis", "robust_masking"], BASE_KEYS)?;
    if let Some(v) = fields.get("robust_masking") {
        if !v.is_boolean() {
            return Err(fields.wrong_type("robust_masking", "a bool", v));
        }
    }
    match fields.int_or_list("axis")? {
        None => Ok(Softmax::default()),
        // A list stays a list when written back, even of one axis (SEMANTICS).
        Some(Some(axes)) if !axes.is_empty() => Ok(match fields.get("axis") {
            Some(Value::Array(_)) => Softmax::axes(&axes),
            _ => Softmax::new(axes[0]),
        }),
        Some(_) => Err(fields.wrong_type(
            "axis",
            "an integer or a non-empty list of integers",
            fields.get("axis").expect("present"),
        )),
    }
}

fn prelu(fields: &Fields<'_>) -> Result<PReLU> {
    fields.only(
        &[
            "alpha_initializer",
            "alpha_regularizer",
            "alpha_constraint",
            "shared_axes",
        ],
        BASE_KEYS,
    )?;
    let mut layer = PReLU::new();
    if let Some(init) = fields.get("alpha_initializer") {
        layer = layer.with_initializer(initializer_from(init)?);
    }
    if let Some(reg) = fields.get("alpha_regularizer") {
        if let Some(reg) = regularizer_from(reg)? {
            layer = layer.with_regularizer(reg);
        }
    }
    if let Some(constraint) = fields.get("alpha_constraint") {
        if let Some(constraint) = constraint_from(constraint)? {
            layer = layer.with_constraint(constraint);
        }
    }
    if let Some(Some(axes)) = fields.int_or_list("shared_axes")? {
        layer = layer.with_shared_axes(&axes);
    }
    Ok(layer)
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
            .collect::<Result<Vec<_>>>()
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
    Ok(AnyLayer::Chain(layers))
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

impl ReLU {
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
        json!({
            "max_value": self.max_value().map(f32_json),
            "negative_slope": f32_json(self.negative_slope()),
            "threshold": f32_json(self.threshold()),
        })
    }
}

impl LeakyReLU {
    /// Keras 3's `get_config()`: `{"negative_slope"}`.
    ///
    /// ```
    /// use serde_json::json;
    /// use wgpu_activations::LeakyReLU;
    /// assert_eq!(LeakyReLU::from_alpha(0.2)?.to_keras_config(), json!({"negative_slope": 0.2}));
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn to_keras_config(&self) -> Value {
        json!({ "negative_slope": f32_json(self.negative_slope()) })
    }
}

impl ELU {
    /// Keras 3's `get_config()`: `{"alpha"}`.
    ///
    /// ```
    /// use serde_json::json;
    /// use wgpu_activations::ELU;
    /// assert_eq!(ELU::new(-1.0)?.to_keras_config(), json!({"alpha": -1.0}));
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn to_keras_config(&self) -> Value {
        json!({ "alpha": f32_json(self.alpha()) })
    }
}

impl ThresholdedReLU {
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
        json!({ "theta": f32_json(self.theta()) })
    }
}

impl Softmax {
    /// Keras 3's `get_config()`: `{"axis"}`, an int for one axis given as
    /// [`Softmax::new`], a list for [`Softmax::axes`] (even of one axis: Keras
    /// keeps a list a list).
    ///
    /// ```
    /// use serde_json::json;
    /// use wgpu_activations::Softmax;
    /// assert_eq!(Softmax::new(-1).to_keras_config(), json!({"axis": -1}));
    /// assert_eq!(Softmax::axes(&[1]).to_keras_config(), json!({"axis": [1]}));
    /// assert_eq!(Softmax::axes(&[1, 2]).to_keras_config(), json!({"axis": [1, 2]}));
    /// ```
    pub fn to_keras_config(&self) -> Value {
        let axis = match self.axis_list() {
            [one] if !self.is_axis_list() => Value::from(*one),
            many => ints_json(many),
        };
        json!({ "axis": axis })
    }
}

impl PReLU {
    /// Keras 3's `get_config()`: the serialised `alpha_initializer`,
    /// `alpha_regularizer` and `alpha_constraint` (null when unset) and
    /// `shared_axes` (a list, or null for none). alpha's values are weights,
    /// not config: see [`PReLU::weights`].
    ///
    /// ```
    /// use serde_json::json;
    /// use wgpu_activations::PReLU;
    /// let config = PReLU::new().with_shared_axes(&[1, 2]).to_keras_config();
    /// assert_eq!(config["shared_axes"], json!([1, 2]));
    /// assert_eq!(config["alpha_initializer"]["class_name"], "Zeros");
    /// assert_eq!(config["alpha_regularizer"], json!(null));
    /// ```
    pub fn to_keras_config(&self) -> Value {
        let shared = if self.shared_axes().is_empty() {
            Value::Null
        } else {
            ints_json(self.shared_axes())
        };
        json!({
            "alpha_initializer": initializer_json(&self.initializer()),
            "alpha_regularizer": self.regularizer().as_ref().map(regularizer_json),
            "alpha_constraint": self.constraint().map(constraint_json),
            "shared_axes": shared,
        })
    }
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
            AnyLayer::ReLU(l) => l.to_keras_config(),
            AnyLayer::LeakyReLU(l) => l.to_keras_config(),
            AnyLayer::PReLU(l) => l.to_keras_config(),
            AnyLayer::ELU(l) => l.to_keras_config(),
            AnyLayer::ThresholdedReLU(l) => l.to_keras_config(),
            AnyLayer::Softmax(l) => l.to_keras_config(),
            AnyLayer::Chain(layers) => json!({ "layers": self.chain_entries(layers) }),
        }
    }

    /// The whole Keras entry, `{"class_name", "config"}`, which
    /// [`layer_from_json`] reads back; a chain gives a list of entries.
    ///
    /// ```
    /// use serde_json::json;
    /// use wgpu_activations::{keras::{layer_from_json, AnyLayer}, LeakyReLU, Softmax};
    /// let chain = AnyLayer::Chain(vec![LeakyReLU::new(0.5)?.into(), Softmax::new(0).into()]);
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
