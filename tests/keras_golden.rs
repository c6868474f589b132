//! The five elementwise layers against real Keras: every golden case in
//! tests/data/cases.json (a copy of ../shared/keras/cases.json) and every
//! rejection in tests/data/errors.json.

// Native: blocks on the GPU; the browser runs tests/browser.rs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{
    assert_all_close, ctx, golden_cases, golden_errors, json_f32s, json_shape, keras_close,
    Tolerance,
};
use serde_json::Value;
use wgpu_activations::{Error, GpuTensor, Layer, LeakyReLU, PReLU, ReLU, ThresholdedReLU, ELU};

/// A float argument from `keras2_args`, or Keras's default when absent.
fn arg(args: &Value, name: &str, default: f32) -> f32 {
    args.get(name)
        .and_then(Value::as_f64)
        .map_or(default, |v| v as f32)
}

/// Builds the case's layer from its Keras 2 arguments (and PReLU weights).
fn layer_for(case: &Value) -> Option<Box<dyn Layer>> {
    let args = &case["keras2_args"];
    let layer: Box<dyn Layer> = match case["layer"].as_str()? {
        "ReLU" => Box::new(
            ReLU::new(
                args.get("max_value")
                    .and_then(Value::as_f64)
                    .map(|v| v as f32),
                arg(args, "negative_slope", 0.0),
                arg(args, "threshold", 0.0),
            )
            .unwrap(),
        ),
        "LeakyReLU" => Box::new(LeakyReLU::from_alpha(arg(args, "alpha", 0.3)).unwrap()),
        "ELU" => Box::new(ELU::new(arg(args, "alpha", 1.0)).unwrap()),
        "ThresholdedReLU" => Box::new(ThresholdedReLU::new(arg(args, "theta", 1.0)).unwrap()),
        "PReLU" => Box::new(common::prelu_from_case(case)),
        _ => return None,
    };
    Some(layer)
}

#[test]
fn every_elementwise_golden_case_matches_keras() {
    let mut checked = 0;
    for case in golden_cases() {
        let Some(layer) = layer_for(&case) else {
            continue;
        };
        let name = case["name"].as_str().unwrap();
        let shape = json_shape(&case["input_shape"]);
        let input = json_f32s(&case["input"]);
        let x = GpuTensor::from_slice(ctx(), &shape, &input).unwrap();
        let gpu = layer
            .forward(ctx(), &x)
            .unwrap()
            .to_vec_blocking(ctx())
            .unwrap();
        let cpu = layer.reference(&shape, &input).unwrap();
        let tol = if layer.class_name() == "ELU" {
            Tolerance::Ulps(4)
        } else {
            Tolerance::Exact
        };
        assert_all_close(name, &input, &gpu, &cpu, tol);

        common::assert_matches_keras(name, &case, &input, &gpu);
        checked += 1;
    }
    // 43 ReLU + 7 LeakyReLU + 7 ELU + 7 ThresholdedReLU + 10 PReLU.
    assert_eq!(checked, 74, "golden cases for the five elementwise layers");
}

/// The message Keras raised for `what`, from errors.json.
fn keras_message<'a>(errors: &'a Value, version: &str, what: &str) -> &'a str {
    errors[version]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["what"] == what)
        .unwrap_or_else(|| panic!("errors.json has no {version} entry {what:?}"))["message"]
        .as_str()
        .unwrap()
}

