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
//! use wgpu_activations::initializers::Initializer;
//! let init = Initializer::by_name("he_normal")?.with_seed(Some(7));
//! let alpha = init.sample(&[4, 3])?;
//! assert_eq!(alpha.len(), 12);
//! assert_eq!(alpha, init.sample(&[4, 3])?);
//! # Ok::<(), wgpu_activations::Error>(())
//! ```

use std::collections::hash_map::RandomState;
use std::f64::consts::{LN_2, SQRT_2};
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// Keras divides the truncated normal's `stddev` by this, the standard
/// deviation of a standard normal truncated to ±2, so that the values drawn
/// have a standard deviation of `sqrt(scale / fan)` after truncation.
#[expect(
    clippy::excessive_precision,
    reason = "Keras's literal, kept digit for digit so the two are easy to compare"
)]
const TRUNCATED_NORMAL_STDDEV: f64 = 0.87962566103423978;

/// How alpha is filled when the layer is built.
///
/// ```
/// use wgpu_activations::initializers::Initializer;
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
/// use wgpu_activations::initializers::FanMode;
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
/// use wgpu_activations::initializers::Distribution;
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

impl FanMode {
    /// The mode Keras names `name` (`"fan_in"`, `"fan_out"` or `"fan_avg"`,
    /// case-sensitive as in Keras).
    ///
    /// ```
    /// use wgpu_activations::initializers::FanMode;
    /// assert_eq!(FanMode::by_name("fan_out")?, FanMode::FanOut);
    /// assert!(FanMode::by_name("FAN_OUT").is_err());
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn by_name(name: &str) -> Result<Self> {
        match name {
            "fan_in" => Ok(FanMode::FanIn),
            "fan_out" => Ok(FanMode::FanOut),
            "fan_avg" => Ok(FanMode::FanAvg),
            _ => Err(Error::argument(
                "mode",
                format!(
                    "Invalid `mode` argument: {name:?}. Please use one of \"fan_in\", \"fan_out\", \"fan_avg\""
                ),
            )),
        }
    }

    /// The Keras string for this mode.
    ///
    /// ```
    /// use wgpu_activations::initializers::FanMode;
    /// assert_eq!(FanMode::FanAvg.name(), "fan_avg");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            FanMode::FanIn => "fan_in",
            FanMode::FanOut => "fan_out",
            FanMode::FanAvg => "fan_avg",
        }
    }
}

impl Distribution {
    /// The distribution Keras names `name`: `"truncated_normal"`,
    /// `"untruncated_normal"` or `"uniform"`. Like Keras, the name is
    /// lowercased first and `"normal"` means `"truncated_normal"`.
    ///
    /// ```
    /// use wgpu_activations::initializers::Distribution;
    /// assert_eq!(Distribution::by_name("untruncated_normal")?, Distribution::UntruncatedNormal);
    /// assert_eq!(Distribution::by_name("Normal")?, Distribution::TruncatedNormal);
    /// assert!(Distribution::by_name("gaussian").is_err());
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn by_name(name: &str) -> Result<Self> {
        match name.to_lowercase().as_str() {
            "truncated_normal" | "normal" => Ok(Distribution::TruncatedNormal),
            "untruncated_normal" => Ok(Distribution::UntruncatedNormal),
            "uniform" => Ok(Distribution::Uniform),
            _ => Err(Error::argument(
                "distribution",
                format!(
                    "Invalid `distribution` argument: {name:?}. Please use one of \
                     \"truncated_normal\", \"untruncated_normal\", \"uniform\""
                ),
            )),
        }
    }

    /// The Keras string for this distribution.
    ///
    /// ```
    /// use wgpu_activations::initializers::Distribution;
    /// assert_eq!(Distribution::UntruncatedNormal.name(), "untruncated_normal");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Distribution::TruncatedNormal => "truncated_normal",
            Distribution::UntruncatedNormal => "untruncated_normal",
            Distribution::Uniform => "uniform",
        }
    }
}

/// Every name [`Initializer::by_name`] accepts, for its error message.
const NAMES: &[&str] = &[
    "zeros",
    "Zeros",
    "zero",
    "ones",
    "Ones",
    "one",
    "constant",
    "Constant",
    "random_normal",
    "RandomNormal",
    "normal",
    "random_uniform",
    "RandomUniform",
    "uniform",
    "truncated_normal",
    "TruncatedNormal",
    "glorot_normal",
    "GlorotNormal",
    "glorot_uniform",
    "GlorotUniform",
    "he_normal",
    "HeNormal",
    "he_uniform",
    "HeUniform",
    "lecun_normal",
    "LecunNormal",
    "lecun_uniform",
    "LecunUniform",
    "variance_scaling",
    "VarianceScaling",
];

