//! Reading the fields of a Keras config dictionary strictly: every key
//! known, every value of the right JSON type, and every error naming the key
//! (with its path inside nested dictionaries) and the value received.

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// One JSON object being read, with what is needed to name its keys in errors.
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    /// What the object configures, for messages: `ReLU`, `alpha_initializer (RandomNormal)`.
    what: String,
    /// Prefix of every key's path in messages: `""` at a layer's top level,
    /// `"alpha_initializer.config."` inside a nested dictionary.
    path: String,
    /// The argument errors are filed under: the top-level key for nested
    /// objects; `None` at the top level, where each key is its own argument.
    argument: Option<&'static str>,
}

impl<'a> Fields<'a> {
    /// `value` as an object, or an error naming `argument` (the whole object's key).
    pub(crate) fn new(
        value: &'a Value,
        what: impl Into<String>,
        path: impl Into<String>,
        argument: &'static str,
        nested: bool,
    ) -> Result<Self> {
        let what = what.into();
        let path = path.into();
        let map = value.as_object().ok_or_else(|| {
            Error::argument(
                argument,
                format!(
                    "the config of {what} must be a JSON object (a dict). Received: {}={value}",
                    if path.is_empty() {
                        argument.to_string()
                    } else {
                        path.trim_end_matches('.').to_string()
                    }
                ),
            )
        })?;
        Ok(Self {
            map,
            what,
            path,
            argument: nested.then_some(argument),
        })
    }