fn message(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Err(e @ Error::InvalidArgument { .. }) | Err(e @ Error::Shape(_)) => e.to_string(),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn keras3_rejections_give_keras3_messages() {
    let errors = golden_errors();
    let cases: [(&str, Result<ReLU, Error>); 3] = [
        ("ReLU(max_value=-1.0)", ReLU::new(Some(-1.0), 0.0, 0.0)),
        ("ReLU(negative_slope=-0.1)", ReLU::new(None, -0.1, 0.0)),
        ("ReLU(threshold=-0.5)", ReLU::new(None, 0.0, -0.5)),
    ];
    for (what, result) in cases {
        assert_eq!(
            message(result),
            keras_message(&errors, "keras3", what),
            "{what}"
        );
    }
    let what = "LeakyReLU(negative_slope=-0.1)";
    assert_eq!(
        message(LeakyReLU::new(-0.1)),
        keras_message(&errors, "keras3", what)
    );
}

#[test]
fn keras2_rejections_name_the_argument_and_value() {
    let errors = golden_errors();
    let keras = keras_message(&errors, "keras2", "ThresholdedReLU(theta=-0.5)");
    let ours = message(ThresholdedReLU::new(-0.5));
    assert!(
        keras.contains("theta value") && ours.contains("theta value") && ours.contains("-0.5"),
        "{ours}"
    );
    // Keras 2 accepted a negative LeakyReLU alpha; Keras 3 semantics reject it, naming `alpha`.
    let ours = message(LeakyReLU::from_alpha(-0.1));
    assert!(ours.contains("alpha=-0.1"), "{ours}");
}

#[test]
fn what_keras_allows_is_allowed() {
    let errors = golden_errors();
    let x = GpuTensor::from_slice(ctx(), &[2, 3], &[-1.0, 0.5, 2.0, 3.0, -0.0, 7.0]).unwrap();
    // ReLU(max_value=0.0) is allowed and gives zeros.
    let zeros = ReLU::new(Some(0.0), 0.0, 0.0)
        .unwrap()
        .forward(ctx(), &x)
        .unwrap();
    let expected: Vec<f32> = errors["keras3"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["what"] == "ReLU(max_value=0.0) (allowed)")
        .unwrap()["result"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(json_f32s)
        .collect();
    assert_eq!(zeros.to_vec_blocking(ctx()).unwrap(), expected);
    // ELU(alpha=-1.0) is allowed: Keras 2 gives [0.63212055, 1.0] for [-1, 1].
    let y = ELU::new(-1.0)
        .unwrap()
        .forward(
            ctx(),
            &GpuTensor::from_slice(ctx(), &[2], &[-1.0, 1.0]).unwrap(),
        )
        .unwrap();
    let y = y.to_vec_blocking(ctx()).unwrap();
    assert!(
        keras_close(y[0], 0.632_120_55, 1e-6, 1e-5) && y[1] == 1.0,
        "{y:?}"
    );
    // ThresholdedReLU(theta=0) is allowed.
    assert!(ThresholdedReLU::new(0.0).is_ok());
}

#[test]
fn prelu_shared_axes_follow_keras_indexing() {
    let errors = golden_errors();
    let shape_for = |what: &str| -> Vec<usize> {
        json_shape(
            &errors["keras3"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["what"] == what)
                .unwrap()["result"],
        )
    };
    let built = |axes: &[i64]| {
        let p = PReLU::new().with_shared_axes(axes);
        p.build(&[2, 3, 4, 5]).map(|()| p.alpha_shape().unwrap())
    };
    assert_eq!(
        built(&[0]).unwrap(),
        shape_for("PReLU(shared_axes=0) on rank-4: alpha shape")
    );
    assert_eq!(
        built(&[-1]).unwrap(),
        shape_for("PReLU(shared_axes=-1) on rank-4: alpha shape")
    );
    let err = message(built(&[4]));
    assert!(
        err.contains("shared_axes") && err.contains("[4]") && err.contains("rank 4"),
        "{err}"
    );
    assert_eq!(
        keras_message(&errors, "keras3", "PReLU(shared_axes=[4]) on rank-4"),
        "list assignment index out of range"
    );

    // Built (2,3,4,5) with [1,2], called (1,6,7,5): shared axes may vary.
    let p = PReLU::new().with_shared_axes(&[1, 2]);
    p.build(&[2, 3, 4, 5]).unwrap();
    let x = GpuTensor::from_slice(ctx(), &[1, 6, 7, 5], &vec![-1.0; 210]).unwrap();
    assert_eq!(
        p.forward(ctx(), &x).unwrap().shape(),
        shape_for("PReLU(shared_axes=[1,2]) built (2,3,4,5) then called (1,6,7,5)")
    );
    // Built (2,3,4,5) without shared axes, called (2,3,4,6): rejected.
    let p = PReLU::new();
    p.build(&[2, 3, 4, 5]).unwrap();
    let x = GpuTensor::from_slice(ctx(), &[2, 3, 4, 6], &vec![1.0; 144]).unwrap();
    let err = message(p.forward(ctx(), &x));
    assert!(
        err.contains("[3, 4, 5]") && err.contains("[2, 3, 4, 6]"),
        "{err}"
    );
}
