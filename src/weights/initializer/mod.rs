//! Keras 3 weight initializers, used for `PReLU`'s `alpha_initializer`:
//! [`Initializer`] (zeros, ones, constant, random normal, random uniform,
//! truncated normal and variance scaling with the Glorot, He and LeCun
//! presets), Keras's [`compute_fans`], and the small deterministic random
//! number generator behind them.
//!
//! The distributions, defaults, fan computation and validation follow Keras 3
//! (`keras/src/initializers/random_initializers.py`). The random *streams* do
//! not: Keras's values depend on its backend (JAX, TensorFlow, PyTorch), so no
//! library reproduces them bit for bit. What this module promises instead is
//! that a given `Some(seed)` and shape give the same `f32` values on every run
//! and every platform, because the generator uses only integer arithmetic and
//! IEEE-754 basic operations (see [`Initializer::sample`]).
//!
//! ```
//! use wgpu_activations::training::Initializer;
//! let init = Initializer::by_name("he_normal")?.with_seed(Some(7));
//! let alpha = init.sample(&[4, 3])?;
//! assert_eq!(alpha.len(), 12);
//! assert_eq!(alpha, init.sample(&[4, 3])?);
//! # Ok::<(), wgpu_activations::Error>(())
//! ```
//!
//! This file is the specification (kinds, arguments, Keras's defaults,
//! validation); `names.rs` reads Keras's names, `sampling.rs` draws the
//! values, and `generator.rs` keeps the generator that the seed promise
//! rests on apart, to be reviewed on its own.

mod generator;
mod names;
mod sampling;

pub use sampling::compute_fans;

use crate::error::{Error, Result};

/// How alpha is filled when the layer is built.
///
/// ```
/// use wgpu_activations::training::Initializer;
/// assert_eq!(Initializer::default(), Initializer::Zeros);
/// assert_eq!(Initializer::Constant(0.25).sample(&[3])?, vec![0.25; 3]);
/// # Ok::<(), wgpu_activations::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Default)]
#[non_exhaustive]
pub enum Initializer {
    /// Keras `"zeros"`, the default.
    #[default]
    Zeros,
    /// Keras `"ones"`.
    Ones,
    /// Keras `Constant(value)`.
    Constant(f32),
    /// Keras `RandomNormal(mean=0.0, stddev=0.05, seed=None)`.
    RandomNormal {
        /// Mean of the values.
        mean: f32,
        /// Standard deviation of the values (not negative).
        stddev: f32,
        /// `None` draws a fresh seed on every [`Initializer::sample`].
        seed: Option<u64>,
    },
    /// Keras `RandomUniform(minval=-0.05, maxval=0.05, seed=None)`: values in
    /// `[minval, maxval)`.
    RandomUniform {
        /// Lower bound, inclusive.
        minval: f32,
        /// Upper bound, exclusive (every value is `minval` when they are equal).
        maxval: f32,
        /// `None` draws a fresh seed on every [`Initializer::sample`].
        seed: Option<u64>,
    },
    /// Keras `TruncatedNormal(mean=0.0, stddev=0.05, seed=None)`: a normal
    /// distribution with this `mean` and `stddev` whose values more than two
    /// `stddev` from the mean are redrawn (so the values' own standard
    /// deviation is about `0.8796 * stddev`).
    TruncatedNormal {
        /// Mean of the values.
        mean: f32,
        /// Standard deviation before truncation (not negative).
        stddev: f32,
        /// `None` draws a fresh seed on every [`Initializer::sample`].
        seed: Option<u64>,
    },
    /// Keras `VarianceScaling(scale=1.0, mode="fan_in",
    /// distribution="truncated_normal", seed=None)`: zero-mean values with a
    /// standard deviation of `sqrt(scale / n)`, `n` being the fan that `mode`
    /// picks (see [`compute_fans`]).
    VarianceScaling {
        /// Positive scaling factor.
        scale: f32,
        /// Which fan divides `scale`.
        mode: FanMode,
        /// The distribution drawn from.
        distribution: Distribution,
        /// `None` draws a fresh seed on every [`Initializer::sample`].
        seed: Option<u64>,
    },
}