    /// The argument an error about `key` is filed under.
    fn argument(&self, key: &'static str) -> &'static str {
        self.argument.unwrap_or(key)
    }

    /// An error about `key` with `message`, naming its path and the value.
    pub(crate) fn error(&self, key: &'static str, message: impl std::fmt::Display) -> Error {
        Error::argument(self.argument(key), message)
    }

    /// The key's full path in messages.
    pub(crate) fn path(&self, key: &str) -> String {
        format!("{}{key}", self.path)
    }

    /// Fails on any key outside `known` and `ignored` (Keras raises
    /// "Unrecognized keyword arguments" for these), naming the key.
    pub(crate) fn only(&self, known: &[&str], ignored: &[&str]) -> Result<()> {
        for (key, value) in self.map {
            if !known.contains(&key.as_str()) && !ignored.contains(&key.as_str()) {
                let mut accepted: Vec<&str> = known.to_vec();
                accepted.extend_from_slice(ignored);
                return Err(Error::argument(
                    self.argument.unwrap_or("config"),
                    format!(
                        "Unrecognized keyword argument passed to {}: `{}` (accepted: {}). Received: {}={value}",
                        self.what,
                        self.path(key),
                        accepted.join(", "),
                        self.path(key),
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The raw value, if present.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    /// A type error for `key`.
    pub(crate) fn wrong_type(&self, key: &'static str, expected: &str, value: &Value) -> Error {
        self.error(
            key,
            format!(
                "`{}` of {} must be {expected}. Received: {}={value}",
                self.path(key),
                self.what,
                self.path(key)
            ),
        )
    }

    /// A number: `Ok(None)` when absent, `Ok(Some(None))` for `null` (which
    /// callers reject with Keras's own "cannot be None" messages).
    pub(crate) fn number(&self, key: &'static str) -> Result<Option<Option<f32>>> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            // f64 to f32 rounds to nearest: Keras 2's float32-cast values
            // (0.30000001192092896) and Keras 3's Python floats (0.3) land on
            // the same f32. Out-of-range values become infinite, which the
            // layers reject as not finite, naming the key.
            Some(Value::Number(n)) => Ok(Some(Some(n.as_f64().unwrap_or(f64::NAN) as f32))),
            Some(other) => Err(self.wrong_type(key, "a number", other)),
        }
    }

    /// A number that may not be null, or `default` when absent.
    pub(crate) fn number_or(&self, key: &'static str, default: f32) -> Result<f32> {
        match self.number(key)? {
            None => Ok(default),
            Some(Some(v)) => Ok(v),
            Some(None) => Err(self.wrong_type(key, "a number", &Value::Null)),
        }
    }

    /// A bool, with `null` read as `false` (Python's falsy `None`, which a
    /// Keras flag tested for truth takes as false); `default` when absent.
    pub(crate) fn bool_or_null(&self, key: &'static str, default: bool) -> Result<bool> {
        match self.map.get(key) {
            None => Ok(default),
            Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(self.wrong_type(key, "a bool or null", other)),
        }
    }

    /// An int or a list of ints (Keras's `axis` and `shared_axes`); `null`
    /// gives `Some(None)`.
    pub(crate) fn int_or_list(&self, key: &'static str) -> Result<Option<Option<Vec<i64>>>> {
        let Some(value) = self.map.get(key) else {
            return Ok(None);
        };
        let expected = "an integer or a list of integers";
        match value {
            Value::Null => Ok(Some(None)),
            Value::Array(items) => items
                .iter()
                .map(as_integer)
                .collect::<Option<Vec<i64>>>()
                .map(|v| Some(Some(v)))
                .ok_or_else(|| self.wrong_type(key, expected, value)),
            other => as_integer(other)
                .map(|v| Some(Some(vec![v])))
                .ok_or_else(|| self.wrong_type(key, expected, value)),
        }
    }

    /// `axis` as a function over one axis takes it (sparsemax, glu): an
    /// int, -1 when absent; a list, a tuple or `null` is refused, as Keras
    /// refuses them there.
    pub(crate) fn one_axis(&self) -> Result<i64> {
        match self.map.get("axis") {
            None => Ok(-1),
            Some(value) => value
                .as_i64()
                .ok_or_else(|| self.wrong_type("axis", "an integer (one axis)", value)),
        }
    }

    /// A seed: a non-negative integer or `null` (Keras's "no seed").
    pub(crate) fn seed(&self) -> Result<Option<u64>> {
        match self.map.get("seed") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) if n.as_u64().is_some() => Ok(n.as_u64()),
            Some(other) => Err(self.wrong_type("seed", "a non-negative integer or null", other)),
        }
    }

    /// A string; `Ok(None)` when absent.
    pub(crate) fn string(&self, key: &'static str) -> Result<Option<&'a str>> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.wrong_type(key, "a string", other)),
        }
    }

    /// Checks the keys Keras adds to every layer's config, which do not
    /// change what the layer computes: `name` (a string), `trainable` (a
    /// bool) and `dtype` (a string such as `"float32"`, or Keras 3's
    /// `DTypePolicy` dict). This crate computes in f32 whatever `dtype` says.
    pub(crate) fn base_keys(&self) -> Result<()> {
        if let Some(v) = self.map.get("name") {
            if !(v.is_string() || v.is_null()) {
                return Err(self.wrong_type("name", "a string", v));
            }
        }
        if let Some(v) = self.map.get("trainable") {
            if !v.is_boolean() {
                return Err(self.wrong_type("trainable", "a bool", v));
            }
        }
        if let Some(v) = self.map.get("dtype") {
            if !(v.is_string() || v.is_object() || v.is_null()) {
                return Err(self.wrong_type("dtype", "a string or a dtype policy dict", v));
            }
        }
        Ok(())
    }
}

impl Fields<'_> {
    /// Rejects a negative number with `message(value)`, checked on the JSON
    /// value itself, as Keras checks the Python float before any cast to
    /// f32: `-1e-50` is negative there although it rounds to `-0.0` in f32,
    /// which the constructors (`value < 0.0`) would accept. Other types and
    /// `null` are left to the readers, and `-0.0` passes, as in Python.
    pub(crate) fn not_negative(
        &self,
        key: &'static str,
        message: impl FnOnce(String) -> String,
    ) -> Result<()> {
        match self.get(key) {
            Some(value @ Value::Number(n)) if n.as_f64().is_some_and(|v| v < 0.0) => {
                Err(self.error(key, message(value.to_string())))
            }
            _ => Ok(()),
        }
    }

    /// A number that Keras rejects when `None`, with Keras's message for it;
    /// `default` when absent.
    pub(crate) fn not_null(
        &self,
        key: &'static str,
        default: f32,
        null_message: &str,
    ) -> Result<f32> {
        match self.number(key)? {
            None => Ok(default),
            Some(Some(v)) => Ok(v),
            Some(None) => Err(self.error(key, null_message)),
        }
    }
}

/// What an activation reads from, and writes to, a Keras `get_config()`.
pub(crate) trait KerasConfig: Sized {
    /// The Keras class name.
    const CLASS_NAME: &'static str;

    /// Builds the layer from its config's fields (the base keys already checked).
    fn from_fields(fields: &Fields<'_>) -> Result<Self>;

    /// Keras 3's `get_config()`, without `name`, `trainable` and `dtype`.
    fn config(&self) -> Value;
}

/// The base keys [`Fields::base_keys`] checks and otherwise ignores.
pub(crate) const BASE_KEYS: &[&str] = &["name", "trainable", "dtype"];

/// An integer JSON value; a float with an integral value also counts, since
/// some writers emit `1.0` for an int.
fn as_integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        _ => None,
    }
}

/// An f32 as a JSON number that reads back as the same f32: its shortest
/// decimal form when that survives the trip through f64 (so 0.3 is written
/// `0.3`, as Keras 3 writes a Python float), otherwise its exact f64 value.
pub(crate) fn f32_json(v: f32) -> Value {
    let short: f64 = format!("{v:?}").parse().unwrap_or(f64::from(v));
    let value = if short as f32 == v {
        short
    } else {
        f64::from(v)
    };
    Value::from(value)
}

/// A list of ints as JSON.
pub(crate) fn ints_json(v: &[i64]) -> Value {
    Value::Array(v.iter().map(|&i| Value::from(i)).collect())
}
