//! `keras.activations` through Keras's `Activation` layer, against real
//! Keras: every case of tests/data/activations.json (a copy of
//! ../shared/keras/activations.json, Keras 3.15.1 on JAX) whose function the
//! crate runs, forward and backward, read through the layer's Keras config.
//! A case whose function the crate does not run yet must be refused with
//! the error that says so, so a function added to the table is tested here
//! without a new line.
//!
//! Forward: the "exact" cases bit for bit (a flushed subnormal allowed).
//! Backward: `d_input` against `dx` for `dy = w` (the cases' loss is
//! `sum(outputs * w)`), equal as values: where the derivative is 0 the
//! crate computes the IEEE product `dy * 0` (README, "Backward"), whose
//! zero takes `dy`'s sign, while JAX selects a +0. Where `x` is NaN the
//! crate's `dx` is NaN (README: NaN is never hidden), where JAX's
//! subgradient gives 0.

// Native: blocks on the GPU; the browser runs tests/browser.rs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{assert_all_close, assert_each, ctx, json_f32s, json_shape, Tolerance};
use serde_json::Value;
use wgpu_activations::keras::{layer_from_config, AnyLayer};
use wgpu_activations::{Activation, GpuTensor, Layer};

fn cases() -> Vec<Value> {
    serde_json::from_str(include_str!("data/activations.json"))
        .expect("tests/data/activations.json is valid JSON")
}

/// The case's layer from its Keras config, or `None` where the crate does
/// not run the function yet (which must be the error that says so).
fn layer(case: &Value) -> Option<AnyLayer> {
    match layer_from_config("Activation", &case["config"]) {
        Ok(layer) => Some(layer),
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.contains("does not run yet"),
                "{}: {text}",
                case["name"]
            );
            None
        }
    }
}

#[test]
fn activation_layer_cases_match_keras() {
    let mut ran = Vec::new();
    for case in cases() {
        if case["call"] != "layer" || case["layer"] != "Activation" {
            continue;
        }
        let Some(layer) = layer(&case) else { continue };
        let name = case["name"].as_str().unwrap().to_string();
        assert_eq!(
            case["tolerance_class"], "exact",
            "{name}: only exact cases run so far; give this class its bound"
        );
        let shape = json_shape(&case["input_shape"]);
        let x = json_f32s(&case["input"]);
        let want = json_f32s(&case["output"]);
        let input = GpuTensor::from_slice(ctx(), &shape, &x).unwrap();
        let got = layer
            .forward(ctx(), &input)
            .unwrap()
            .to_vec_blocking(ctx())
            .unwrap();
        assert_all_close(&name, &x, &got, &want, Tolerance::Exact);
        assert_all_close(
            &format!("{name} (CPU twin)"),
            &x,
            &layer.reference(&shape, &x).unwrap(),
            &want,
            Tolerance::Exact,
        );

        let w = json_f32s(&case["grads"]["w"]);
        let want_dx = json_f32s(&case["grads"]["d_input"]);
        let dy = GpuTensor::from_slice(ctx(), &shape, &w).unwrap();
        let dx = layer
            .backward(ctx(), &input, &dy)
            .unwrap()
            .to_vec_blocking(ctx())
            .unwrap();
        let same = |i: usize, got: f32, want: f32| {
            if x[i].is_nan() {
                got.is_nan()
            } else {
                got == want || (got.is_nan() && want.is_nan())
            }
        };
        assert_each(&format!("{name} backward"), &dx, &want_dx, same);
        let cpu_dx = layer.reference_backward(&shape, &x, &w).unwrap();
        assert_each(
            &format!("{name} backward (CPU twin)"),
            &cpu_dx,
            &want_dx,
            same,
        );
        ran.push(name);
    }
    // relu6's four cases (edge values, rank 2, rank 3, non-finite) at least.
    assert!(
        ran.iter().filter(|n| n.starts_with("relu6")).count() >= 4,
        "ran {ran:?}"
    );
}

#[test]
fn activation_names_are_read_as_keras_reads_them() {
    // A Keras function the crate does not run yet, and a typo (Keras's words).
    let later = Activation::new("gelu").unwrap_err().to_string();
    assert!(later.contains("gelu") && later.contains("relu6"), "{later}");
    let typo = Activation::new("relu7").unwrap_err().to_string();
    assert_eq!(
        typo,
        "Could not interpret activation function identifier: relu7"
    );
    // The config round trip, and what the layer reports.
    let layer = layer_from_config(
        "Activation",
        &serde_json::json!({"activation": "relu6", "name": "a"}),
    )
    .unwrap();
    assert_eq!(layer.class_name(), "Activation");
    assert_eq!(layer.to_keras_json()["config"]["activation"], "relu6");
    assert!(layer_from_config("Activation", &serde_json::json!({})).is_err());
    assert!(layer_from_config("Activation", &serde_json::json!({"activation": 3})).is_err());
}
