//! Keras interop: every golden case built from its Keras 3 `config` and its
//! Keras 2 `config_keras2` and run on the GPU against Keras's output; every
//! constructor rejection in errors.json, expressed as a config; unknown keys
//! and wrong types; round trips through `to_keras_config` (proptest); chains
//! of entries and masks through `AnyLayer`; PReLU alpha from `.npy` files
//! written by numpy.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{
    assert_all_close, assert_each, assert_matches_keras, case_mask, ctx, golden_cases,
    golden_errors, json_f32s, json_shape, keras_close, Tolerance, SOFTMAX,
};
use proptest::prelude::*;
use serde_json::{json, Value};
use wgpu_activations::keras::{
    layer_from_config, layer_from_json, read_npy, read_npy_file, write_npy, AnyLayer,
};
use wgpu_activations::training::{Constraint, Distribution, FanMode, Initializer, Regularizer};
use wgpu_activations::{
    Error, GpuContext, GpuTensor, Layer, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU, ELU,
};

/// The bound for this file's chains, which end in a Softmax after inexact
/// layers (ELU, or another Softmax): Softmax's own 4 ulps plus 8 for its
/// inputs, which carry up to 4 ulps of error on values below 1 in magnitude
/// (at most 4·2⁻²⁴ absolute), and softmax turns an input error δ into a
/// relative output error of at most 2·max|δ|, 8 ulps.
const CHAIN: Tolerance = Tolerance::Ulps(12);

/// Runs `layer` on the GPU (with the mask, if any) and checks it against its
/// own CPU reference: bit for bit for the piecewise-linear layers, 4 ulps
/// for ELU and Softmax (docs/ACCURACY.md, "Accuracy"), [`CHAIN`] for chains.
fn run_checked(
    what: &str,
    layer: &AnyLayer,
    shape: &[usize],
    input: &[f32],
    mask: Option<(&[usize], &[f32])>,
) -> Vec<f32> {
    let x = GpuTensor::from_slice(ctx(), shape, input).unwrap();
    let mask_tensor = mask.map(|(s, m)| GpuTensor::from_slice(ctx(), s, m).unwrap());
    let gpu = layer
        .forward_masked(ctx(), &x, mask_tensor.as_ref())
        .unwrap()
        .to_vec_blocking(ctx())
        .unwrap();
    let cpu = layer.reference_masked(shape, input, mask).unwrap();
    let tolerance = match layer.class_name() {
        "Sequential" => CHAIN,
        "Softmax" => SOFTMAX,
        "ELU" => Tolerance::Ulps(4),
        _ => Tolerance::Exact,
    };
    assert_all_close(what, input, &gpu, &cpu, tolerance);
    gpu
}

/// A Keras config with Softmax's one-element axis lists written as ints:
/// Keras keeps `axis=[1]` a list, this crate stores both as one axis and
/// writes an int; the two are the same softmax.
fn normalized(config: &Value) -> Value {
    let mut config = config.clone();
    if let Some(Value::Array(axes)) = config.get("axis") {
        if let [one] = axes.as_slice() {
            config["axis"] = one.clone();
        }
    }
    config
}

#[test]
fn every_golden_case_from_both_config_spellings_matches_keras() {
    let (mut from_keras3, mut from_keras2) = (0, 0);
    for case in golden_cases() {
        let name = case["name"].as_str().unwrap();
        let class = case["layer"].as_str().unwrap();
        let shape = json_shape(&case["input_shape"]);
        let input = json_f32s(&case["input"]);
        let mask = case_mask(&case);
        let mask = mask.as_ref().map(|(s, v)| (s.as_slice(), v.as_slice()));
        for key in ["config", "config_keras2"] {
            let config = &case[key];
            if config.is_null() {
                // Keras 2 cannot run this case (softmax of rank 1).
                assert!(
                    key == "config_keras2"
                        && case["tags"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|t| t == "keras3_only"),
                    "{name}: no {key}"
                );
                continue;
            }
            let what = format!("{name} from {key}");
            let layer = layer_from_config(class, config)
                .unwrap_or_else(|e| panic!("{what}: {config} rejected: {e}"));
            assert_eq!(layer.class_name(), class, "{what}");
            if let Some(prelu) = layer.as_prelu() {
                assert!(!prelu.is_built(), "{what}: Keras builds at the first call");
                let weights = &case["weights"];
                prelu
                    .load_alpha(
                        &json_shape(&weights["alpha_shape"]),
                        &json_f32s(&weights["alpha"]),
                    )
                    .unwrap();
            }
            let gpu = run_checked(&what, &layer, &shape, &input, mask);
            assert_matches_keras(&what, &case, &input, &gpu);
            // Both spellings write back Keras 3's config.
            assert_eq!(
                normalized(&layer.to_keras_config()),
                normalized(&case["config"]),
                "{what}: to_keras_config"
            );
            if key == "config" {
                from_keras3 += 1;
            } else {
                from_keras2 += 1;
            }
        }
    }
    assert_eq!((from_keras3, from_keras2), (103, 102));
}

/// The message of a rejection (argument and shape errors only).
fn rejection(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Err(e @ (Error::InvalidArgument { .. } | Error::Shape(_))) => e.to_string(),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

fn errors_entry<'a>(errors: &'a Value, version: &str, what: &str) -> &'a Value {
    errors[version]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["what"] == what)
        .unwrap_or_else(|| panic!("errors.json has no {version} entry {what:?}"))
}

/// How a rejection in errors.json is checked here.
enum Expect {
    /// Our message is Keras's, word for word.
    Same,
    /// Our message names the argument and the value (Keras 2's messages
    /// leave out the argument's name, or Keras rejects at another time).
    Names(&'static str, &'static str),
    /// Keras accepted it; this crate rejects it (following Keras 3), naming
    /// the argument and the value.
    Stricter(&'static str, &'static str),
}