/// Which fan [`Initializer::VarianceScaling`] divides `scale` by.
///
/// ```
/// use wgpu_activations::training::FanMode;
/// assert_eq!(FanMode::by_name("fan_avg")?, FanMode::FanAvg);
/// assert_eq!(FanMode::default(), FanMode::FanIn);
/// # Ok::<(), wgpu_activations::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum FanMode {
    /// Keras `"fan_in"`, the default: the number of input units.
    #[default]
    FanIn,
    /// Keras `"fan_out"`: the number of output units.
    FanOut,
    /// Keras `"fan_avg"`: the mean of the two.
    FanAvg,
}

/// The distribution [`Initializer::VarianceScaling`] draws from.
///
/// ```
/// use wgpu_activations::training::Distribution;
/// assert_eq!(Distribution::by_name("uniform")?, Distribution::Uniform);
/// assert_eq!(Distribution::default(), Distribution::TruncatedNormal);
/// # Ok::<(), wgpu_activations::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Distribution {
    /// Keras `"truncated_normal"`, the default: a normal truncated at two
    /// standard deviations, widened so that the result has the target
    /// standard deviation.
    #[default]
    TruncatedNormal,
    /// Keras `"untruncated_normal"`: a plain normal distribution.
    UntruncatedNormal,
    /// Keras `"uniform"`: `U(-limit, limit)` with `limit = sqrt(3 * scale / n)`.
    Uniform,
}

impl Initializer {
    /// Keras `GlorotNormal(seed)`: variance scaling with scale 1, `fan_avg`,
    /// truncated normal.
    ///
    /// ```
    /// use wgpu_activations::training::{Distribution, FanMode, Initializer};
    /// let init = Initializer::glorot_normal(Some(1));
    /// assert_eq!(init, Initializer::variance_scaling(1.0, FanMode::FanAvg, Distribution::TruncatedNormal, Some(1))?);
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn glorot_normal(seed: Option<u64>) -> Self {
        Self::preset(1.0, FanMode::FanAvg, Distribution::TruncatedNormal, seed)
    }

    /// Keras `GlorotUniform(seed)`: variance scaling with scale 1, `fan_avg`,
    /// uniform.
    ///
    /// ```
    /// use wgpu_activations::training::Initializer;
    /// // limit = sqrt(6 / (fan_in + fan_out)) = sqrt(6 / 24) = 0.5
    /// let values = Initializer::glorot_uniform(Some(3)).sample(&[12, 12])?;
    /// assert!(values.iter().all(|v| (-0.5..0.5).contains(v)));
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn glorot_uniform(seed: Option<u64>) -> Self {
        Self::preset(1.0, FanMode::FanAvg, Distribution::Uniform, seed)
    }

    /// Keras `HeNormal(seed)`: variance scaling with scale 2, `fan_in`,
    /// truncated normal.
    ///
    /// ```
    /// use wgpu_activations::training::{Distribution, FanMode, Initializer};
    /// let init = Initializer::he_normal(None);
    /// assert_eq!(init, Initializer::variance_scaling(2.0, FanMode::FanIn, Distribution::TruncatedNormal, None)?);
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn he_normal(seed: Option<u64>) -> Self {
        Self::preset(2.0, FanMode::FanIn, Distribution::TruncatedNormal, seed)
    }

    /// Keras `HeUniform(seed)`: variance scaling with scale 2, `fan_in`,
    /// uniform.
    ///
    /// ```
    /// use wgpu_activations::training::Initializer;
    /// // limit = sqrt(6 / fan_in) = sqrt(6 / 24) = 0.5
    /// let values = Initializer::he_uniform(Some(3)).sample(&[24, 5])?;
    /// assert!(values.iter().all(|v| (-0.5..0.5).contains(v)));
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn he_uniform(seed: Option<u64>) -> Self {
        Self::preset(2.0, FanMode::FanIn, Distribution::Uniform, seed)
    }

    /// Keras `LecunNormal(seed)`: variance scaling with scale 1, `fan_in`,
    /// truncated normal.
    ///
    /// ```
    /// use wgpu_activations::training::{Distribution, FanMode, Initializer};
    /// let init = Initializer::lecun_normal(Some(5));
    /// assert_eq!(init, Initializer::variance_scaling(1.0, FanMode::FanIn, Distribution::TruncatedNormal, Some(5))?);
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn lecun_normal(seed: Option<u64>) -> Self {
        Self::preset(1.0, FanMode::FanIn, Distribution::TruncatedNormal, seed)
    }

