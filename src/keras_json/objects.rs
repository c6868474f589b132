//! PReLU's `alpha_initializer`, `alpha_regularizer` and `alpha_constraint`
//! in Keras configs: a name (`"he_normal"`, `"l1"`, `"non_neg"`) or a
//! serialised object, `{"module", "class_name", "config", "registered_name"}`
//! (Keras 3; Keras 2 may leave out `module` and `registered_name`).

use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::keras_json::fields::{f32_json, ints_json, Fields};
use crate::weights::{Constraint, Distribution, FanMode, Initializer, Regularizer};

/// The keys of a serialised Keras object.
const OBJECT_KEYS: &[&str] = &["module", "class_name", "config", "registered_name"];

/// The class name and the config of a serialised object under `argument`,
/// or the identifier string.
enum Spec<'a> {
    Name(&'a str),
    Object {
        class_name: &'a str,
        config: Fields<'a>,
    },
}

fn spec<'a>(value: &'a Value, argument: &'static str) -> Result<Spec<'a>> {
    if let Value::String(name) = value {
        return Ok(Spec::Name(name));
    }
    let outer = Fields::new(
        value,
        format!("`{argument}`"),
        format!("{argument}."),
        argument,
        true,
    )
    .map_err(|_| {
        Error::argument(
            argument,
            format!(
                "`{argument}` must be null, a name or a serialised Keras object \
                 {{\"class_name\": ..., \"config\": {{...}}}}. Received: {argument}={value}"
            ),
        )
    })?;
    outer.only(OBJECT_KEYS, &[])?;
    let class_name = outer.string("class_name")?.ok_or_else(|| {
        Error::argument(
            argument,
            format!("`{argument}` has no `class_name`. Received: {argument}={value}"),
        )
    })?;
    // A missing or null config means the class's defaults.
    static EMPTY: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    let config_value: &'a Value = match outer.get("config") {
        None | Some(Value::Null) => EMPTY.get_or_init(|| Value::Object(Default::default())),
        Some(v) => v,
    };
    let config = Fields::new(
        config_value,
        format!("`{argument}` ({class_name})"),
        format!("{argument}.config."),
        argument,
        true,
    )?;
    Ok(Spec::Object { class_name, config })
}

/// The Keras 3 serialised form of an object.
fn serialised(module: &str, class_name: &str, config: Value) -> Value {
    json!({
        "module": module,
        "class_name": class_name,
        "config": config,
        "registered_name": null,
    })
}

/// A constructor of a `VarianceScaling` preset from its seed.
type Preset = fn(Option<u64>) -> Initializer;

/// Keras's presets of `VarianceScaling`, by class name.
const PRESETS: &[(&str, Preset)] = &[
    ("GlorotNormal", Initializer::glorot_normal),
    ("GlorotUniform", Initializer::glorot_uniform),
    ("HeNormal", Initializer::he_normal),
    ("HeUniform", Initializer::he_uniform),
    ("LecunNormal", Initializer::lecun_normal),
    ("LecunUniform", Initializer::lecun_uniform),
];

/// An `alpha_initializer` from a config value. `null` is Keras 3's
/// `add_weight` default for a float weight with no initializer, Glorot uniform.
pub(crate) fn initializer_from(value: &Value) -> Result<Initializer> {
    initializer_spec(value).map_err(|e| prefixed(e, "alpha_initializer"))
}