/// Entries of errors.json about constructor arguments, as configs.
const REJECTED: &[(&str, &str, &str, &str, Expect)] = &[
    (
        "keras3",
        "ReLU(max_value=-1.0)",
        "ReLU",
        r#"{"max_value": -1.0}"#,
        Expect::Same,
    ),
    (
        "keras3",
        "ReLU(negative_slope=-0.1)",
        "ReLU",
        r#"{"negative_slope": -0.1}"#,
        Expect::Same,
    ),
    (
        "keras3",
        "ReLU(negative_slope=None)",
        "ReLU",
        r#"{"negative_slope": null}"#,
        Expect::Same,
    ),
    (
        "keras3",
        "ReLU(threshold=-0.5)",
        "ReLU",
        r#"{"threshold": -0.5}"#,
        Expect::Same,
    ),
    (
        "keras3",
        "ReLU(threshold=None)",
        "ReLU",
        r#"{"threshold": null}"#,
        Expect::Same,
    ),
    (
        "keras3",
        "LeakyReLU(negative_slope=-0.1)",
        "LeakyReLU",
        r#"{"negative_slope": -0.1}"#,
        Expect::Same,
    ),
    (
        "keras3",
        "LeakyReLU(negative_slope=None)",
        "LeakyReLU",
        r#"{"negative_slope": null}"#,
        Expect::Same,
    ),
    (
        "keras2",
        "ReLU(max_value=-1.0)",
        "ReLU",
        r#"{"max_value": -1.0}"#,
        Expect::Names("max_value", "-1.0"),
    ),
    (
        "keras2",
        "ReLU(negative_slope=-0.1)",
        "ReLU",
        r#"{"negative_slope": -0.1}"#,
        Expect::Names("negative_slope", "-0.1"),
    ),
    (
        "keras2",
        "ReLU(negative_slope=None)",
        "ReLU",
        r#"{"negative_slope": null}"#,
        Expect::Names("negative_slope", "None"),
    ),
    (
        "keras2",
        "ReLU(threshold=-0.5)",
        "ReLU",
        r#"{"threshold": -0.5}"#,
        Expect::Names("threshold", "-0.5"),
    ),
    (
        "keras2",
        "ReLU(threshold=None)",
        "ReLU",
        r#"{"threshold": null}"#,
        Expect::Names("threshold", "None"),
    ),
    (
        "keras2",
        "LeakyReLU(alpha=None)",
        "LeakyReLU",
        r#"{"alpha": null}"#,
        Expect::Same,
    ),
    (
        "keras2",
        "ELU(alpha=None)",
        "ELU",
        r#"{"alpha": null}"#,
        Expect::Same,
    ),
    (
        "keras2",
        "ThresholdedReLU(theta=-0.5)",
        "ThresholdedReLU",
        r#"{"theta": -0.5}"#,
        Expect::Names("theta", "-0.5"),
    ),
    (
        "keras2",
        "ThresholdedReLU(theta=None)",
        "ThresholdedReLU",
        r#"{"theta": null}"#,
        Expect::Same,
    ),
    // Keras 3 accepts alpha=None and fails at the call with a TypeError; a
    // config is rejected here at once, naming alpha.
    (
        "keras3",
        "ELU(alpha=None) call",
        "ELU",
        r#"{"alpha": null}"#,
        Expect::Names("Alpha", "None"),
    ),
    // Keras 2 accepted a negative alpha; this crate follows Keras 3 (>= 0).
    (
        "keras2",
        "LeakyReLU(alpha=-0.1) (no check in Keras 2)",
        "LeakyReLU",
        r#"{"alpha": -0.1}"#,
        Expect::Stricter("alpha", "-0.1"),
    ),
];

/// Entries checked elsewhere: call-time shape and mask errors, and what is
/// not a layer config (tests/keras_golden.rs, tests/softmax.rs), or allowed
/// configs checked in `what_keras_allows_builds_from_configs` below.
const ELSEWHERE: &[&str] = &[
    "ReLU(max_value=0.0) (allowed)",
    "keras.activations.relu(x, threshold=-0.5) (function, no check)",
    "LeakyReLU(alpha=0.5) (Keras 2 kwarg)",
    "ELU(alpha=None) construct",
    "ELU(alpha=-1.0) (allowed)",
    "keras.layers.ThresholdedReLU exists?",
    "PReLU(shared_axes=[4]) on rank-4",
    "PReLU(shared_axes=0) on rank-4: alpha shape",
    "PReLU(shared_axes=-1) on rank-4: alpha shape",
    "PReLU(shared_axes=[1,2]) built (2,3,4,5) then called (1,6,7,5)",
    "PReLU() built (2,3,4,5) then called (2,3,4,6)",
    "Softmax mask with more dims than inputs",
    "Softmax mask (2,3) for inputs (1,3)",
    "Softmax(axis=5) on rank-2",
    "Softmax(axis=-1) on (3,1) -> warning + ones",
    "Softmax() on rank-1 input",
    "Softmax(axis=(0,)) tuple of one",
    "LeakyReLU(negative_slope=0.5) (Keras 3 kwarg)",
    "Softmax(robust_masking=True) fully masked row",
];

#[test]
fn every_constructor_rejection_in_errors_json_is_rejected_from_a_config() {
    let errors = golden_errors();
    for (version, what, class, config, expect) in REJECTED {
        let entry = errors_entry(&errors, version, what);
        let keras_raised = !entry["raised"].is_null();
        assert_eq!(
            keras_raised,
            !matches!(expect, Expect::Stricter(..)),
            "{version} {what}: whether Keras raised"
        );
        let config: Value = serde_json::from_str(config).unwrap();
        let ours = rejection(layer_from_config(class, &config));
        match expect {
            Expect::Same => {
                assert_eq!(ours, entry["message"].as_str().unwrap(), "{version} {what}")
            }
            Expect::Names(key, value) | Expect::Stricter(key, value) => assert!(
                ours.contains(key) && ours.contains(value),
                "{version} {what}: {ours:?} should name {key} and {value}"
            ),
        }
    }
    // Every entry is mapped above or covered elsewhere, so a new one in
    // errors.json cannot go unnoticed.
    for version in ["keras3", "keras2"] {
        for entry in errors[version].as_array().unwrap() {
            let what = entry["what"].as_str().unwrap();
            assert!(
                REJECTED.iter().any(|r| r.0 == version && r.1 == what) || ELSEWHERE.contains(&what),
                "{version} {what:?} is not mapped"
            );
        }
    }
}

#[test]
fn call_time_rejections_of_configured_layers_name_the_argument() {
    let errors = golden_errors();
    // PReLU(shared_axes=[4]) on rank 4: Keras raises IndexError when building.
    let prelu = layer_from_config("PReLU", &json!({"shared_axes": [4]})).unwrap();
    let x = GpuTensor::from_slice(ctx(), &[2, 3, 4, 5], &[1.0; 120]).unwrap();
    let err = rejection(prelu.forward(ctx(), &x));
    assert!(
        err.contains("shared_axes=[4]") && err.contains("rank 4"),
        "{err}"
    );
    // Softmax(axis=5) on rank 2: Keras's message inside its call wrapper.
    let softmax = layer_from_config("Softmax", &json!({"axis": 5})).unwrap();
    let x = GpuTensor::from_slice(ctx(), &[2, 3], &[0.0; 6]).unwrap();
    let err = rejection(softmax.forward(ctx(), &x));
    let keras = errors_entry(&errors, "keras3", "Softmax(axis=5) on rank-2")["message"]
        .as_str()
        .unwrap();
    assert!(keras.contains(&err), "{err:?} in {keras:?}");
}

