//! Keras's weight regularizers `L1`, `L2` and `L1L2`: a penalty added to the
//! loss and its gradient added to the weight's gradient.

use crate::error::{Error, Result};

/// A Keras regularizer: penalty `l1 * sum(|w|) + l2 * sum(w^2)`, gradient
/// `l1 * sign(w) + 2 * l2 * w` (sign(0) = 0, as JAX differentiates `|w|`).
///
/// ```
/// use wgpu_activations::training::Regularizer;
/// let l2 = Regularizer::by_name("l2")?;
/// assert_eq!(l2, Regularizer::L2 { l2: 0.01 });
/// assert_eq!(Regularizer::l1(0.5)?.penalty_reference(&[-2.0, 1.0]), 1.5);
/// assert!(Regularizer::l1(-1.0).is_err());
/// # Ok::<(), wgpu_activations::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Regularizer {
    /// Keras `L1(l1)`: `l1 * sum(|w|)`.
    L1 {
        /// The factor.
        l1: f32,
    },
    /// Keras `L2(l2)`: `l2 * sum(w^2)`.
    L2 {
        /// The factor.
        l2: f32,
    },
    /// Keras `L1L2(l1, l2)`: both terms.
    L1L2 {
        /// The L1 factor.
        l1: f32,
        /// The L2 factor.
        l2: f32,
    },
}

/// Keras's `validate_float_arg`: finite and not negative.
fn factor(name: &'static str, value: f32) -> Result<f32> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(Error::argument(
            name,
            format!("Invalid value for argument {name}: expected a non-negative float. Received: {name}={value:?}"),
        ))
    }
}

impl Regularizer {
    /// Keras `L1(l1)`; `l1` finite and not negative.
    pub fn l1(l1: f32) -> Result<Self> {
        Ok(Regularizer::L1 {
            l1: factor("l1", l1)?,
        })
    }

    /// Keras `L2(l2)`; `l2` finite and not negative.
    pub fn l2(l2: f32) -> Result<Self> {
        Ok(Regularizer::L2 {
            l2: factor("l2", l2)?,
        })
    }

    /// Keras `L1L2(l1, l2)`; both finite and not negative.
    pub fn l1_l2(l1: f32, l2: f32) -> Result<Self> {
        Ok(Regularizer::L1L2 {
            l1: factor("l1", l1)?,
            l2: factor("l2", l2)?,
        })
    }

    /// A regularizer by its Keras string identifier, with the class's
    /// defaults, exactly the names Keras 3's `keras.regularizers.get`
    /// knows (its class names and their snake case): `"l1"` / `"L1"` give
    /// `L1(0.01)`, `"l2"` / `"L2"` give `L2(0.01)`, `"l1l2"` / `"L1L2"` give
    /// `L1L2(0.0, 0.0)`. `"l1_l2"` is an error, as in Keras 3 (its snake
    /// case of `L1L2` is `l1l2`; Keras 2's `l1_l2` function with 0.01 and
    /// 0.01 is gone).
    ///
    /// ```
    /// use wgpu_activations::training::Regularizer;
    /// assert_eq!(Regularizer::by_name("L1")?, Regularizer::L1 { l1: 0.01 });
    /// assert_eq!(Regularizer::by_name("l1l2")?, Regularizer::L1L2 { l1: 0.0, l2: 0.0 });
    /// assert_eq!(Regularizer::by_name("L1L2")?, Regularizer::L1L2 { l1: 0.0, l2: 0.0 });
    /// assert!(Regularizer::by_name("l1_l2").is_err());
    /// assert!(Regularizer::by_name("l3").is_err());
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn by_name(name: &str) -> Result<Self> {
        match name {
            "l1" | "L1" => Self::l1(0.01),
            "l2" | "L2" => Self::l2(0.01),
            "l1l2" | "L1L2" => Self::l1_l2(0.0, 0.0),
            _ => Err(Error::argument(
                "alpha_regularizer",
                format!("Could not interpret regularizer identifier: {name:?} (Keras 3 knows \"l1\", \"l2\", \"l1l2\", \"L1\", \"L2\", \"L1L2\"; Keras 2's \"l1_l2\" is not one of them)"),
            )),
        }
    }

    /// `(l1, l2)`, zero where a term is absent.
    pub fn factors(&self) -> (f32, f32) {
        match *self {
            Regularizer::L1 { l1 } => (l1, 0.0),
            Regularizer::L2 { l2 } => (0.0, l2),
            Regularizer::L1L2 { l1, l2 } => (l1, l2),
        }
    }

    /// The penalty on `w`, on the CPU: sums in f64, as Keras writes it
    /// (`l1 * sum(|w|) + l2 * sum(w^2)`), rounded once.
    pub fn penalty_reference(&self, w: &[f32]) -> f32 {
        let (l1, l2) = self.factors();
        let abs: f64 = w.iter().map(|&v| f64::from(v).abs()).sum();
        let squares: f64 = w.iter().map(|&v| f64::from(v) * f64::from(v)).sum();
        (f64::from(l1) * abs + f64::from(l2) * squares) as f32
    }

    /// The penalty's gradient with respect to `w`, on the CPU.
    pub fn gradient_reference(&self, w: &[f32]) -> Vec<f32> {
        let (l1, l2) = self.factors();
        w.iter()
            .map(|&v| {
                let sign = if v > 0.0 {
                    1.0
                } else if v < 0.0 {
                    -1.0
                } else {
                    0.0
                };
                (f64::from(l1) * sign + 2.0 * f64::from(l2) * f64::from(v)) as f32
            })
            .collect()
    }
}