impl Initializer {
    /// Keras `GlorotNormal(seed)`: variance scaling with scale 1, `fan_avg`,
    /// truncated normal.
    ///
    /// ```
    /// use wgpu_activations::initializers::{Distribution, FanMode, Initializer};
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
    /// use wgpu_activations::initializers::Initializer;
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
    /// use wgpu_activations::initializers::{Distribution, FanMode, Initializer};
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
    /// use wgpu_activations::initializers::Initializer;
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
    /// use wgpu_activations::initializers::{Distribution, FanMode, Initializer};
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
    /// use wgpu_activations::initializers::Initializer;
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
    /// use wgpu_activations::initializers::Initializer;
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
    /// use wgpu_activations::initializers::Initializer;
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
    /// use wgpu_activations::initializers::Initializer;
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
    /// use wgpu_activations::initializers::Initializer;
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
    /// use wgpu_activations::initializers::{Distribution, FanMode, Initializer};
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

    /// The initializer Keras's `initializers.get(name)` returns, with
    /// Keras's default arguments and no seed: the class name (`"HeNormal"`)
    /// or its snake case (`"he_normal"`), case-sensitive, plus Keras's
    /// aliases `"zero"`, `"one"`, `"normal"` (`RandomNormal`) and `"uniform"`
    /// (`RandomUniform`). `"constant"` is `Constant(0.0)`, Keras's default.
    ///
    /// ```
    /// use wgpu_activations::initializers::Initializer;
    /// assert_eq!(Initializer::by_name("Ones")?, Initializer::Ones);
    /// assert_eq!(Initializer::by_name("glorot_uniform")?, Initializer::glorot_uniform(None));
    /// assert_eq!(
    ///     Initializer::by_name("random_normal")?,
    ///     Initializer::RandomNormal { mean: 0.0, stddev: 0.05, seed: None }
    /// );
    /// assert!(Initializer::by_name("xavier").is_err());
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn by_name(name: &str) -> Result<Self> {
        let init = match name {
            "zeros" | "Zeros" | "zero" => Initializer::Zeros,
            "ones" | "Ones" | "one" => Initializer::Ones,
            "constant" | "Constant" => Initializer::Constant(0.0),
            "random_normal" | "RandomNormal" | "normal" => Initializer::RandomNormal {
                mean: 0.0,
                stddev: 0.05,
                seed: None,
            },
            "random_uniform" | "RandomUniform" | "uniform" => Initializer::RandomUniform {
                minval: -0.05,
                maxval: 0.05,
                seed: None,
            },
            "truncated_normal" | "TruncatedNormal" => Initializer::TruncatedNormal {
                mean: 0.0,
                stddev: 0.05,
                seed: None,
            },
            "glorot_normal" | "GlorotNormal" => Self::glorot_normal(None),
            "glorot_uniform" | "GlorotUniform" => Self::glorot_uniform(None),
            "he_normal" | "HeNormal" => Self::he_normal(None),
            "he_uniform" | "HeUniform" => Self::he_uniform(None),
            "lecun_normal" | "LecunNormal" => Self::lecun_normal(None),
            "lecun_uniform" | "LecunUniform" => Self::lecun_uniform(None),
            "variance_scaling" | "VarianceScaling" => {
                Self::preset(1.0, FanMode::FanIn, Distribution::TruncatedNormal, None)
            }
            _ => {
                // Keras knows these two, so say they are missing here rather than unknown.
                let unsupported = matches!(
                    name,
                    "identity"
                        | "Identity"
                        | "IdentityInitializer"
                        | "orthogonal"
                        | "Orthogonal"
                        | "OrthogonalInitializer"
                        | "orthogonal_initializer"
                );
                let what = if unsupported {
                    "a Keras initializer that this crate does not provide"
                } else {
                    "not a known initializer name"
                };
                return Err(Error::argument(
                    "alpha_initializer",
                    format!(
                        "Could not interpret initializer identifier {name:?} for `alpha_initializer`: \
                         {what}. Accepted names: {}",
                        NAMES.join(", ")
                    ),
                ));
            }
        };
        Ok(init)
    }

    /// The same initializer with `seed` in place of its seed; the
    /// non-random ones (zeros, ones, constant) are returned unchanged.
    /// Useful after [`Initializer::by_name`], which never sets one.
    ///
    /// ```
    /// use wgpu_activations::initializers::Initializer;
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