#[test]
fn what_keras_allows_builds_from_configs() {
    let errors = golden_errors();
    let result = |version: &str, what: &str| errors_entry(&errors, version, what)["result"].clone();
    // ReLU(max_value=0.0) gives zeros.
    let relu = layer_from_config("ReLU", &json!({"max_value": 0.0})).unwrap();
    let x = [-1.0, 0.5, 2.0, 3.0, -0.0, 7.0];
    let want: Vec<f32> = result("keras3", "ReLU(max_value=0.0) (allowed)")
        .as_array()
        .unwrap()
        .iter()
        .flat_map(json_f32s)
        .collect();
    assert_eq!(run_checked("relu max 0", &relu, &[2, 3], &x, None), want);
    // Keras 3 still takes LeakyReLU's Keras 2 `alpha`; Keras 2 refused
    // `negative_slope`; both spellings are read here.
    let slope = result("keras3", "LeakyReLU(alpha=0.5) (Keras 2 kwarg)")
        .as_f64()
        .unwrap() as f32;
    for config in [json!({"alpha": 0.5}), json!({"negative_slope": 0.5})] {
        match layer_from_config("LeakyReLU", &config).unwrap() {
            AnyLayer::LeakyReLU(l) => assert_eq!(l.negative_slope(), slope),
            other => panic!("{other:?}"),
        }
    }
    // ELU(alpha=-1.0): Keras 2's values.
    let elu = layer_from_config("ELU", &json!({"alpha": -1.0})).unwrap();
    let y = run_checked("elu -1", &elu, &[2], &[-1.0, 1.0], None);
    let want = json_f32s(&result("keras2", "ELU(alpha=-1.0) (allowed)"));
    assert!(
        keras_close(y[0], want[0], 1e-6, 1e-5) && y[1] == want[1],
        "{y:?}"
    );
    // shared_axes as an int, and Python's indexing: 0 shares the last axis.
    for (shared, what) in [
        (json!(0), "PReLU(shared_axes=0) on rank-4: alpha shape"),
        (json!([-1]), "PReLU(shared_axes=-1) on rank-4: alpha shape"),
    ] {
        let layer = layer_from_config("PReLU", &json!({ "shared_axes": shared })).unwrap();
        let prelu = layer.as_prelu().unwrap();
        prelu.build(&[2, 3, 4, 5]).unwrap();
        assert_eq!(
            prelu.alpha_shape().unwrap(),
            json_shape(&result("keras3", what))
        );
    }
    // Softmax(axis=(0,)): a one-element list is that axis.
    let softmax = layer_from_config("Softmax", &json!({"axis": [0]})).unwrap();
    let x = [1.0, 1.0, 0.0, 3.0, 3.0, 4.0];
    let y = run_checked("softmax (0,)", &softmax, &[2, 3], &x, None);
    let want: Vec<f32> = result("keras3", "Softmax(axis=(0,)) tuple of one")
        .as_array()
        .unwrap()
        .iter()
        .flat_map(json_f32s)
        .collect();
    assert_each("softmax (0,) vs Keras", &y, &want, |_, g, w| {
        keras_close(g, w, 1e-6, 1e-5)
    });
    // Keras 2's robust_masking is read; masks work as in Keras 3 either way
    // (a fully masked row is zeros, where Keras 2 gave 1/3 each).
    let robust =
        layer_from_config("Softmax", &json!({"axis": -1, "robust_masking": true})).unwrap();
    let y = run_checked(
        "robust_masking",
        &robust,
        &[2, 3],
        &[1.0, 2.0, 3.0, 1.0, 2.0, 3.0],
        Some((&[2, 3], &[0.0, 0.0, 0.0, 1.0, 0.0, 1.0])),
    );
    assert_eq!(&y[..3], &[0.0, 0.0, 0.0]);
    let keras2 = result("keras2", "Softmax(robust_masking=True) fully masked row");
    let keras2_row: Vec<f32> = json_f32s(&keras2[1]);
    assert_each(
        "robust_masking vs Keras 2",
        &y[3..],
        &keras2_row,
        |_, g, w| keras_close(g, w, 1e-6, 1e-5),
    );
}

#[test]
fn unknown_keys_and_wrong_types_are_errors_naming_the_key() {
    let cases: &[(&str, Value, &str)] = &[
        ("ReLU", json!({"maxvalue": 6.0}), "maxvalue"),
        ("ReLU", json!({"max_value": "6"}), "max_value"),
        ("ReLU", json!({"negative_slope": [0.1]}), "negative_slope"),
        ("ReLU", json!({"threshold": true}), "threshold"),
        // Beyond f32: infinite, which only max_value accepts (as "no clip").
        ("ReLU", json!({"negative_slope": 1e300}), "negative_slope"),
        ("ReLU", json!({"name": 5}), "name"),
        ("ReLU", json!({"trainable": "yes"}), "trainable"),
        ("ReLU", json!({"dtype": 32}), "dtype"),
        ("ReLU", json!([6.0]), "config"),
        (
            "LeakyReLU",
            json!({"alpha": 0.1, "negative_slope": 0.1}),
            "alpha",
        ),
        ("LeakyReLU", json!({"alpha": "0.1"}), "alpha"),
        ("ELU", json!({"alpha": 1.0, "beta": 2.0}), "beta"),
        ("ThresholdedReLU", json!({"theta": {"value": 1}}), "theta"),
        ("Softmax", json!({"axis": "last"}), "axis"),
        ("Softmax", json!({"axis": [1, "2"]}), "axis"),
        ("Softmax", json!({"axis": []}), "axis"),
        ("Softmax", json!({"axis": 1.5}), "axis"),
        ("Softmax", json!({"robust_masking": 1}), "robust_masking"),
        ("PReLU", json!({"shared_axes": "1"}), "shared_axes"),
        ("PReLU", json!({"shared_axes": [1.5]}), "shared_axes"),
        (
            "PReLU",
            json!({"alpha_initializer": 3}),
            "alpha_initializer",
        ),
        ("PReLU", json!({"alpha_initializer": "xavier"}), "xavier"),
        (
            "PReLU",
            json!({"alpha_initializer": {"config": {}}}),
            "class_name",
        ),
        (
            "PReLU",
            json!({"alpha_initializer": {"class_name": "RandomNormal", "config": {"stdev": 0.1}}}),
            "alpha_initializer.config.stdev",
        ),
        (
            "PReLU",
            json!({"alpha_initializer": {"class_name": "RandomNormal", "config": {"stddev": -0.1}}}),
            "stddev",
        ),
        (
            "PReLU",
            json!({"alpha_initializer": {"class_name": "RandomNormal", "config": {"seed": -1}}}),
            "alpha_initializer.config.seed",
        ),
        (
            "PReLU",
            json!({"alpha_initializer": {"class_name": "GlorotUniform", "config": {"scale": 2.0}}}),
            "alpha_initializer.config.scale",
        ),
        (
            "PReLU",
            json!({"alpha_initializer": {"class_name": "VarianceScaling", "config": {"mode": "fan_sideways"}}}),
            "alpha_initializer.config.mode",
        ),
        (
            "PReLU",
            json!({"alpha_initializer": {"class_name": "Zeros", "config": {}, "extra": 1}}),
            "alpha_initializer.extra",
        ),
        (
            "PReLU",
            json!({"alpha_regularizer": {"class_name": "L1", "config": {"l1": -1.0}}}),
            "l1",
        ),
        ("PReLU", json!({"alpha_regularizer": "l3"}), "l3"),
        (
            "PReLU",
            json!({"alpha_constraint": {"class_name": "MaxNorm", "config": {"max_value": "2"}}}),
            "alpha_constraint.config.max_value",
        ),
        (
            "PReLU",
            json!({"alpha_constraint": {"class_name": "UnitNorm", "config": {"axis": "0"}}}),
            "alpha_constraint.config.axis",
        ),
        ("Dense", json!({}), "Dense"),
    ];
    for (class, config, key) in cases {
        let err = match layer_from_config(class, config) {
            Err(e @ Error::InvalidArgument { .. }) => e.to_string(),
            other => panic!("{class} {config}: expected an argument error, got {other:?}"),
        };
        assert!(
            err.contains(key),
            "{class} {config}: {err:?} should name {key}"
        );
    }
    // A top-level key is the error's argument.
    match layer_from_config("ReLU", &json!({"threshold": "0"})) {
        Err(Error::InvalidArgument { argument, .. }) => assert_eq!(argument, "threshold"),
        other => panic!("{other:?}"),
    }
    // Bad entries name what is wrong too.
    for (entry, key) in [
        (json!({"config": {}}), "class_name"),
        (json!({"class_name": "ReLU", "confg": {}}), "confg"),
        (json!({"class_name": 3}), "class_name"),
        (
            json!({"class_name": "Sequential", "config": {"layers": 1}}),
            "layers",
        ),
        (
            json!({"class_name": "PReLU", "config": {}, "build_config": {"input_shape": "x"}}),
            "input_shape",
        ),
    ] {
        let err = layer_from_json(&entry).unwrap_err().to_string();
        assert!(err.contains(key), "{entry}: {err:?} should name {key}");
    }
}