    /// Keras `LecunUniform(seed)`: variance scaling with scale 1, `fan_in`,
    /// uniform.
    ///
    /// ```
    /// use wgpu_activations::training::Initializer;
    /// // limit = sqrt(3 / fan_in) = sqrt(3 / 12) = 0.5
    /// let values = Initializer::lecun_uniform(Some(3)).sample(&[12, 7])?;
    /// assert!(values.iter().all(|v| (-0.5..0.5).contains(v)));
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn lecun_uniform(seed: Option<u64>) -> Self {
        Self::preset(1.0, FanMode::FanIn, Distribution::Uniform, seed)
    }

    /// The presets' arguments are constants Keras accepts, so they need no
    /// validation.
    fn preset(scale: f32, mode: FanMode, distribution: Distribution, seed: Option<u64>) -> Self {
        Initializer::VarianceScaling {
            scale,
            mode,
            distribution,
            seed,
        }
    }

    /// Keras `Constant(value)`, checked: `value` must be finite.
    ///
    /// ```
    /// use wgpu_activations::training::Initializer;
    /// assert_eq!(Initializer::constant(0.25)?, Initializer::Constant(0.25));
    /// assert!(Initializer::constant(f32::NAN).is_err());
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn constant(value: f32) -> Result<Self> {
        Self::checked(Initializer::Constant(value))
    }

    /// Keras `RandomNormal(mean, stddev, seed)`, checked: finite arguments,
    /// `stddev >= 0`. Keras's defaults are `0.0, 0.05`.
    ///
    /// ```
    /// use wgpu_activations::training::Initializer;
    /// let init = Initializer::random_normal(0.0, 0.05, Some(42))?;
    /// assert_eq!(init.sample(&[8])?.len(), 8);
    /// assert!(Initializer::random_normal(0.0, -1.0, None).is_err());
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn random_normal(mean: f32, stddev: f32, seed: Option<u64>) -> Result<Self> {
        Self::checked(Initializer::RandomNormal { mean, stddev, seed })
    }

    /// Keras `RandomUniform(minval, maxval, seed)`, checked: finite
    /// arguments, `minval <= maxval`. Keras's defaults are `-0.05, 0.05`.
    ///
    /// ```
    /// use wgpu_activations::training::Initializer;
    /// let values = Initializer::random_uniform(0.0, 0.25, Some(9))?.sample(&[100])?;
    /// assert!(values.iter().all(|v| (0.0..0.25).contains(v)));
    /// assert!(Initializer::random_uniform(1.0, 0.0, None).is_err());
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn random_uniform(minval: f32, maxval: f32, seed: Option<u64>) -> Result<Self> {
        Self::checked(Initializer::RandomUniform {
            minval,
            maxval,
            seed,
        })
    }

    /// Keras `TruncatedNormal(mean, stddev, seed)`, checked: finite
    /// arguments, `stddev >= 0`. Keras's defaults are `0.0, 0.05`.
    ///
    /// ```
    /// use wgpu_activations::training::Initializer;
    /// let values = Initializer::truncated_normal(1.0, 0.5, Some(2))?.sample(&[100])?;
    /// assert!(values.iter().all(|v| (0.0..=2.0).contains(v)));
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn truncated_normal(mean: f32, stddev: f32, seed: Option<u64>) -> Result<Self> {
        Self::checked(Initializer::TruncatedNormal { mean, stddev, seed })
    }

    /// Keras `VarianceScaling(scale, mode, distribution, seed)`, checked:
    /// `scale` must be a finite positive number. Keras's defaults are
    /// `1.0, FanMode::FanIn, Distribution::TruncatedNormal`.
    ///
    /// ```
    /// use wgpu_activations::training::{Distribution, FanMode, Initializer};
    /// let init = Initializer::variance_scaling(0.1, FanMode::FanIn, Distribution::Uniform, Some(4))?;
    /// assert_eq!(init.sample(&[2, 2])?.len(), 4);
    /// let err = Initializer::variance_scaling(0.0, FanMode::FanIn, Distribution::Uniform, None);
    /// assert!(err.unwrap_err().to_string().contains("Argument `scale` must be positive float"));
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn variance_scaling(
        scale: f32,
        mode: FanMode,
        distribution: Distribution,
        seed: Option<u64>,
    ) -> Result<Self> {
        Self::checked(Initializer::VarianceScaling {
            scale,
            mode,
            distribution,
            seed,
        })
    }

