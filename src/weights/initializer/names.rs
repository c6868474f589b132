//! Keras's names: the identifiers `keras.initializers.get` accepts, the
//! `mode` and `distribution` strings of `VarianceScaling`, and the class
//! names a serialised config carries. They are read with Keras's own rules
//! (case-sensitive, with its aliases), so a config Keras wrote reads back
//! as the same initializer, and the errors list what is accepted.

use super::{Distribution, FanMode, Initializer};
use crate::error::{Error, Result};

impl FanMode {
    /// The mode Keras names `name` (`"fan_in"`, `"fan_out"` or `"fan_avg"`,
    /// case-sensitive as in Keras).
    ///
    /// ```
    /// use wgpu_activations::training::FanMode;
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
    /// use wgpu_activations::training::FanMode;
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
    /// use wgpu_activations::training::Distribution;
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
    /// use wgpu_activations::training::Distribution;
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
    /// The initializer Keras's `initializers.get(name)` returns, with
    /// Keras's default arguments and no seed: the class name (`"HeNormal"`)
    /// or its snake case (`"he_normal"`), case-sensitive, plus Keras's
    /// aliases `"zero"`, `"one"`, `"normal"` (`RandomNormal`) and `"uniform"`
    /// (`RandomUniform`). `"constant"` is `Constant(0.0)`, Keras's default.
    ///
    /// ```
    /// use wgpu_activations::training::Initializer;
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

    /// The Keras class name, as in a serialised config's `class_name`.
    ///
    /// ```
    /// use wgpu_activations::training::Initializer;
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weights::initializer::tests::argument_of;

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
}