#[test]
fn base_keys_and_both_object_spellings_are_read() {
    // Keras 3: a DTypePolicy dict; Keras 2: a dtype string. Both ignored.
    let keras3 = json!({
        "name": "re_lu", "trainable": true,
        "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
        "max_value": 6, "negative_slope": 0, "threshold": 0,
    });
    let keras2 = json!({"name": "re_lu", "trainable": false, "dtype": "float32", "max_value": 6.0});
    for config in [keras3, keras2] {
        match layer_from_config("ReLU", &config).unwrap() {
            AnyLayer::ReLU(l) => assert_eq!(l, ReLU::new(Some(6.0), 0.0, 0.0).unwrap()),
            other => panic!("{other:?}"),
        }
    }
    // Serialised objects, Keras 3 (module, registered_name) and Keras 2 (without),
    // and identifier strings.
    let layer = layer_from_config(
        "PReLU",
        &json!({
            "alpha_initializer": {"class_name": "GlorotUniform", "config": {"seed": 3}},
            "alpha_regularizer": {"module": "keras.regularizers", "class_name": "L1L2",
                                  "config": {"l1": 0.009999999776482582, "l2": 0.0}, "registered_name": null},
            "alpha_constraint": "non_neg",
            "shared_axes": 2,
        }),
    )
    .unwrap();
    let prelu = layer.as_prelu().unwrap();
    assert_eq!(prelu.initializer(), Initializer::glorot_uniform(Some(3)));
    assert_eq!(
        prelu.regularizer(),
        Some(Regularizer::l1_l2(0.01, 0.0).unwrap())
    );
    assert_eq!(prelu.constraint(), Some(&Constraint::non_neg()));
    assert_eq!(prelu.shared_axes(), &[2]);
    let config = prelu.to_keras_config();
    assert_eq!(
        config["alpha_initializer"],
        json!({"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": 3}, "registered_name": null})
    );
    assert_eq!(
        config["alpha_regularizer"]["config"],
        json!({"l1": 0.01, "l2": 0.0})
    );
    assert_eq!(config["shared_axes"], json!([2]));
    let layer = layer_from_config(
        "PReLU",
        &json!({
            "alpha_initializer": {"class_name": "VarianceScaling",
                                  "config": {"scale": 2.0, "mode": "fan_out", "distribution": "uniform", "seed": null}},
            "alpha_constraint": {"class_name": "MinMaxNorm",
                                 "config": {"min_value": 0.5, "max_value": 2, "rate": 0.5, "axis": [0, 1]}},
            "alpha_regularizer": "l2",
            "shared_axes": null,
        }),
    )
    .unwrap();
    let prelu = layer.as_prelu().unwrap();
    assert_eq!(
        prelu.initializer(),
        Initializer::variance_scaling(2.0, FanMode::FanOut, Distribution::Uniform, None).unwrap()
    );
    assert_eq!(
        prelu.constraint(),
        Some(&Constraint::min_max_norm(0.5, 2.0, 0.5, &[0, 1]).unwrap())
    );
    assert_eq!(prelu.regularizer(), Some(Regularizer::l2(0.01).unwrap()));
    assert!(prelu.shared_axes().is_empty());
    // A null initializer is Keras 3's add_weight default for floats.
    let layer = layer_from_config("PReLU", &json!({"alpha_initializer": null})).unwrap();
    assert_eq!(
        layer.as_prelu().unwrap().initializer(),
        Initializer::glorot_uniform(None)
    );
}

/// The same layer, parameter for parameter (PReLU: its config and alpha).
fn assert_same_layer(a: &AnyLayer, b: &AnyLayer) {
    match (a, b) {
        (AnyLayer::ReLU(a), AnyLayer::ReLU(b)) => assert_eq!(a, b),
        (AnyLayer::LeakyReLU(a), AnyLayer::LeakyReLU(b)) => assert_eq!(a, b),
        (AnyLayer::ELU(a), AnyLayer::ELU(b)) => assert_eq!(a, b),
        (AnyLayer::ThresholdedReLU(a), AnyLayer::ThresholdedReLU(b)) => assert_eq!(a, b),
        (AnyLayer::Softmax(a), AnyLayer::Softmax(b)) => assert_eq!(a, b),
        (AnyLayer::PReLU(a), AnyLayer::PReLU(b)) => {
            assert_eq!(a.initializer(), b.initializer());
            assert_eq!(a.regularizer(), b.regularizer());
            assert_eq!(a.constraint(), b.constraint());
            assert_eq!(a.shared_axes(), b.shared_axes());
        }
        (AnyLayer::Chain(a), AnyLayer::Chain(b)) => {
            assert_eq!(a.len(), b.len());
            a.iter().zip(b).for_each(|(a, b)| assert_same_layer(a, b));
        }
        (a, b) => panic!("{a:?} came back as {b:?}"),
    }
}

