//! Softmax's Keras config: `axis`, an int or a list of ints (a list stays a
//! list when written back), and Keras 2's `robust_masking`.

use serde_json::{json, Value};

use crate::activations::softmax::Softmax;
use crate::error::Result;
use crate::keras_json::fields::{ints_json, Fields, KerasConfig, BASE_KEYS};

impl KerasConfig for Softmax {
    const CLASS_NAME: &'static str = "Softmax";

    /// Keras 2's `robust_masking` (a bool) is accepted and changes nothing:
    /// masks here always use Keras 3's hard `where` cut (masked positions
    /// output 0), which `robust_masking` approximates.
    fn from_fields(fields: &Fields<'_>) -> Result<Self> {
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

    fn config(&self) -> Value {
        let axis = match self.axis_list() {
            [one] if !self.is_axis_list() => Value::from(*one),
            many => ints_json(many),
        };
        json!({ "axis": axis })
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
        self.config()
    }
}