fn initializer_spec(value: &Value) -> Result<Initializer> {
    if value.is_null() {
        return Ok(Initializer::glorot_uniform(None));
    }
    let (class_name, config) = match spec(value, "alpha_initializer")? {
        Spec::Name(name) => return Initializer::by_name(name),
        Spec::Object { class_name, config } => (class_name, config),
    };
    let init = Initializer::by_name(class_name)?;
    if PRESETS
        .iter()
        .any(|(name, _)| *name == class_name || snake(name) == class_name)
    {
        config.only(&["seed"], &[])?;
        return Ok(init.with_seed(config.seed()?));
    }
    let init = match init {
        Initializer::Zeros | Initializer::Ones => {
            config.only(&[], &[])?;
            init
        }
        Initializer::Constant(default) => {
            config.only(&["value"], &[])?;
            Initializer::constant(config.number_or("value", default)?)?
        }
        Initializer::RandomNormal { mean, stddev, .. } => {
            config.only(&["mean", "stddev", "seed"], &[])?;
            Initializer::random_normal(
                config.number_or("mean", mean)?,
                config.number_or("stddev", stddev)?,
                config.seed()?,
            )?
        }
        Initializer::TruncatedNormal { mean, stddev, .. } => {
            config.only(&["mean", "stddev", "seed"], &[])?;
            Initializer::truncated_normal(
                config.number_or("mean", mean)?,
                config.number_or("stddev", stddev)?,
                config.seed()?,
            )?
        }
        Initializer::RandomUniform { minval, maxval, .. } => {
            config.only(&["minval", "maxval", "seed"], &[])?;
            Initializer::random_uniform(
                config.number_or("minval", minval)?,
                config.number_or("maxval", maxval)?,
                config.seed()?,
            )?
        }
        Initializer::VarianceScaling {
            scale,
            mode,
            distribution,
            ..
        } => {
            config.only(&["scale", "mode", "distribution", "seed"], &[])?;
            let mode = match config.string("mode")? {
                Some(m) => FanMode::by_name(m)
                    .map_err(|e| named(e, "alpha_initializer", &config, "mode"))?,
                None => mode,
            };
            let distribution = match config.string("distribution")? {
                Some(d) => Distribution::by_name(d)
                    .map_err(|e| named(e, "alpha_initializer", &config, "distribution"))?,
                None => distribution,
            };
            Initializer::variance_scaling(
                config.number_or("scale", scale)?,
                mode,
                distribution,
                config.seed()?,
            )?
        }
        // `Initializer` is non-exhaustive; a new kind needs its config here.
        #[allow(unreachable_patterns)]
        other => {
            return Err(Error::argument(
                "alpha_initializer",
                format!("alpha_initializer {class_name} ({other:?}) cannot be read from a config"),
            ))
        }
    };
    Ok(init)
}

/// Adds the key's path to an error from a `by_name` lookup.
fn named(error: Error, argument: &'static str, config: &Fields<'_>, key: &str) -> Error {
    Error::argument(argument, format!("{}: {error}", config.path(key)))
}

/// `GlorotUniform` as `glorot_uniform`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// An initializer as Keras 3 serialises it; the `VarianceScaling` presets
/// under their own class names, as Keras writes them.
pub(crate) fn initializer_json(init: &Initializer) -> Value {
    let module = "keras.initializers";
    if let Initializer::VarianceScaling { seed, .. } = *init {
        if let Some((name, _)) = PRESETS.iter().find(|(_, make)| make(seed) == *init) {
            return serialised(module, name, json!({ "seed": seed }));
        }
    }
    let config = match *init {
        Initializer::Zeros | Initializer::Ones => json!({}),
        Initializer::Constant(value) => json!({ "value": f32_json(value) }),
        Initializer::RandomNormal { mean, stddev, seed }
        | Initializer::TruncatedNormal { mean, stddev, seed } => {
            json!({ "mean": f32_json(mean), "stddev": f32_json(stddev), "seed": seed })
        }
        Initializer::RandomUniform {
            minval,
            maxval,
            seed,
        } => json!({ "minval": f32_json(minval), "maxval": f32_json(maxval), "seed": seed }),
        Initializer::VarianceScaling {
            scale,
            mode,
            distribution,
            seed,
        } => json!({
            "scale": f32_json(scale),
            "mode": mode.name(),
            "distribution": distribution.name(),
            "seed": seed,
        }),
        #[allow(unreachable_patterns)]
        _ => json!({}),
    };
    serialised(module, init.keras_class_name(), config)
}

/// An `alpha_regularizer` from a config value (`null`: none).
pub(crate) fn regularizer_from(value: &Value) -> Result<Option<Regularizer>> {
    if value.is_null() {
        return Ok(None);
    }
    let (class_name, config) = match spec(value, "alpha_regularizer")? {
        Spec::Name(name) => return Regularizer::by_name(name).map(Some),
        Spec::Object { class_name, config } => (class_name, config),
    };
    // Keras's class defaults: L1(l1=0.01), L2(l2=0.01), L1L2(l1=0.0, l2=0.0).
    let reg = match class_name {
        "L1" | "l1" => {
            config.only(&["l1"], &[])?;
            Regularizer::l1(config.number_or("l1", 0.01)?)
        }
        "L2" | "l2" => {
            config.only(&["l2"], &[])?;
            Regularizer::l2(config.number_or("l2", 0.01)?)
        }
        // "l1_l2" is not a Keras 3 name (Regularizer::by_name).
        "L1L2" | "l1l2" => {
            config.only(&["l1", "l2"], &[])?;
            Regularizer::l1_l2(config.number_or("l1", 0.0)?, config.number_or("l2", 0.0)?)
        }
        other => Regularizer::by_name(other),
    }
    .map_err(|e| prefixed(e, "alpha_regularizer"))?;
    Ok(Some(reg))
}