/// layer -> to_keras_json -> JSON text -> layer_from_json, then the same
/// parameters and the same GPU output, bit for bit, on `x` of `shape`.
fn round_trip(layer: &AnyLayer, shape: &[usize], x: &[f32]) {
    let text = serde_json::to_string(&layer.to_keras_json()).unwrap();
    let back = layer_from_json(&serde_json::from_str(&text).unwrap()).unwrap();
    assert_same_layer(layer, &back);
    assert_eq!(back.to_keras_json(), layer.to_keras_json(), "{text}");
    for l in [layer, &back] {
        if let Some(prelu) = l.as_prelu() {
            prelu.build(shape).unwrap();
        }
    }
    if let (Some(a), Some(b)) = (layer.as_prelu(), back.as_prelu()) {
        assert_eq!(
            a.alpha(),
            b.alpha(),
            "seeded initializers give the same alpha"
        );
    }
    let t = GpuTensor::from_slice(ctx(), shape, x).unwrap();
    let run = |l: &AnyLayer| {
        l.forward(ctx(), &t)
            .unwrap()
            .to_vec_blocking(ctx())
            .unwrap()
    };
    let (y, y_back) = (run(layer), run(&back));
    assert_eq!(
        y.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        y_back.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        "{text}"
    );
}

/// Any finite f32 that is not negative, from its bits (subnormals, huge values).
fn non_negative() -> impl Strategy<Value = f32> {
    prop_oneof![
        (0u32..0x7f80_0000).prop_map(f32::from_bits),
        (0.0f32..10.0),
        Just(0.0f32),
    ]
}

fn finite() -> impl Strategy<Value = f32> {
    (non_negative(), any::<bool>()).prop_map(|(v, neg)| if neg { -v } else { v })
}

fn seed() -> impl Strategy<Value = Option<u64>> {
    prop_oneof![Just(None), any::<u64>().prop_map(Some)]
}

fn initializer() -> impl Strategy<Value = Initializer> {
    let mode = prop_oneof![
        Just(FanMode::FanIn),
        Just(FanMode::FanOut),
        Just(FanMode::FanAvg)
    ];
    let dist = prop_oneof![
        Just(Distribution::TruncatedNormal),
        Just(Distribution::UntruncatedNormal),
        Just(Distribution::Uniform)
    ];
    prop_oneof![
        Just(Initializer::Zeros),
        Just(Initializer::Ones),
        (-4.0f32..4.0).prop_map(Initializer::Constant),
        (-1.0f32..1.0, 0.0f32..1.0, seed())
            .prop_map(|(m, s, seed)| Initializer::random_normal(m, s, seed).unwrap()),
        (-1.0f32..1.0, 0.0f32..1.0, seed())
            .prop_map(|(m, s, seed)| Initializer::truncated_normal(m, s, seed).unwrap()),
        (-1.0f32..0.0, 0.0f32..1.0, seed())
            .prop_map(|(lo, hi, seed)| Initializer::random_uniform(lo, hi, seed).unwrap()),
        (0.01f32..4.0, mode, dist, seed()).prop_map(|(scale, m, d, seed)| {
            Initializer::variance_scaling(scale, m, d, seed).unwrap()
        }),
        seed().prop_map(Initializer::glorot_uniform),
        seed().prop_map(Initializer::he_normal),
        seed().prop_map(Initializer::lecun_uniform),
    ]
}

fn regularizer() -> impl Strategy<Value = Option<Regularizer>> {
    prop_oneof![
        Just(None),
        non_negative().prop_map(|v| Some(Regularizer::l1(v).unwrap())),
        non_negative().prop_map(|v| Some(Regularizer::l2(v).unwrap())),
        (non_negative(), non_negative()).prop_map(|(a, b)| Some(Regularizer::l1_l2(a, b).unwrap())),
    ]
}

fn constraint() -> impl Strategy<Value = Option<Constraint>> {
    let axis = prop::collection::vec(-2i64..3, 1..3);
    prop_oneof![
        Just(None),
        Just(Some(Constraint::non_neg())),
        (finite(), axis.clone()).prop_map(|(m, a)| Some(Constraint::max_norm(m, &a).unwrap())),
        (0.0f32..1.0, 1.0f32..2.0, finite(), axis.clone())
            .prop_map(|(lo, hi, r, a)| Some(Constraint::min_max_norm(lo, hi, r, &a).unwrap())),
        axis.prop_map(|a| Some(Constraint::unit_norm(&a))),
    ]
}

fn prelu() -> impl Strategy<Value = AnyLayer> {
    (
        initializer(),
        regularizer(),
        constraint(),
        prop::sample::subsequence(vec![1i64, 2], 0..=2),
    )
        .prop_map(|(init, reg, constraint, shared)| {
            // Round trips compare alpha, so an unseeded initializer gets a seed here;
            // `None` seeds round-trip in the config test of each initializer.
            let init = match init {
                Initializer::Zeros | Initializer::Ones | Initializer::Constant(_) => init,
                other => other.with_seed(Some(7)),
            };
            let mut layer = PReLU::new()
                .with_initializer(init)
                .with_shared_axes(&shared);
            if let Some(reg) = reg {
                layer = layer.with_regularizer(reg);
            }
            if let Some(c) = constraint {
                layer = layer.with_constraint(c);
            }
            AnyLayer::from(layer)
        })
}

