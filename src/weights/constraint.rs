//! Keras's weight constraints, applied to a weight after an optimizer step
//! (never in the forward pass).

use crate::error::{Error, Result};
use crate::kernels::spec::UpdateConstraint;
use crate::shape::normalize_axes;

/// Keras's `backend.epsilon()`, which the norm constraints add to the norm.
pub const EPSILON: f32 = 1e-7;

/// A Keras constraint. The norm constraints take the norm over `axis` of the
/// weight (alpha's own axes, negative from the end), as Keras does:
/// `norm = sqrt(sum(w^2, axis))`.
///
/// ```
/// use wgpu_activations::training::Constraint;
/// let c = Constraint::max_norm(1.0, &[0])?;
/// let w = c.apply_reference(&[2], &[3.0, 4.0])?; // norm 5 scaled to 1
/// assert!((w[0] - 0.6).abs() < 1e-6 && (w[1] - 0.8).abs() < 1e-6);
/// assert_eq!(Constraint::by_name("non_neg")?.apply_reference(&[2], &[-1.0, 2.0])?, vec![0.0, 2.0]);
/// # Ok::<(), wgpu_activations::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Constraint {
    /// Keras `NonNeg()`: `w * (w >= 0)`.
    NonNeg,
    /// Keras `MaxNorm(max_value, axis)`: `w * (clip(norm, 0, max_value) / (epsilon + norm))`.
    MaxNorm {
        /// The largest norm kept.
        max_value: f32,
        /// Axes the norm runs over.
        axis: Vec<i64>,
    },
    /// Keras `MinMaxNorm(min_value, max_value, rate, axis)`:
    /// `w * (desired / (epsilon + norm))` with
    /// `desired = rate * clip(norm, min_value, max_value) + (1 - rate) * norm`.
    MinMaxNorm {
        /// The smallest norm kept.
        min_value: f32,
        /// The largest norm kept.
        max_value: f32,
        /// How far towards the bounds each application moves (1: all the way).
        rate: f32,
        /// Axes the norm runs over.
        axis: Vec<i64>,
    },
    /// Keras `UnitNorm(axis)`: `w / (epsilon + norm)`.
    UnitNorm {
        /// Axes the norm runs over.
        axis: Vec<i64>,
    },
}

/// A constraint's argument, if finite.
fn finite(name: &'static str, value: f32) -> Result<f32> {
    crate::validate::finite("a constraint", name, value)
}

impl Constraint {
    /// Keras `NonNeg()`.
    pub fn non_neg() -> Self {
        Constraint::NonNeg
    }

    /// Keras `MaxNorm(max_value, axis)`; Keras's defaults are 2 and `[0]`.
    pub fn max_norm(max_value: f32, axis: &[i64]) -> Result<Self> {
        Ok(Constraint::MaxNorm {
            max_value: finite("max_value", max_value)?,
            axis: axis.to_vec(),
        })
    }

    /// Keras `MinMaxNorm(min_value, max_value, rate, axis)`; Keras's defaults
    /// are 0, 1, 1 and `[0]`. A `min_value` above `max_value` is accepted,
    /// as Keras accepts it: the clip is `min(max(norm, min_value),
    /// max_value)` (`jnp.clip`'s order), so every norm clips to `max_value`.
    pub fn min_max_norm(min_value: f32, max_value: f32, rate: f32, axis: &[i64]) -> Result<Self> {
        let (min_value, max_value) = (
            finite("min_value", min_value)?,
            finite("max_value", max_value)?,
        );
        Ok(Constraint::MinMaxNorm {
            min_value,
            max_value,
            rate: finite("rate", rate)?,
            axis: axis.to_vec(),
        })
    }

    /// Keras `UnitNorm(axis)`; Keras's default is `[0]`.
    pub fn unit_norm(axis: &[i64]) -> Self {
        Constraint::UnitNorm {
            axis: axis.to_vec(),
        }
    }

    /// A constraint by its Keras string identifier, with Keras's defaults:
    /// `"non_neg"`, `"max_norm"`, `"min_max_norm"`, `"unit_norm"` (also the
    /// class names `"NonNeg"`, `"MaxNorm"`, `"MinMaxNorm"`, `"UnitNorm"`).
    pub fn by_name(name: &str) -> Result<Self> {
        match name {
            "non_neg" | "NonNeg" => Ok(Self::non_neg()),
            "max_norm" | "MaxNorm" => Self::max_norm(2.0, &[0]),
            "min_max_norm" | "MinMaxNorm" => Self::min_max_norm(0.0, 1.0, 1.0, &[0]),
            "unit_norm" | "UnitNorm" => Ok(Self::unit_norm(&[0])),
            _ => Err(Error::argument(
                "alpha_constraint",
                format!("Could not interpret constraint identifier: {name:?} (expected one of \"non_neg\", \"max_norm\", \"min_max_norm\", \"unit_norm\")"),
            )),
        }
    }

    /// The axes the norm runs over for a weight of `shape` (none for `NonNeg`),
    /// sorted; an error names an axis out of range.
    pub fn axes(&self, shape: &[usize]) -> Result<Vec<usize>> {
        match self {
            Constraint::NonNeg => Ok(Vec::new()),
            Constraint::MaxNorm { axis, .. }
            | Constraint::MinMaxNorm { axis, .. }
            | Constraint::UnitNorm { axis } => normalize_axes(axis, shape.len()),
        }
    }

    /// `(min_value, max_value, rate)` of the norm constraints' common form
    /// (`MaxNorm` is `MinMaxNorm(0, max_value, rate 1)`).
    pub(crate) fn bounds(&self) -> (f32, f32, f32) {
        match *self {
            Constraint::MaxNorm { max_value, .. } => (0.0, max_value, 1.0),
            Constraint::MinMaxNorm {
                min_value,
                max_value,
                rate,
                ..
            } => (min_value, max_value, rate),
            _ => (0.0, 0.0, 0.0),
        }
    }

    /// How the update kernel applies this constraint.
    pub(crate) fn mode(&self) -> UpdateConstraint {
        match self {
            Constraint::NonNeg => UpdateConstraint::NonNeg,
            Constraint::MaxNorm { .. } | Constraint::MinMaxNorm { .. } => UpdateConstraint::Norm,
            Constraint::UnitNorm { .. } => UpdateConstraint::UnitNorm,
        }
    }

    /// The constraint applied to `w` of `shape` on the CPU: norms in f64,
    /// then Keras's formula in f32 operation by operation.
    pub fn apply_reference(&self, shape: &[usize], w: &[f32]) -> Result<Vec<f32>> {
        crate::shape::check_len(shape, w)?;
        if *self == Constraint::NonNeg {
            return Ok(w
                .iter()
                .map(|&v| v * if v >= 0.0 { 1.0 } else { 0.0 })
                .collect());
        }
        let axes = self.axes(shape)?;
        let (min_value, max_value, rate) = self.bounds();
        let mut out = w.to_vec();
        for row in crate::shape::rows(shape, &axes) {
            let squares: f64 = row.iter().map(|&i| f64::from(w[i]).powi(2)).sum();
            let norm = squares.sqrt() as f32;
            for i in row {
                out[i] = if let Constraint::UnitNorm { .. } = self {
                    w[i] / (EPSILON + norm)
                } else {
                    // jnp.clip's order, which gives max_value where
                    // min_value > max_value (f32::clamp would panic).
                    let clipped = norm.max(min_value).min(max_value);
                    let desired = rate * clipped + (1.0 - rate) * norm;
                    w[i] * (desired / (EPSILON + norm))
                };
            }
        }
        Ok(out)
    }
}