    fn checked(self) -> Result<Self> {
        self.validate()?;
        Ok(self)
    }

    /// The same initializer with `seed` in place of its seed; the
    /// non-random ones (zeros, ones, constant) are returned unchanged.
    /// Useful after [`Initializer::by_name`], which never sets one.
    ///
    /// ```
    /// use wgpu_activations::training::Initializer;
    /// let init = Initializer::by_name("glorot_normal")?.with_seed(Some(11));
    /// assert_eq!(init, Initializer::glorot_normal(Some(11)));
    /// assert_eq!(Initializer::Ones.with_seed(Some(11)), Initializer::Ones);
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn with_seed(mut self, seed: Option<u64>) -> Self {
        match &mut self {
            Initializer::Zeros | Initializer::Ones | Initializer::Constant(_) => {}
            Initializer::RandomNormal { seed: s, .. }
            | Initializer::RandomUniform { seed: s, .. }
            | Initializer::TruncatedNormal { seed: s, .. }
            | Initializer::VarianceScaling { seed: s, .. } => *s = seed,
        }
        self
    }

    /// Checks the arguments: every number finite, `stddev >= 0`,
    /// `minval <= maxval`, `scale > 0`. The error names the argument and the
    /// value received.
    ///
    /// ```
    /// use wgpu_activations::{training::Initializer, Error};
    /// let bad = Initializer::RandomNormal { mean: f32::NAN, stddev: 0.05, seed: None };
    /// match bad.validate() {
    ///     Err(Error::InvalidArgument { argument, .. }) => assert_eq!(argument, "mean"),
    ///     other => panic!("expected an argument error, got {other:?}"),
    /// }
    /// assert!(Initializer::he_normal(None).validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<()> {
        let class = self.keras_class_name();
        match *self {
            Initializer::Zeros | Initializer::Ones => Ok(()),
            Initializer::Constant(value) => finite(class, "value", value),
            Initializer::RandomNormal { mean, stddev, .. }
            | Initializer::TruncatedNormal { mean, stddev, .. } => {
                finite(class, "mean", mean)?;
                finite(class, "stddev", stddev)?;
                if stddev < 0.0 {
                    return Err(Error::argument(
                        "stddev",
                        format!(
                            "Argument `stddev` of the {class} initializer must not be negative. \
                             Received: stddev={stddev:?}"
                        ),
                    ));
                }
                Ok(())
            }
            Initializer::RandomUniform { minval, maxval, .. } => {
                finite(class, "minval", minval)?;
                finite(class, "maxval", maxval)?;
                if minval > maxval {
                    return Err(Error::argument(
                        "minval",
                        format!(
                            "Argument `minval` of the {class} initializer must not exceed `maxval`. \
                             Received: minval={minval:?}, maxval={maxval:?}"
                        ),
                    ));
                }
                Ok(())
            }
            Initializer::VarianceScaling { scale, .. } => {
                finite(class, "scale", scale)?;
                if scale <= 0.0 {
                    return Err(Error::argument(
                        "scale",
                        format!(
                            "Argument `scale` must be positive float. Received: scale={scale:?}"
                        ),
                    ));
                }
                Ok(())
            }
        }
    }
}