    /// The Keras class name, as in a serialised config's `class_name`.
    ///
    /// ```
    /// use wgpu_activations::initializers::Initializer;
    /// assert_eq!(Initializer::Zeros.keras_class_name(), "Zeros");
    /// // The presets are VarianceScaling underneath, as Keras's classes are subclasses of it.
    /// assert_eq!(Initializer::he_uniform(None).keras_class_name(), "VarianceScaling");
    /// ```
    pub fn keras_class_name(&self) -> &'static str {
        match self {
            Initializer::Zeros => "Zeros",
            Initializer::Ones => "Ones",
            Initializer::Constant(_) => "Constant",
            Initializer::RandomNormal { .. } => "RandomNormal",
            Initializer::RandomUniform { .. } => "RandomUniform",
            Initializer::TruncatedNormal { .. } => "TruncatedNormal",
            Initializer::VarianceScaling { .. } => "VarianceScaling",
        }
    }

    /// Checks the arguments: every number finite, `stddev >= 0`,
    /// `minval <= maxval`, `scale > 0`. The error names the argument and the
    /// value received.
    ///
    /// ```
    /// use wgpu_activations::{initializers::Initializer, Error};
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

    /// Values for a tensor of `shape`, row-major, after [`Self::validate`].
    ///
    /// Numbers are computed in `f64` and rounded to `f32` once, at the end.
    /// Variance scaling follows Keras 3: `scale / max(1, fan)` with the fan
    /// from [`compute_fans`], then a normal truncated at ±2σ with
    /// `σ = sqrt(scale) / 0.87962566103423978`, a normal with
    /// `σ = sqrt(scale)`, or `U(-limit, limit)` with `limit = sqrt(3 * scale)`.
    /// Uniform values lie in the half-open `[minval, maxval)` (as in Keras),
    /// also after rounding to `f32`; truncated normal values lie within two
    /// `stddev` of the mean.
    ///
    /// `Some(seed)` gives the same values for the same shape every time, on
    /// every platform; `None` draws a fresh seed on each call, so two
    /// unseeded calls differ. (Keras instead fixes an unseeded initializer's
    /// seed when the initializer is created.)
    ///
    /// Errors: the argument errors of [`Self::validate`]; [`Error::Shape`]
    /// when the element count overflows `usize` or cannot be allocated; an
    /// argument error when a normal value overflows `f32` (a `mean` or
    /// `stddev` near `f32::MAX`).
    ///
    /// ```
    /// use wgpu_activations::initializers::Initializer;
    /// let init = Initializer::random_normal(0.0, 1.0, Some(42))?;
    /// let a = init.sample(&[2, 3])?;
    /// assert_eq!(a.len(), 6);
    /// assert_eq!(a, init.sample(&[2, 3])?); // same seed, same values
    /// assert!(init.sample(&[usize::MAX, 2]).is_err());
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn sample(&self, shape: &[usize]) -> Result<Vec<f32>> {
        self.validate()?;
        let len = shape
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .ok_or_else(|| {
                Error::Shape(format!(
                    "shape {shape:?} has more elements than fit in usize"
                ))
            })?;
        let class = self.keras_class_name();
        match *self {
            // Up to the kernels' u32 indexing, zeros come from a lazily zeroed
            // allocation: building on a huge but empty-batch shape (Keras
            // builds on any shape) then costs address space, not memory.
            // Larger ones go through the fallible path, which can say no.
            Initializer::Zeros if len <= u32::MAX as usize => Ok(vec![0.0; len]),
            Initializer::Zeros => fill(shape, len, || 0.0),
            Initializer::Ones => fill(shape, len, || 1.0),
            Initializer::Constant(value) => fill(shape, len, || value),
            Initializer::RandomNormal { mean, stddev, seed } => {
                let mut rng = Rng::new(seed);
                normal_values(class, shape, len, mean.into(), stddev.into(), || {
                    rng.standard_normal()
                })
            }
            Initializer::TruncatedNormal { mean, stddev, seed } => {
                let mut rng = Rng::new(seed);
                normal_values(class, shape, len, mean.into(), stddev.into(), || {
                    rng.truncated_standard_normal()
                })
            }
            Initializer::RandomUniform {
                minval,
                maxval,
                seed,
            } => uniform_values(shape, len, minval.into(), maxval.into(), Rng::new(seed)),
            Initializer::VarianceScaling {
                scale,
                mode,
                distribution,
                seed,
            } => {
                let (fan_in, fan_out) = compute_fans(shape);
                let fan = match mode {
                    FanMode::FanIn => fan_in,
                    FanMode::FanOut => fan_out,
                    FanMode::FanAvg => (fan_in + fan_out) / 2.0,
                };
                let scale = f64::from(scale) / fan.max(1.0);
                let mut rng = Rng::new(seed);
                match distribution {
                    Distribution::TruncatedNormal => {
                        let stddev = scale.sqrt() / TRUNCATED_NORMAL_STDDEV;
                        normal_values(class, shape, len, 0.0, stddev, || {
                            rng.truncated_standard_normal()
                        })
                    }
                    Distribution::UntruncatedNormal => {
                        normal_values(class, shape, len, 0.0, scale.sqrt(), || {
                            rng.standard_normal()
                        })
                    }
                    Distribution::Uniform => {
                        let limit = (3.0 * scale).sqrt();
                        uniform_values(shape, len, -limit, limit, rng)
                    }
                }
            }
        }
    }
}

