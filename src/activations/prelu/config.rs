//! PReLU's Keras config: the serialised `alpha_initializer`,
//! `alpha_regularizer` and `alpha_constraint`, and `shared_axes`.

use serde_json::{json, Value};

use crate::activations::prelu::PReLU;
use crate::error::Result;
use crate::keras_json::fields::{ints_json, Fields, KerasConfig, BASE_KEYS};
use crate::keras_json::objects::{
    constraint_from, constraint_json, initializer_from, initializer_json, regularizer_from,
    regularizer_json,
};

impl KerasConfig for PReLU {
    const CLASS_NAME: &'static str = "PReLU";

    /// Each of the three objects null, a name or a serialised object;
    /// `shared_axes` an int, a list or null. The layer comes back unbuilt,
    /// as in Keras.
    fn from_fields(fields: &Fields<'_>) -> Result<Self> {
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

    fn config(&self) -> Value {
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
        self.config()
    }
}