/// `Ok` if `value` is finite; otherwise an error naming the argument and the value.
fn finite(class: &str, argument: &'static str, value: f32) -> Result<()> {
    crate::validate::finite_or(argument, value, || {
        format!(
            "Argument `{argument}` of the {class} initializer must be a finite number. \
             Received: {argument}={value:?}"
        )
    })
    .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shared with the sibling modules' tests, which check argument errors too.
    pub(super) fn argument_of(result: Result<impl std::fmt::Debug>) -> (&'static str, String) {
        match result {
            Err(Error::InvalidArgument { argument, message }) => (argument, message),
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn validation_names_the_argument_and_value() {
        let cases: [(Initializer, &str, &str); 13] = [
            (Initializer::Constant(f32::NAN), "value", "NaN"),
            (
                Initializer::RandomNormal {
                    mean: f32::INFINITY,
                    stddev: 1.0,
                    seed: None,
                },
                "mean",
                "inf",
            ),
            (
                Initializer::RandomNormal {
                    mean: 0.0,
                    stddev: f32::NAN,
                    seed: None,
                },
                "stddev",
                "NaN",
            ),
            (
                Initializer::RandomNormal {
                    mean: 0.0,
                    stddev: -0.5,
                    seed: None,
                },
                "stddev",
                "-0.5",
            ),
            (
                Initializer::TruncatedNormal {
                    mean: f32::NEG_INFINITY,
                    stddev: 1.0,
                    seed: None,
                },
                "mean",
                "-inf",
            ),
            (
                Initializer::TruncatedNormal {
                    mean: 0.0,
                    stddev: -1.0,
                    seed: None,
                },
                "stddev",
                "-1.0",
            ),
            (
                Initializer::RandomUniform {
                    minval: f32::NAN,
                    maxval: 1.0,
                    seed: None,
                },
                "minval",
                "NaN",
            ),
            (
                Initializer::RandomUniform {
                    minval: 0.0,
                    maxval: f32::INFINITY,
                    seed: None,
                },
                "maxval",
                "inf",
            ),
            (
                Initializer::RandomUniform {
                    minval: 2.0,
                    maxval: 1.0,
                    seed: None,
                },
                "minval",
                "minval=2.0, maxval=1.0",
            ),
            (
                Initializer::VarianceScaling {
                    scale: 0.0,
                    mode: FanMode::FanIn,
                    distribution: Distribution::Uniform,
                    seed: None,
                },
                "scale",
                "Argument `scale` must be positive float. Received: scale=0.0",
            ),
            (
                Initializer::VarianceScaling {
                    scale: -2.0,
                    mode: FanMode::FanIn,
                    distribution: Distribution::Uniform,
                    seed: None,
                },
                "scale",
                "scale=-2.0",
            ),
            (
                Initializer::VarianceScaling {
                    scale: f32::NAN,
                    mode: FanMode::FanAvg,
                    distribution: Distribution::TruncatedNormal,
                    seed: None,
                },
                "scale",
                "NaN",
            ),
            (
                Initializer::VarianceScaling {
                    scale: f32::INFINITY,
                    mode: FanMode::FanOut,
                    distribution: Distribution::UntruncatedNormal,
                    seed: None,
                },
                "scale",
                "inf",
            ),
        ];
        for (init, name, fragment) in cases {
            let (argument, message) = argument_of(init.validate());
            assert_eq!(argument, name, "{init:?}");
            assert!(message.contains(name), "{message}");
            assert!(message.contains(fragment), "{message}");
            // sample validates first, with the same error.
            assert_eq!(argument_of(init.sample(&[2])).0, name);
        }
        // The checked constructors reject the same arguments.
        assert_eq!(
            argument_of(Initializer::random_uniform(1.0, 0.0, None)).0,
            "minval"
        );
        assert_eq!(argument_of(Initializer::constant(f32::INFINITY)).0, "value");
        assert_eq!(
            argument_of(Initializer::truncated_normal(0.0, -1.0, None)).0,
            "stddev"
        );
        assert_eq!(
            argument_of(Initializer::variance_scaling(
                -1.0,
                FanMode::FanIn,
                Distribution::Uniform,
                None
            ))
            .0,
            "scale"
        );
    }

    #[test]
    fn with_seed_replaces_the_seed() {
        let init = Initializer::by_name("truncated_normal")
            .unwrap()
            .with_seed(Some(3));
        assert_eq!(
            init,
            Initializer::TruncatedNormal {
                mean: 0.0,
                stddev: 0.05,
                seed: Some(3)
            }
        );
        assert_eq!(
            Initializer::Constant(2.0).with_seed(Some(3)),
            Initializer::Constant(2.0)
        );
    }
}