/// A regularizer as Keras 3 serialises it.
pub(crate) fn regularizer_json(reg: &Regularizer) -> Value {
    let (class_name, config) = match *reg {
        Regularizer::L1 { l1 } => ("L1", json!({ "l1": f32_json(l1) })),
        Regularizer::L2 { l2 } => ("L2", json!({ "l2": f32_json(l2) })),
        Regularizer::L1L2 { l1, l2 } => ("L1L2", json!({ "l1": f32_json(l1), "l2": f32_json(l2) })),
        #[allow(unreachable_patterns)]
        _ => ("L1L2", json!({})),
    };
    serialised("keras.regularizers", class_name, config)
}

/// An `alpha_constraint` from a config value (`null`: none).
pub(crate) fn constraint_from(value: &Value) -> Result<Option<Constraint>> {
    if value.is_null() {
        return Ok(None);
    }
    let (class_name, config) = match spec(value, "alpha_constraint")? {
        Spec::Name(name) => return Constraint::by_name(name).map(Some),
        Spec::Object { class_name, config } => (class_name, config),
    };
    let axis = |config: &Fields<'_>| -> Result<Vec<i64>> {
        Ok(config
            .int_or_list("axis")?
            .flatten()
            .unwrap_or_else(|| vec![0]))
    };
    // Keras's class defaults: MaxNorm(2.0, axis=0), MinMaxNorm(0.0, 1.0, rate=1.0, axis=0), UnitNorm(axis=0).
    let constraint = match class_name {
        "NonNeg" | "non_neg" => {
            config.only(&[], &[])?;
            Ok(Constraint::non_neg())
        }
        "MaxNorm" | "max_norm" => {
            config.only(&["max_value", "axis"], &[])?;
            Constraint::max_norm(config.number_or("max_value", 2.0)?, &axis(&config)?)
        }
        "MinMaxNorm" | "min_max_norm" => {
            config.only(&["min_value", "max_value", "rate", "axis"], &[])?;
            Constraint::min_max_norm(
                config.number_or("min_value", 0.0)?,
                config.number_or("max_value", 1.0)?,
                config.number_or("rate", 1.0)?,
                &axis(&config)?,
            )
        }
        "UnitNorm" | "unit_norm" => {
            config.only(&["axis"], &[])?;
            Ok(Constraint::unit_norm(&axis(&config)?))
        }
        other => Constraint::by_name(other),
    }
    .map_err(|e| prefixed(e, "alpha_constraint"))?;
    Ok(Some(constraint))
}

/// An axis list as Keras writes it: an int for one axis.
fn axis_json(axis: &[i64]) -> Value {
    match axis {
        [one] => Value::from(*one),
        many => ints_json(many),
    }
}

/// A constraint as Keras 3 serialises it.
pub(crate) fn constraint_json(constraint: &Constraint) -> Value {
    let (class_name, config) = match constraint {
        Constraint::NonNeg => ("NonNeg", json!({})),
        Constraint::MaxNorm { max_value, axis } => (
            "MaxNorm",
            json!({ "max_value": f32_json(*max_value), "axis": axis_json(axis) }),
        ),
        Constraint::MinMaxNorm {
            min_value,
            max_value,
            rate,
            axis,
        } => (
            "MinMaxNorm",
            json!({
                "min_value": f32_json(*min_value),
                "max_value": f32_json(*max_value),
                "rate": f32_json(*rate),
                "axis": axis_json(axis),
            }),
        ),
        Constraint::UnitNorm { axis } => ("UnitNorm", json!({ "axis": axis_json(axis) })),
        #[allow(unreachable_patterns)]
        _ => ("NonNeg", json!({})),
    };
    serialised("keras.constraints", class_name, config)
}

/// Files an inner argument error (`l1`, `max_value`) under the PReLU
/// argument it came from, keeping the inner name in the message.
fn prefixed(error: Error, argument: &'static str) -> Error {
    match error {
        Error::InvalidArgument {
            argument: inner,
            message,
        } if inner != argument => {
            Error::argument(argument, format!("{argument}.config.{inner}: {message}"))
        }
        other => other,
    }
}