fn single_layer() -> impl Strategy<Value = AnyLayer> {
    prop_oneof![
        (
            prop::option::of(non_negative()),
            non_negative(),
            non_negative()
        )
            .prop_map(|(m, s, t)| ReLU::new(m, s, t).unwrap().into()),
        non_negative().prop_map(|s| LeakyReLU::new(s).unwrap().into()),
        finite().prop_map(|a| ELU::new(a).unwrap().into()),
        non_negative().prop_map(|t| ThresholdedReLU::new(t).unwrap().into()),
        prop::collection::vec(-3i64..3, 1..3).prop_map(|axes| {
            // Softmax axes must be distinct for the input to accept them.
            let mut axes = axes;
            axes.dedup_by_key(|a| a.rem_euclid(3));
            if axes.len() == 1 {
                Softmax::new(axes[0]).into()
            } else {
                Softmax::axes(&axes).into()
            }
        }),
        prelu(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn layers_round_trip_through_keras_configs(
        layer in single_layer(),
        x in prop::collection::vec(-8.0f32..8.0, 24),
    ) {
        round_trip(&layer, &[2, 3, 4], &x);
    }

    #[test]
    fn chains_round_trip_through_keras_configs(
        layers in prop::collection::vec(single_layer(), 0..4),
        x in prop::collection::vec(-8.0f32..8.0, 24),
    ) {
        round_trip(&AnyLayer::Chain(layers.into()), &[2, 3, 4], &x);
    }

    #[test]
    fn unseeded_initializers_round_trip(init in initializer()) {
        let layer = AnyLayer::from(PReLU::new().with_initializer(init));
        let back = layer_from_json(&layer.to_keras_json()).unwrap();
        prop_assert_eq!(back.as_prelu().unwrap().initializer(), init);
    }
}

#[test]
fn a_list_of_entries_runs_as_one_gpu_chain() {
    // Keras 3's `model.get_config()` of a Sequential, entries as Keras writes them.
    let model = json!({
        "class_name": "Sequential",
        "config": {
            "name": "sequential", "trainable": true, "dtype": "float32",
            "layers": [
                {"module": "keras.layers", "class_name": "PReLU", "registered_name": null,
                 "build_config": {"input_shape": [null, 3, 4]},
                 "config": {"name": "p_re_lu", "trainable": true,
                            "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                            "alpha_initializer": {"module": "keras.initializers", "class_name": "Constant", "config": {"value": 0.25}, "registered_name": null},
                            "alpha_regularizer": null, "alpha_constraint": null, "shared_axes": [1]}},
                {"module": "keras.layers", "class_name": "ReLU", "registered_name": null,
                 "config": {"max_value": 2.0, "negative_slope": 0.5, "threshold": 0.0}},
                {"module": "keras.layers", "class_name": "ELU", "registered_name": null, "config": {"alpha": 0.5}},
                {"module": "keras.layers", "class_name": "Softmax", "registered_name": null, "config": {"axis": [1, 2]}},
            ]
        }
    });
    let chain = layer_from_json(&model).unwrap();
    let AnyLayer::Chain(layers) = &chain else {
        panic!("{chain:?}")
    };
    assert_eq!(layers.len(), 4);
    // build_config built the PReLU, so Keras's weight can go straight in.
    let prelu = layers[0].as_prelu().unwrap();
    assert_eq!(prelu.alpha_shape(), Some(vec![1, 4]));
    assert_eq!(prelu.alpha(), Some(vec![0.25; 4]));
    prelu.load_alpha(&[1, 4], &[0.1, 0.2, 0.3, 0.4]).unwrap();
    let x: Vec<f32> = (0..24).map(|i| (i as f32 - 11.5) * 0.75).collect();
    // A context of its own: the other tests submit to the shared one meanwhile.
    let own = GpuContext::new_blocking().unwrap();
    let input = GpuTensor::from_slice(&own, &[2, 3, 4], &x).unwrap();
    let before = own.submissions();
    let y = chain.forward(&own, &input).unwrap();
    assert_eq!(
        own.submissions() - before,
        1,
        "one submission for the chain"
    );
    let gpu = y.to_vec_blocking(&own).unwrap();
    let t = GpuTensor::from_slice(ctx(), &[2, 3, 4], &x).unwrap();
    let cpu = chain.reference(&[2, 3, 4], &x).unwrap();
    assert_all_close("chain", &x, &gpu, &cpu, CHAIN);
    // Each batch item is one softmax over axes 1 and 2.
    for item in gpu.chunks(12) {
        assert!((item.iter().sum::<f32>() - 1.0).abs() < 1e-5, "{item:?}");
    }
    // The chain as a plain list of entries computes the same.
    let list = layer_from_json(&model["config"]["layers"]).unwrap();
    let AnyLayer::Chain(list_layers) = &list else {
        panic!("{list:?}")
    };
    list_layers[0]
        .as_prelu()
        .unwrap()
        .load_alpha(&[1, 4], &[0.1, 0.2, 0.3, 0.4])
        .unwrap();
    let again = list
        .forward(ctx(), &t)
        .unwrap()
        .to_vec_blocking(ctx())
        .unwrap();
    assert_eq!(again, gpu);
    // Keras 2's Sequential with an InputLayer: its shape builds the PReLU.
    let keras2 = json!({"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 5, 2], "dtype": "float32",
                                                 "sparse": false, "ragged": false, "name": "input_1"}},
        {"class_name": "PReLU", "config": {"name": "p", "trainable": true, "dtype": "float32",
                                           "alpha_initializer": {"class_name": "Ones", "config": {}},
                                           "alpha_regularizer": null, "alpha_constraint": null,
                                           "shared_axes": [1]}},
    ]}});
    let built = layer_from_json(&keras2).unwrap();
    let AnyLayer::Chain(built_layers) = &built else {
        panic!("{built:?}")
    };
    assert_eq!(built_layers.len(), 1, "the InputLayer computes nothing");
    let prelu = built_layers[0].as_prelu().unwrap();
    assert_eq!(prelu.weights(), Some((vec![1, 2], vec![1.0, 1.0])));
    // A Keras 3 Sequential's own build_config builds its PReLUs too.
    let keras3 = json!({"module": "keras", "class_name": "Sequential", "registered_name": null,
        "build_config": {"input_shape": [null, 4, 2]},
        "config": {"name": "s", "trainable": true, "dtype": "float32", "layers": [
            {"module": "keras.layers", "class_name": "PReLU", "registered_name": null,
             "config": {"alpha_initializer": "ones", "alpha_regularizer": null,
                        "alpha_constraint": null, "shared_axes": null}}]}});
    let AnyLayer::Chain(built_layers) = layer_from_json(&keras3).unwrap() else {
        panic!("a chain")
    };
    assert_eq!(
        built_layers[0].as_prelu().unwrap().alpha_shape(),
        Some(vec![4, 2])
    );
    // Written back, it is Keras 3's list of entries.
    let entries = chain.to_keras_json();
    assert_eq!(entries.as_array().unwrap().len(), 4);
    assert_eq!(
        entries[3],
        json!({"class_name": "Softmax", "config": {"axis": [1, 2]}})
    );
}

#[test]
fn masks_reach_every_softmax_through_any_layer() {
    let shape = [2, 5];
    let x: Vec<f32> = (0..10).map(|i| (i as f32 * 1.7).sin() * 3.0).collect();
    let mask_values = [1.0, 0.0, 1.0, 1.0, 0.0];
    let mask = GpuTensor::from_slice(ctx(), &[5], &mask_values).unwrap();
    // A single Softmax: the same as the concrete layer's masked forward.
    let single = layer_from_config("Softmax", &json!({"axis": -1})).unwrap();
    let t = GpuTensor::from_slice(ctx(), &shape, &x).unwrap();
    let direct = Softmax::new(-1)
        .forward_masked(ctx(), &t, Some(&mask))
        .unwrap()
        .to_vec_blocking(ctx())
        .unwrap();
    let through = run_checked("single", &single, &shape, &x, Some((&[5], &mask_values)));
    assert_eq!(through, direct);
    // A chain: the mask passes LeakyReLU by and reaches both Softmaxes.
    let chain = layer_from_json(&json!([
        {"class_name": "LeakyReLU", "config": {"alpha": 0.2}},
        {"class_name": "Softmax", "config": {"axis": -1}},
        {"class_name": "ELU", "config": {}},
        {"class_name": "Softmax", "config": {"axis": [1]}},
    ]))
    .unwrap();
    let y = run_checked("chain", &chain, &shape, &x, Some((&[5], &mask_values)));
    for (i, v) in y.iter().enumerate() {
        if mask_values[i % 5] == 0.0 {
            assert_eq!(*v, 0.0, "masked element {i}");
        } else {
            assert!(*v > 0.0, "kept element {i}: {v}");
        }
    }
    // Without the mask nothing is zeroed.
    let unmasked = run_checked("chain unmasked", &chain, &shape, &x, None);
    assert!(unmasked.iter().all(|v| *v > 0.0), "{unmasked:?}");
}