/// Keras's `compute_fans`: `(fan_in, fan_out)` of a weight of this shape.
/// Rank 0 gives `(1, 1)`; rank 1 `(n, n)`; rank 2 `(shape[0], shape[1])`;
/// higher ranks multiply the last two axes by the receptive field, the
/// product of the others (a convolution kernel's spatial size).
///
/// Each fan is the exact integer product rounded once to `f64`, as Python
/// converts Keras's integer fans to float.
///
/// ```
/// use wgpu_activations::initializers::compute_fans;
/// assert_eq!(compute_fans(&[]), (1.0, 1.0));
/// assert_eq!(compute_fans(&[5]), (5.0, 5.0));
/// assert_eq!(compute_fans(&[3, 4]), (3.0, 4.0));
/// // A 3x3 convolution from 16 to 32 channels.
/// assert_eq!(compute_fans(&[3, 3, 16, 32]), (144.0, 288.0));
/// ```
pub fn compute_fans(shape: &[usize]) -> (f64, f64) {
    match shape {
        [] => (1.0, 1.0),
        &[n] => (n as f64, n as f64),
        &[fan_in, fan_out] => (fan_in as f64, fan_out as f64),
        [receptive_field @ .., fan_in, fan_out] => (
            exact_product(receptive_field.iter().chain([fan_in])),
            exact_product(receptive_field.iter().chain([fan_out])),
        ),
    }
}

/// The product rounded once to `f64`; only a product past `u128` (which no
/// allocatable tensor has) falls back to rounding at every step.
fn exact_product<'a>(dims: impl Iterator<Item = &'a usize> + Clone) -> f64 {
    match dims
        .clone()
        .try_fold(1u128, |p, &d| p.checked_mul(d as u128))
    {
        Some(p) => p as f64,
        None => dims.map(|&d| d as f64).product(),
    }
}

/// `Ok` if `value` is finite; otherwise an error naming the argument and the value.
fn finite(class: &str, argument: &'static str, value: f32) -> Result<()> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(Error::argument(
            argument,
            format!(
                "Argument `{argument}` of the {class} initializer must be a finite number. \
                 Received: {argument}={value:?}"
            ),
        ))
    }
}

/// `len` values from `next`, with the allocation failing as an error rather
/// than aborting: a shape can ask for more than memory holds.
fn fill(shape: &[usize], len: usize, mut next: impl FnMut() -> f32) -> Result<Vec<f32>> {
    let mut values = Vec::new();
    values.try_reserve_exact(len).map_err(|_| {
        Error::Shape(format!(
            "shape {shape:?} needs {len} f32 values, more than can be allocated"
        ))
    })?;
    values.extend(std::iter::repeat_with(&mut next).take(len));
    Ok(values)
}

/// `mean + stddev * z` for each `z` from `standard`, rounded to `f32`.
fn normal_values(
    class: &str,
    shape: &[usize],
    len: usize,
    mean: f64,
    stddev: f64,
    mut standard: impl FnMut() -> f64,
) -> Result<Vec<f32>> {
    let mut overflow = None;
    let values = fill(shape, len, || {
        let value = (mean + stddev * standard()) as f32;
        if !value.is_finite() {
            overflow.get_or_insert(value);
        }
        value
    })?;
    match overflow {
        // Validation passed, so only a mean or stddev near f32::MAX gets here.
        Some(value) => Err(Error::argument(
            "stddev",
            format!(
                "{class} with mean={mean:?} and stddev={stddev:?} drew {value:?}, \
                 outside the f32 range; use a smaller mean or stddev"
            ),
        )),
        None => Ok(values),
    }
}

/// Uniform values in `[low as f32, high as f32)`; every value is `low` when
/// the rounded bounds coincide.
fn uniform_values(
    shape: &[usize],
    len: usize,
    low: f64,
    high: f64,
    mut rng: Rng,
) -> Result<Vec<f32>> {
    let (low32, high32) = (low as f32, high as f32);
    if low32 >= high32 {
        return fill(shape, len, || low32);
    }
    fill(shape, len, || loop {
        // Rounding to f32 can land a draw just below `high` on `high` itself;
        // redrawing keeps the interval half-open, as Keras documents it.
        // `low + u * (high - low) >= low`, and rounding is monotonic, so the
        // lower bound needs no check.
        let value = (low + rng.unit() * (high - low)) as f32;
        if value < high32 {
            break value;
        }
    })
}

/// The process-wide count of unseeded calls, hashed for a fresh seed: the
/// count makes successive calls differ even if two `RandomState`s shared
/// their keys, and the hash keys make different processes differ.
static UNSEEDED_CALLS: AtomicU64 = AtomicU64::new(0);

fn fresh_seed() -> u64 {
    RandomState::new().hash_one(UNSEEDED_CALLS.fetch_add(1, Ordering::Relaxed))
}

/// SplitMix64 (Steele, Lea and Flood), used to spread a seed over the
/// xoshiro state: consecutive seeds give unrelated states, and the four
/// words can never all be zero (xoshiro's one bad state).
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// xoshiro256** (Blackman and Vigna) with a cached second normal from the
/// polar method.
///
/// Only integer operations and IEEE-754 `+ - * /` and `sqrt` (which Rust
/// guarantees correctly rounded, and never fuses) are used, so a seed gives
/// the same bits on every platform. `f64::ln`, `sin` and `cos` come from the
/// platform's libm and may differ in the last bit between platforms, which
/// is why the polar method with [`ln`] below replaces Box–Muller.
struct Rng {
    state: [u64; 4],
    spare_normal: Option<f64>,
}