fn data(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

#[test]
fn npy_files_written_by_numpy_are_read() {
    // tests/data/make_npy.py wrote these with numpy 2.4.
    let (shape, alpha) = read_npy_file(data("prelu_alpha.npy")).unwrap();
    assert_eq!((shape, alpha), (vec![1, 3], vec![0.25, -0.5, 1.5]));
    let want = vec![-0.5, -0.25, 0.0, 0.25, 0.5, 0.75];
    assert_eq!(
        read_npy_file(data("fortran_f8_be.npy")).unwrap(),
        (vec![2, 3], want.clone())
    );
    assert_eq!(
        read_npy_file(data("v2_f4.npy")).unwrap(),
        (vec![2, 3], want)
    );
    assert_eq!(
        read_npy_file(data("scalar_f4.npy")).unwrap(),
        (vec![], vec![0.75])
    );
    let err = read_npy_file(data("int32.npy")).unwrap_err().to_string();
    assert!(err.contains("<i4") && err.contains("int32.npy"), "{err}");
    let err = read_npy_file(data("missing.npy")).unwrap_err().to_string();
    assert!(err.contains("missing.npy"), "{err}");
    // Our writer gives numpy's bytes exactly.
    let numpy = std::fs::read(data("prelu_alpha.npy")).unwrap();
    assert_eq!(write_npy(&[1, 3], &[0.25, -0.5, 1.5]).unwrap(), numpy);
}

#[test]
fn prelu_alpha_loads_from_npy_and_runs_on_the_gpu() {
    // A Keras 2 PReLU config for inputs (batch, h, 3) with alpha shared over h.
    let layer = layer_from_config(
        "PReLU",
        &json!({"name": "p", "trainable": true, "dtype": "float32",
                "alpha_initializer": {"class_name": "Zeros", "config": {}},
                "alpha_regularizer": null, "alpha_constraint": null, "shared_axes": [1]}),
    )
    .unwrap();
    let prelu = layer.as_prelu().unwrap();
    prelu.load_alpha_npy_file(data("prelu_alpha.npy")).unwrap();
    assert_eq!(prelu.weights(), Some((vec![1, 3], vec![0.25, -0.5, 1.5])));
    let x = [
        -2.0, -2.0, -2.0, 4.0, -4.0, 0.0, -1.0, 1.0, -1.0, 0.5, 0.5, -0.5,
    ];
    let y = run_checked("npy prelu", &layer, &[2, 2, 3], &x, None);
    assert_eq!(
        y,
        vec![-0.5, 1.0, -3.0, 4.0, 2.0, 0.0, -0.25, 1.0, -1.5, 0.5, 0.5, -0.75]
    );
    // And back out, as numpy would save it.
    assert_eq!(
        prelu.alpha_npy().unwrap(),
        std::fs::read(data("prelu_alpha.npy")).unwrap()
    );
    // A weight of the wrong shape for the built layer is refused.
    let err = rejection(prelu.load_alpha(&[3], &[1.0, 2.0, 3.0]));
    assert!(err.contains("[1, 3]") && err.contains("[3]"), "{err}");
    // An unbuilt PReLU sharing axis 1 cannot take alpha with a size > 1 there.
    let fresh = PReLU::new().with_shared_axes(&[1]);
    let err = rejection(fresh.load_alpha(&[2, 3], &[0.0; 6]));
    assert!(err.contains("shared_axes=[1]"), "{err}");
    assert!(
        fresh.load_alpha(&[1, 3], &[0.0; 2]).is_err(),
        "too few values"
    );
}

#[test]
fn npy_bytes_by_the_spec() {
    // Version 1.0 as numpy writes it: magic, version, u16 header length,
    // a dict padded with spaces to a 64-byte boundary and ended by '\n'.
    let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
    let mut header = dict.to_string();
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    for v in [1.0f32, 2.0, 3.0, 4.0] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    assert_eq!(bytes.len() % 16, 0);
    assert_eq!(write_npy(&[2, 2], &[1.0, 2.0, 3.0, 4.0]).unwrap(), bytes);
    assert_eq!(
        read_npy(&bytes).unwrap(),
        (vec![2, 2], vec![1.0, 2.0, 3.0, 4.0])
    );
    // Shape (n,) and () as numpy spells them.
    assert!(
        String::from_utf8_lossy(&write_npy(&[3], &[0.0; 3]).unwrap()).contains("'shape': (3,)")
    );
    assert!(String::from_utf8_lossy(&write_npy(&[], &[5.0]).unwrap()).contains("'shape': ()"));
    assert_eq!(
        read_npy(&write_npy(&[], &[5.0]).unwrap()).unwrap(),
        (vec![], vec![5.0])
    );
    // Broken files say what is wrong.
    let cases: [(&[u8], &str); 4] = [
        (b"\x93NUMPX\x01\x00\x00\x00", "magic"),
        (&bytes[..bytes.len() - 1], "needs 16 bytes"),
        (&bytes[..40], "past the end"),
        (b"\x93NUMPY\x04\x00\x00\x00", "version 4.0"),
    ];
    for (bad, why) in cases {
        let err = read_npy(bad).unwrap_err().to_string();
        assert!(err.contains(why), "{err:?} should say {why:?}");
    }
    let mut bad_header = bytes.clone();
    let at = bad_header.windows(5).position(|w| w == b"False").unwrap();
    bad_header[at..at + 5].copy_from_slice(b"Maybe");
    assert!(read_npy(&bad_header)
        .unwrap_err()
        .to_string()
        .contains("fortran_order"));
}

/// Keras's PReLU indexes alpha with Python list indexing (`shared_axes=0`
/// shares the last axis, `-1` the one before) but pins every input axis not
/// listed as written: built on (2, 3, 4, 5) with `shared_axes=0` it has alpha
/// (3, 4, 1) and accepts (_, 3, 4, 5). Loaded from that alpha alone, the
/// layer takes the pinned size of such an axis from its first input, on the
/// GPU and on the CPU alike.
#[test]
fn load_alpha_with_python_indexed_shared_axes_runs_on_what_keras_accepts() {
    let errors = golden_errors();
    let x: Vec<f32> = (0..120).map(|i| (i % 7) as f32 - 4.0).collect();
    for (axes, what) in [
        (0i64, "PReLU(shared_axes=0) on rank-4: alpha shape"),
        (-1, "PReLU(shared_axes=-1) on rank-4: alpha shape"),
    ] {
        let alpha_shape = json_shape(&errors_entry(&errors, "keras3", what)["result"]);
        let n: usize = alpha_shape.iter().product();
        let alpha: Vec<f32> = (0..n).map(|i| 0.125 * i as f32 - 0.5).collect();
        let layer = layer_from_config("PReLU", &json!({ "shared_axes": axes })).unwrap();
        let prelu = layer.as_prelu().unwrap();
        prelu.load_alpha(&alpha_shape, &alpha).unwrap();
        // The same as a layer built on Keras's input shape, then given alpha.
        let built = PReLU::new().with_shared_axes(&[axes]);
        built.build(&[2, 3, 4, 5]).unwrap();
        assert_eq!(built.alpha_shape(), Some(alpha_shape.clone()), "{what}");
        built.set_alpha(&alpha).unwrap();
        let want = built.reference(&[2, 3, 4, 5], &x).unwrap();
        let y = run_checked(what, &layer, &[2, 3, 4, 5], &x, None);
        assert_eq!(y, want, "{what}");
        // Now pinned as Keras pins it: the batch may change, no other axis.
        assert_eq!(
            prelu.reference(&[1, 3, 4, 5], &x[..60]).unwrap(),
            want[..60]
        );
        let err = rejection(prelu.reference(&[2, 3, 4, 6], &[1.0; 144]));
        assert!(err.contains("axis 3"), "{what}: {err}");
        let err = rejection(prelu.reference(&[2, 3, 5, 5], &[1.0; 150]));
        assert!(err.contains("axis 2"), "{what}: {err}");
        // An unbuilt layer fixes the size on the CPU path too, and the rank
        // stays checked.
        let fresh = PReLU::new().with_shared_axes(&[axes]);
        fresh.load_alpha(&alpha_shape, &alpha).unwrap();
        assert_eq!(fresh.reference(&[2, 3, 4, 5], &x).unwrap(), want, "{what}");
        assert!(
            fresh.reference(&[2, 3, 4, 4], &[1.0; 96]).is_err(),
            "{what}"
        );
        let fresh = PReLU::new().with_shared_axes(&[axes]);
        fresh.load_alpha(&alpha_shape, &alpha).unwrap();
        assert!(fresh.reference(&[2, 3, 4], &[1.0; 24]).is_err(), "{what}");
    }
    // Listed as written, an axis stays free: shared_axes [0, 3] on rank 4
    // share the last axis twice, and Keras leaves axis 3 unpinned.
    let prelu = PReLU::new().with_shared_axes(&[0, 3]);
    prelu.load_alpha(&[3, 4, 1], &[0.5; 12]).unwrap();
    prelu.reference(&[2, 3, 4, 5], &[-1.0; 120]).unwrap();
    prelu.reference(&[2, 3, 4, 7], &[-1.0; 168]).unwrap();
}

/// Keras validates ReLU's, LeakyReLU's and ThresholdedReLU's arguments on
/// the Python float: a negative value too small for f32 (rounding to -0.0)
/// is still negative. ELU accepts negatives, and -0.0 itself passes.
#[test]
fn negative_config_values_that_round_to_negative_zero_are_rejected() {
    for (class, key) in [
        ("ReLU", "max_value"),
        ("ReLU", "negative_slope"),
        ("ReLU", "threshold"),
        ("LeakyReLU", "negative_slope"),
        ("LeakyReLU", "alpha"),
        ("ThresholdedReLU", "theta"),
    ] {
        for value in [json!(-1e-50), json!(-1e300), json!(-1)] {
            let config = json!({ key: value });
            let err = rejection(layer_from_config(class, &config));
            assert!(
                err.contains(&format!("{key}={value}"))
                    && (err.contains("negative") || err.contains(">=0")),
                "{class} {config}: {err}"
            );
            let err = layer_from_config(class, &config).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidArgument { argument, .. } if *argument == key),
                "{class} {config}: {err:?}"
            );
        }
        layer_from_config(class, &json!({ key: -0.0 })).unwrap();
    }
    // Keras 3's exact message, with the value as Python prints it.
    assert_eq!(
        rejection(layer_from_config("ReLU", &json!({"threshold": -1e-50}))),
        "threshold of a ReLU layer cannot be None or a negative value. Received: threshold=-1e-50"
    );
    let elu = layer_from_config("ELU", &json!({"alpha": -1e-50})).unwrap();
    assert_eq!(elu.to_keras_config(), json!({"alpha": -0.0}));
}