impl Rng {
    fn new(seed: Option<u64>) -> Self {
        let mut sm = seed.unwrap_or_else(fresh_seed);
        Rng {
            state: [
                splitmix64(&mut sm),
                splitmix64(&mut sm),
                splitmix64(&mut sm),
                splitmix64(&mut sm),
            ],
            spare_normal: None,
        }
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, 1)` on the 2^53 multiples of 2^-53: the top bits,
    /// which are xoshiro's strongest.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Marsaglia's polar method: two independent standard normals per
    /// accepted point, the second kept for the next call.
    fn standard_normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        loop {
            let u = 2.0 * self.unit() - 1.0;
            let v = 2.0 * self.unit() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let factor = (-2.0 * ln(s) / s).sqrt();
                self.spare_normal = Some(v * factor);
                return u * factor;
            }
        }
    }

    /// A standard normal conditioned on `|z| <= 2`, by redrawing, as Keras's
    /// truncated normal discards values more than two standard deviations out.
    fn truncated_standard_normal(&mut self) -> f64 {
        loop {
            let z = self.standard_normal();
            if z.abs() <= 2.0 {
                return z;
            }
        }
    }
}

/// Natural logarithm of a positive finite `x` from IEEE basic operations
/// only, so that it is bit-identical on every platform (see [`Rng`]).
/// Accurate to a few ulps, far below what the sampled `f32` values resolve.
fn ln(x: f64) -> f64 {
    debug_assert!(x > 0.0 && x.is_finite());
    // Subnormals have no implicit leading bit; scale them into the normal range.
    let (x, mut exponent) = if x < f64::MIN_POSITIVE {
        (x * 18_014_398_509_481_984.0, -54) // 2^54
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    exponent += ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut mantissa = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    // Centring the mantissa on 1 keeps |f| <= 0.172 below, so the series is short.
    if mantissa > SQRT_2 {
        mantissa *= 0.5;
        exponent += 1;
    }
    // ln(m) = 2 atanh(f) = 2 (f + f^3/3 + f^5/5 + ...), f = (m - 1) / (m + 1);
    // with f^2 <= 0.0295, the 12th term is below 2^-60 of the first.
    let f = (mantissa - 1.0) / (mantissa + 1.0);
    let f2 = f * f;
    let mut series = 0.0;
    for k in (0..12).rev() {
        series = series * f2 + 1.0 / f64::from(2 * k + 1);
    }
    2.0 * f * series + exponent as f64 * LN_2
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mean and population standard deviation, accumulated in f64.
    fn stats(values: &[f32]) -> (f64, f64) {
        let n = values.len() as f64;
        let mean = values.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let var = values
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n;
        (mean, var.sqrt())
    }

    const N: usize = 200_000;

    /// Checks the sample mean and standard deviation of `values`.
    ///
    /// Tolerances: the mean's standard error is `std / sqrt(200_000)`, about
    /// `0.0022 * std`, so the mean may be off by `0.015 * std` (7 standard
    /// errors); the standard deviation's relative standard error is at most
    /// `1 / sqrt(2 * 200_000)`, about 0.0016, so it may be off by 1%
    /// (6 standard errors). The seeds are fixed, so the tests cannot flake;
    /// the margins only keep them from depending on one lucky stream.
    #[track_caller]
    fn assert_stats(values: &[f32], mean: f64, std: f64) {
        let (m, s) = stats(values);
        assert!(
            (m - mean).abs() <= 0.015 * std,
            "mean {m} vs expected {mean} (tolerance {})",
            0.015 * std
        );
        assert!(
            (s - std).abs() <= 0.01 * std,
            "std {s} vs expected {std} (tolerance 1%)"
        );
    }

    fn argument_of(result: Result<impl std::fmt::Debug>) -> (&'static str, String) {
        match result {
            Err(Error::InvalidArgument { argument, message }) => (argument, message),
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn compute_fans_matches_keras_for_ranks_0_to_4() {
        assert_eq!(compute_fans(&[]), (1.0, 1.0));
        assert_eq!(compute_fans(&[7]), (7.0, 7.0));
        assert_eq!(compute_fans(&[0]), (0.0, 0.0));
        assert_eq!(compute_fans(&[3, 5]), (3.0, 5.0));
        // rank 3: receptive field 2; fan_in 3*2, fan_out 4*2
        assert_eq!(compute_fans(&[2, 3, 4]), (6.0, 8.0));
        // rank 4: receptive field 3*5 = 15; fan_in 7*15, fan_out 11*15
        assert_eq!(compute_fans(&[3, 5, 7, 11]), (105.0, 165.0));
        // A zero axis zeroes both fans (sample then uses max(1, fan)).
        assert_eq!(compute_fans(&[0, 5, 7, 11]), (0.0, 0.0));
        // Products past u64 still come out (rounded once to f64).
        let big = usize::MAX;
        let (fan_in, _) = compute_fans(&[big, big, 1, 1]);
        assert_eq!(fan_in, (big as u128 * big as u128) as f64);
    }

    #[test]
    fn constant_kinds_fill_the_shape() {
        assert_eq!(Initializer::Zeros.sample(&[2, 3]).unwrap(), vec![0.0; 6]);
        assert_eq!(Initializer::Ones.sample(&[4]).unwrap(), vec![1.0; 4]);
        assert_eq!(
            Initializer::Constant(-0.5).sample(&[]).unwrap(),
            vec![-0.5],
            "rank 0 has one element"
        );
        assert!(Initializer::Ones.sample(&[3, 0]).unwrap().is_empty());
        assert!(Initializer::he_normal(Some(1))
            .sample(&[0, 4])
            .unwrap()
            .is_empty());
    }

    #[test]
    fn oversized_shapes_are_shape_errors() {
        for init in [Initializer::Zeros, Initializer::glorot_uniform(Some(1))] {
            assert!(matches!(
                init.sample(&[usize::MAX, 2]),
                Err(Error::Shape(_))
            ));
            // Fits in usize, but not in memory as f32.
            assert!(matches!(
                init.sample(&[usize::MAX / 2]),
                Err(Error::Shape(_))
            ));
        }
    }

    #[test]
    fn random_uniform_statistics_and_bounds() {
        let (a, b) = (-0.3f32, 0.7f32);
        let values = Initializer::random_uniform(a, b, Some(1))
            .unwrap()
            .sample(&[N])
            .unwrap();
        assert!(values.iter().all(|&v| a <= v && v < b));
        let (a, b) = (f64::from(a), f64::from(b));
        assert_stats(&values, (a + b) / 2.0, (b - a) / 12f64.sqrt());
    }

    #[test]
    fn degenerate_uniform_is_the_bound() {
        let values = Initializer::random_uniform(0.25, 0.25, Some(1))
            .unwrap()
            .sample(&[5])
            .unwrap();
        assert_eq!(values, vec![0.25; 5]);
    }

    #[test]
    fn uniform_over_the_whole_f32_range_stays_finite() {
        let values = Initializer::random_uniform(f32::MIN, f32::MAX, Some(3))
            .unwrap()
            .sample(&[1000])
            .unwrap();
        assert!(values.iter().all(|v| v.is_finite() && *v < f32::MAX));
    }

    #[test]
    fn random_normal_statistics() {
        let values = Initializer::random_normal(0.5, 2.0, Some(2))
            .unwrap()
            .sample(&[N])
            .unwrap();
        assert_stats(&values, 0.5, 2.0);
        // A normal reaches past 2σ about 4.55% of the time; allow 4.3%..4.8%.
        let beyond = values.iter().filter(|&&v| (v - 0.5).abs() > 4.0).count();
        let fraction = beyond as f64 / N as f64;
        assert!((0.043..0.048).contains(&fraction), "{fraction}");
    }

    #[test]
    fn truncated_normal_statistics_and_bounds() {
        let (mean, stddev) = (-1.0f32, 0.5f32);
        let values = Initializer::truncated_normal(mean, stddev, Some(3))
            .unwrap()
            .sample(&[N])
            .unwrap();
        // Within 2σ, allowing for the final rounding to f32.
        let bound = 2.0 * f64::from(stddev) * (1.0 + 1e-6);
        assert!(values
            .iter()
            .all(|&v| (f64::from(v) - f64::from(mean)).abs() <= bound));
        assert_stats(
            &values,
            mean.into(),
            TRUNCATED_NORMAL_STDDEV * f64::from(stddev),
        );
    }

    #[test]
    fn zero_stddev_gives_the_mean() {
        let values = Initializer::random_normal(0.75, 0.0, Some(1))
            .unwrap()
            .sample(&[10])
            .unwrap();
        assert_eq!(values, vec![0.75; 10]);
    }

    #[test]
    fn normal_overflowing_f32_is_an_error() {
        let init = Initializer::random_normal(f32::MAX, f32::MAX, Some(1)).unwrap();
        let (argument, message) = argument_of(init.sample(&[100]));
        assert_eq!(argument, "stddev");
        assert!(message.contains("outside the f32 range"), "{message}");
    }

    #[test]
    fn glorot_normal_std_is_sqrt_scale_over_fan_avg() {
        // fan_in 400, fan_out 500: fan_avg 450.
        let values = Initializer::glorot_normal(Some(4))
            .sample(&[400, 500])
            .unwrap();
        let std = (1.0f64 / 450.0).sqrt();
        assert_stats(&values, 0.0, std);
        // Truncated at 2σ of the widened normal: 2 * std / 0.8796.
        let bound = 2.0 * std / TRUNCATED_NORMAL_STDDEV * (1.0 + 1e-6);
        assert!(values.iter().all(|&v| f64::from(v).abs() <= bound));
    }

    #[test]
    fn glorot_uniform_std_and_limit() {
        let values = Initializer::glorot_uniform(Some(5))
            .sample(&[400, 500])
            .unwrap();
        let limit = (6.0f64 / 900.0).sqrt() as f32;
        assert!(values.iter().all(|&v| -limit <= v && v < limit));
        assert_stats(&values, 0.0, (1.0f64 / 450.0).sqrt());
    }

    #[test]
    fn he_normal_std_is_sqrt_2_over_fan_in() {
        // rank 4: receptive field 25, fan_in 100*25 = 2500.
        let values = Initializer::he_normal(Some(6))
            .sample(&[5, 5, 100, 80])
            .unwrap();
        assert_eq!(values.len(), N);
        assert_stats(&values, 0.0, (2.0f64 / 2500.0).sqrt());
    }

    #[test]
    fn he_uniform_std_is_sqrt_2_over_fan_in() {
        let values = Initializer::he_uniform(Some(7))
            .sample(&[5, 5, 100, 80])
            .unwrap();
        let limit = (6.0f64 / 2500.0).sqrt() as f32;
        assert!(values.iter().all(|&v| -limit <= v && v < limit));
        assert_stats(&values, 0.0, (2.0f64 / 2500.0).sqrt());
    }

    #[test]
    fn lecun_std_is_sqrt_1_over_fan_in() {
        // rank 3: receptive field 2, fan_in 500*2 = 1000.
        for init in [
            Initializer::lecun_normal(Some(8)),
            Initializer::lecun_uniform(Some(9)),
        ] {
            let values = init.sample(&[2, 500, 200]).unwrap();
            assert_stats(&values, 0.0, (1.0f64 / 1000.0).sqrt());
        }
    }

    #[test]
    fn variance_scaling_fan_out_untruncated() {
        // fan_out 400; std sqrt(3 / 400); untruncated, so ~4.55% beyond 2σ.
        let init = Initializer::variance_scaling(
            3.0,
            FanMode::FanOut,
            Distribution::UntruncatedNormal,
            Some(10),
        )
        .unwrap();
        let values = init.sample(&[500, 400]).unwrap();
        let std = (3.0f64 / 400.0).sqrt();
        assert_stats(&values, 0.0, std);
        let beyond = values
            .iter()
            .filter(|&&v| f64::from(v).abs() > 2.0 * std)
            .count() as f64
            / values.len() as f64;
        assert!((0.043..0.048).contains(&beyond), "{beyond}");
    }

    #[test]
    fn variance_scaling_uses_max_1_of_the_fan() {
        // A scalar and a zero fan both divide by 1, as Keras's max(1.0, fan).
        let init =
            Initializer::variance_scaling(0.25, FanMode::FanIn, Distribution::Uniform, Some(11))
                .unwrap();
        let limit = (3.0f64 * 0.25).sqrt() as f32;
        let values = init.sample(&[]).unwrap();
        assert_eq!(values.len(), 1);
        assert!(values[0].abs() < limit);
    }

    #[test]
    fn same_seed_same_values() {
        for init in [
            Initializer::random_normal(0.0, 1.0, Some(99)).unwrap(),
            Initializer::random_uniform(-1.0, 1.0, Some(99)).unwrap(),
            Initializer::truncated_normal(0.0, 1.0, Some(99)).unwrap(),
            Initializer::he_normal(Some(99)),
            Initializer::glorot_uniform(Some(99)),
        ] {
            let a = init.sample(&[64, 32]).unwrap();
            let b = init.sample(&[64, 32]).unwrap();
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a), bits(&b), "{init:?}");
        }
    }

    #[test]
    fn seeded_values_are_pinned() {
        // These bits are the cross-platform promise: a change here changes
        // every seeded model built with this crate.
        let normal = Initializer::random_normal(0.0, 1.0, Some(42))
            .unwrap()
            .sample(&[4])
            .unwrap();
        let uniform = Initializer::random_uniform(0.0, 1.0, Some(42))
            .unwrap()
            .sample(&[4])
            .unwrap();
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&normal), PINNED_NORMAL, "{normal:?}");
        assert_eq!(bits(&uniform), PINNED_UNIFORM, "{uniform:?}");
    }

    // Cross-checked against an independent Python implementation of the
    // same SplitMix64, xoshiro256**, polar method and series logarithm.
    const PINNED_NORMAL: [u32; 4] = [3208243583, 3193455617, 1046671632, 1057346654];
    const PINNED_UNIFORM: [u32; 4] = [1034666073, 1052903859, 1059985235, 1064089773];

    #[test]
    fn different_seeds_differ() {
        let a = Initializer::he_uniform(Some(1)).sample(&[100]).unwrap();
        let b = Initializer::he_uniform(Some(2)).sample(&[100]).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn unseeded_calls_differ() {
        let init = Initializer::by_name("random_normal").unwrap();
        let a = init.sample(&[100]).unwrap();
        let b = init.sample(&[100]).unwrap();
        assert_ne!(a, b);
        let init = Initializer::glorot_uniform(None);
        assert_ne!(init.sample(&[100]).unwrap(), init.sample(&[100]).unwrap());
    }

    #[test]
    fn splitmix64_reference_output() {
        // The first output for state 0, as published with SplitMix64.
        let mut state = 0;
        assert_eq!(splitmix64(&mut state), 0xe220_a839_7b1d_cdaf);
    }

    #[test]
    fn ln_matches_std() {
        let mut x = f64::MIN_POSITIVE / 1e10; // subnormal
        while x < 1e300 {
            let (ours, std) = (ln(x), x.ln());
            assert!(
                (ours - std).abs() <= 4.0 * f64::EPSILON * std.abs().max(1.0),
                "ln({x}) = {ours}, std says {std}"
            );
            x *= 1.37;
        }
        assert_eq!(ln(1.0), 0.0);
    }

    #[test]
    fn by_name_knows_every_keras_name() {
        let vs = |scale, mode, distribution| Initializer::VarianceScaling {
            scale,
            mode,
            distribution,
            seed: None,
        };
        let normal = Initializer::RandomNormal {
            mean: 0.0,
            stddev: 0.05,
            seed: None,
        };
        let uniform = Initializer::RandomUniform {
            minval: -0.05,
            maxval: 0.05,
            seed: None,
        };
        let truncated = Initializer::TruncatedNormal {
            mean: 0.0,
            stddev: 0.05,
            seed: None,
        };
        use Distribution::{TruncatedNormal as Tn, Uniform as U};
        use FanMode::{FanAvg, FanIn};
        let expected = [
            ("zeros", Initializer::Zeros),
            ("Zeros", Initializer::Zeros),
            ("zero", Initializer::Zeros),
            ("ones", Initializer::Ones),
            ("Ones", Initializer::Ones),
            ("one", Initializer::Ones),
            ("constant", Initializer::Constant(0.0)),
            ("Constant", Initializer::Constant(0.0)),
            ("random_normal", normal),
            ("RandomNormal", normal),
            ("normal", normal),
            ("random_uniform", uniform),
            ("RandomUniform", uniform),
            ("uniform", uniform),
            ("truncated_normal", truncated),
            ("TruncatedNormal", truncated),
            ("glorot_normal", vs(1.0, FanAvg, Tn)),
            ("GlorotNormal", vs(1.0, FanAvg, Tn)),
            ("glorot_uniform", vs(1.0, FanAvg, U)),
            ("GlorotUniform", vs(1.0, FanAvg, U)),
            ("he_normal", vs(2.0, FanIn, Tn)),
            ("HeNormal", vs(2.0, FanIn, Tn)),
            ("he_uniform", vs(2.0, FanIn, U)),
            ("HeUniform", vs(2.0, FanIn, U)),
            ("lecun_normal", vs(1.0, FanIn, Tn)),
            ("LecunNormal", vs(1.0, FanIn, Tn)),
            ("lecun_uniform", vs(1.0, FanIn, U)),
            ("LecunUniform", vs(1.0, FanIn, U)),
            ("variance_scaling", vs(1.0, FanIn, Tn)),
            ("VarianceScaling", vs(1.0, FanIn, Tn)),
        ];
        assert_eq!(expected.len(), NAMES.len());
        for (name, init) in expected {
            assert!(NAMES.contains(&name), "{name} missing from NAMES");
            assert_eq!(Initializer::by_name(name).unwrap(), init, "{name}");
            assert!(init.validate().is_ok(), "{name}");
        }
    }

    #[test]
    fn unknown_names_are_argument_errors_listing_the_names() {
        for name in ["HE_NORMAL", "xavier", ""] {
            let (argument, message) = argument_of(Initializer::by_name(name));
            assert_eq!(argument, "alpha_initializer");
            assert!(message.contains("`alpha_initializer`"), "{message}");
            assert!(message.contains(&format!("{name:?}")), "{message}");
            assert!(message.contains("glorot_uniform"), "{message}");
        }
        let (_, message) = argument_of(Initializer::by_name("orthogonal"));
        assert!(message.contains("does not provide"), "{message}");
    }

    #[test]
    fn mode_and_distribution_names() {
        for mode in [FanMode::FanIn, FanMode::FanOut, FanMode::FanAvg] {
            assert_eq!(FanMode::by_name(mode.name()).unwrap(), mode);
        }
        for d in [
            Distribution::TruncatedNormal,
            Distribution::UntruncatedNormal,
            Distribution::Uniform,
        ] {
            assert_eq!(Distribution::by_name(d.name()).unwrap(), d);
        }
        assert_eq!(
            Distribution::by_name("UNIFORM").unwrap(),
            Distribution::Uniform
        );
        assert_eq!(
            Distribution::by_name("normal").unwrap(),
            Distribution::TruncatedNormal
        );
        let (argument, message) = argument_of(FanMode::by_name("fan_sum"));
        assert_eq!(argument, "mode");
        assert!(message.contains("\"fan_sum\""), "{message}");
        let (argument, message) = argument_of(Distribution::by_name("cauchy"));
        assert_eq!(argument, "distribution");
        assert!(message.contains("\"cauchy\""), "{message}");
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