/// A compiled Keras 3 model's `to_json()` carries `build_config` and
/// `compile_config` beside its config, and Keras 2's carries `keras_version`
/// and `backend`; both load. Unknown keys still do not, nor do the model's
/// keys on a layer entry.
#[test]
fn model_json_with_compile_and_build_config_loads() {
    let layers = json!([
        {"module": "keras.layers", "class_name": "ReLU", "registered_name": null,
         "build_config": {"input_shape": [null, 3]},
         "config": {"name": "re_lu", "trainable": true,
                    "dtype": {"module": "keras", "class_name": "DTypePolicy",
                              "config": {"name": "float32"}, "registered_name": null},
                    "max_value": 6.0, "negative_slope": 0.0, "threshold": 0.0}}
    ]);
    let keras3 = json!({
        "module": "keras", "class_name": "Sequential", "registered_name": null,
        "config": {"name": "sequential", "trainable": true, "dtype": null, "layers": layers},
        "build_config": {"input_shape": [null, 3]},
        "compile_config": {"optimizer": "rmsprop", "loss": "mse", "loss_weights": null,
                           "metrics": null, "weighted_metrics": null, "run_eagerly": false,
                           "steps_per_execution": 1, "jit_compile": false},
    });
    let model = layer_from_json(&keras3).unwrap();
    assert_eq!(
        model.reference(&[1, 3], &[-1.0, 3.0, 9.0]).unwrap(),
        vec![0.0, 3.0, 6.0]
    );
    let keras2 = json!({"class_name": "Sequential", "keras_version": "2.15.0",
        "backend": "tensorflow",
        "config": {"name": "sequential", "layers": [
            {"class_name": "ReLU", "config": {"name": "re_lu", "max_value": 6.0}}]}});
    assert_eq!(
        layer_from_json(&keras2)
            .unwrap()
            .reference(&[1, 1], &[9.0])
            .unwrap(),
        vec![6.0]
    );
    let mut unknown = keras3.clone();
    unknown["optimizer_config"] = json!({});
    let err = rejection(layer_from_json(&unknown));
    assert!(err.contains("optimizer_config"), "{err}");
    let entry = json!({"class_name": "ReLU", "config": {}, "compile_config": {}});
    let err = rejection(layer_from_json(&entry));
    assert!(err.contains("compile_config"), "{err}");
}
