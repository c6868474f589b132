//! Training PReLU's alpha on the GPU: the alpha gradient against real Keras
//! (`grads` in the golden cases) and against an f64 CPU reference, the
//! initializers through the layer, regularizers, constraints, the SGD step,
//! and an end-to-end fit that recovers a known alpha.
//!
//! Tolerances: `d_alpha` within `64 eps * sum |dy min(x, 0)|` (f32 partial sums
//! in a tree against f64); penalties within `16 eps` relative; constraints
//! within 8 ulps of the f64-norm reference; the SGD step within 1 ulp (a
//! driver may fuse `w - lr * g` into one rounding).

#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{
    assert_all_close, assert_each, assert_tensor_close, ctx, golden_cases, json_f32s, json_shape,
    keras_close, Tolerance,
};
use proptest::prelude::*;
use serde_json::json;
use wgpu_activations::keras::layer_from_config;
use wgpu_activations::training::{mean_squared_error_gradient, Constraint, Regularizer, Sgd};
use wgpu_activations::{cpu, Error, GpuTensor, Initializer, Layer, PReLU};

/// Asserts `got` is within `64 eps * scale[i]` of `want` (plus the smallest normal).
#[track_caller]
fn assert_sums_close(what: &str, got: &[f32], want: &[f32], scale: &[f64]) {
    assert_eq!(scale.len(), want.len(), "{what}: one scale per element");
    assert_each(&format!("{what} (64 eps x scale)"), got, want, |i, g, w| {
        let bound = 64.0 * f64::from(f32::EPSILON) * scale[i] + f64::from(f32::MIN_POSITIVE);
        let err = (f64::from(g) - f64::from(w)).abs();
        err <= bound || (g.is_nan() && w.is_nan()) || {
            eprintln!("{what}: element {i}: bound {bound:e}");
            false
        }
    });
}

/// `sum |dy * min(x, 0)|` per alpha element: the scale of the alpha gradient's rounding.
fn alpha_scale(shape: &[usize], x: &[f32], dy: &[f32], alpha_shape: &[usize]) -> Vec<f64> {
    let abs_x: Vec<f32> = x.iter().map(|v| -v.abs()).collect();
    let abs_dy: Vec<f32> = dy.iter().map(|v| v.abs()).collect();
    cpu::prelu_alpha_gradient(shape, &abs_x, &abs_dy, alpha_shape)
        .unwrap()
        .into_iter()
        .map(|v| f64::from(v).abs())
        .collect()
}

#[test]
fn prelu_gradients_match_keras() {
    let mut checked = 0;
    for case in golden_cases().iter().filter(|c| c.get("grads").is_some()) {
        let name = case["name"].as_str().unwrap();
        let prelu = common::prelu_from_case(case);
        let shape = json_shape(&case["input_shape"]);
        let input = json_f32s(&case["input"]);
        let ones = vec![1.0f32; input.len()];
        let x = GpuTensor::from_slice(ctx(), &shape, &input).unwrap();
        let dy = GpuTensor::from_slice(ctx(), &shape, &ones).unwrap();
        let grads = prelu.gradients(ctx(), &x, &dy).unwrap();
        assert_eq!(grads.dx.shape(), shape, "{name}: d_input shape");
        let alpha_shape = prelu.alpha_shape().unwrap();
        assert_eq!(grads.d_alpha.shape(), alpha_shape, "{name}: d_alpha shape");
        let (atol, rtol) = (
            case["tolerance"]["atol"].as_f64().unwrap(),
            case["tolerance"]["rtol"].as_f64().unwrap(),
        );
        for (what, tensor) in [("d_input", &grads.dx), ("d_alpha", &grads.d_alpha)] {
            let mut want = json_f32s(&case["grads"][what]);
            if what == "d_input" {
                // The crate's NaN policy (documented): NaN in x gives NaN in dx,
                // where JAX's relu'(NaN) = 0 hides it.
                for (w, x) in want.iter_mut().zip(&input) {
                    if x.is_nan() {
                        *w = f32::NAN;
                    }
                }
            }
            let got = tensor.to_vec_blocking(ctx()).unwrap();
            let label = format!("{name}: {what} (Keras, atol {atol}, rtol {rtol})");
            assert_each(&label, &got, &want, |_, g, w| keras_close(g, w, atol, rtol));
        }
        checked += 1;
    }
    assert_eq!(checked, 10, "the golden data has 10 PReLU cases with grads");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn alpha_gradient_matches_cpu(
        (shape, x, dy) in prop::collection::vec(1usize..7, 2..=5)
            .prop_flat_map(|s| {
                let n: usize = s.iter().product();
                (Just(s), prop::collection::vec(-4.0f32..4.0, n), prop::collection::vec(-2.0f32..2.0, n))
            }),
        shared in prop::collection::vec(1i64..5, 0..4),
    ) {
        let shared: Vec<i64> = shared.into_iter().filter(|&a| (a as usize) < shape.len()).collect();
        let prelu = PReLU::new().with_shared_axes(&shared);
        let xt = GpuTensor::from_slice(ctx(), &shape, &x).unwrap();
        let dyt = GpuTensor::from_slice(ctx(), &shape, &dy).unwrap();
        let gpu = prelu.alpha_gradient(ctx(), &xt, &dyt).unwrap();
        let alpha_shape = prelu.alpha_shape().unwrap();
        prop_assert_eq!(gpu.shape(), alpha_shape.as_slice());
        let want = cpu::prelu_alpha_gradient(&shape, &x, &dy, &alpha_shape).unwrap();
        assert_sums_close("d_alpha", &gpu.to_vec_blocking(ctx()).unwrap(), &want, &alpha_scale(&shape, &x, &dy, &alpha_shape));
    }

    #[test]
    fn constraints_match_cpu(
        (shape, w) in prop::collection::vec(1usize..6, 1..=3)
            .prop_flat_map(|s| {
                let n: usize = s.iter().product();
                (Just(s), prop::collection::vec(-3.0f32..3.0, n))
            }),
        kind in 0usize..4,
        axis in -3i64..3,
        // lo above hi in a quarter of the cases: Keras accepts it.
        (lo, hi, rate) in (0.0f32..4.0, 1.0f32..3.0, 0.0f32..1.0),
    ) {
        let rank = shape.len() as i64;
        let axis = axis.rem_euclid(rank) - if axis < 0 { rank } else { 0 };
        let constraint = match kind {
            0 => Constraint::non_neg(),
            1 => Constraint::max_norm(hi, &[axis]).unwrap(),
            2 => Constraint::min_max_norm(lo, hi, rate, &[axis]).unwrap(),
            _ => Constraint::unit_norm(&[axis]),
        };
        // alpha of this shape: a PReLU built on [1, shape...].
        let mut input_shape = vec![1];
        input_shape.extend(&shape);
        let prelu = PReLU::new().with_constraint(constraint.clone());
        prelu.build(&input_shape).unwrap();
        prelu.set_alpha(&w).unwrap();
        prelu.apply_constraint(ctx()).unwrap();
        prop_assert!(prelu.alpha().is_none(), "the host copy is stale after a GPU update");
        let got = prelu.read_alpha_blocking(ctx()).unwrap();
        let want = constraint.apply_reference(&shape, &w).unwrap();
        assert_all_close(&format!("{constraint:?}"), &w, &got, &want, Tolerance::Ulps(8));
        prop_assert_eq!(prelu.alpha(), Some(got));
    }

    #[test]
    fn sgd_step_matches_cpu(
        w in prop::collection::vec(-3.0f32..3.0, 1..50),
        lr in 0.0f32..2.0,
        seed in 0u32..1000,
    ) {
        let n = w.len();
        let grad: Vec<f32> = (0..n).map(|i| ((i as u32 * 31 + seed) % 23) as f32 / 7.0 - 1.5).collect();
        let prelu = PReLU::new();
        prelu.build(&[1, n]).unwrap();
        prelu.set_alpha(&w).unwrap();
        let sgd = Sgd::new(lr).unwrap();
        sgd.step(ctx(), &prelu, &GpuTensor::from_slice(ctx(), &[n], &grad).unwrap()).unwrap();
        let got = prelu.read_alpha_blocking(ctx()).unwrap();
        assert_all_close("sgd", &w, &got, &sgd.step_reference(&w, &grad), Tolerance::Ulps(1));
    }
}

#[test]
fn regularizers_add_their_penalty_and_gradient() {
    let alpha = [-2.0f32, 0.0, 0.5, 3.0, -0.25, 1.0];
    for regularizer in [
        Regularizer::by_name("l1").unwrap(),
        Regularizer::by_name("l2").unwrap(),
        Regularizer::l1_l2(0.01, 0.01).unwrap(),
        Regularizer::l1_l2(0.3, 0.7).unwrap(),
    ] {
        let prelu = PReLU::new().with_regularizer(regularizer);
        prelu.build(&[2, 6]).unwrap();
        prelu.set_alpha(&alpha).unwrap();
        // By hand: sum |a| = 6.75, sum a^2 = 14.3125.
        let (l1, l2) = regularizer.factors();
        let by_hand = l1 * 6.75 + l2 * 14.3125;
        let penalty = prelu.regularization_penalty(ctx()).unwrap();
        assert_eq!(penalty.shape(), [1], "{regularizer:?}: penalty shape");
        let penalty = penalty.to_vec_blocking(ctx()).unwrap();
        assert_each(
            &format!("{regularizer:?}: penalty (16 eps relative)"),
            &penalty,
            &[by_hand],
            |_, g, w| (g - w).abs() <= 16.0 * f32::EPSILON * w,
        );
        let reference = regularizer.penalty_reference(&alpha);
        assert!(
            (reference - by_hand).abs() <= 2.0 * f32::EPSILON * by_hand,
            "{reference} vs {by_hand}"
        );

        let x: Vec<f32> = (0..12).map(|i| i as f32 - 6.0).collect();
        let dy = vec![0.5f32; 12];
        let xt = GpuTensor::from_slice(ctx(), &[2, 6], &x).unwrap();
        let dyt = GpuTensor::from_slice(ctx(), &[2, 6], &dy).unwrap();
        let got = prelu
            .alpha_gradient(ctx(), &xt, &dyt)
            .unwrap()
            .to_vec_blocking(ctx())
            .unwrap();
        let data = cpu::prelu_alpha_gradient(&[2, 6], &x, &dy, &[6]).unwrap();
        let want: Vec<f32> = data
            .iter()
            .zip(regularizer.gradient_reference(&alpha))
            .map(|(d, r)| d + r)
            .collect();
        let scale: Vec<f64> = want.iter().map(|v| f64::from(v.abs()) + 10.0).collect();
        assert_sums_close(&format!("{regularizer:?} gradient"), &got, &want, &scale);
    }
    // Without a regularizer the penalty is 0 and the gradient is the data's alone.
    let prelu = PReLU::new();
    prelu.build(&[1, 2]).unwrap();
    let penalty = prelu.regularization_penalty(ctx()).unwrap();
    assert_tensor_close("no penalty", &penalty, &[1], &[], &[0.0], Tolerance::Exact);
    assert!(Regularizer::l2(f32::NAN).is_err());
    assert!(Regularizer::by_name("l3")
        .unwrap_err()
        .to_string()
        .contains("l3"));
}

#[test]
fn sgd_applies_the_constraint_after_the_step() {
    let prelu = PReLU::new().with_constraint(Constraint::non_neg());
    prelu.build(&[1, 3]).unwrap();
    prelu.set_alpha(&[0.5, 0.5, 0.5]).unwrap();
    let grad = GpuTensor::from_slice(ctx(), &[3], &[1.0, -1.0, 0.25]).unwrap();
    Sgd::new(1.0).unwrap().step(ctx(), &prelu, &grad).unwrap();
    let alpha = prelu.read_alpha_blocking(ctx()).unwrap();
    // Keras's NonNeg is `w * (w >= 0)`: the step's -0.5 becomes -0.5 * 0 = -0.0.
    let want = [-0.0, 1.5, 0.25];
    assert_all_close(
        "alpha after the step",
        &[0.5; 3],
        &alpha,
        &want,
        Tolerance::Exact,
    );
    // The forward pass uses the updated alpha without a host round trip.
    let input = [-2.0; 3];
    let x = GpuTensor::from_slice(ctx(), &[1, 3], &input).unwrap();
    let y = prelu.forward(ctx(), &x).unwrap();
    let want = [0.0, -3.0, -0.5];
    assert_tensor_close(
        "forward with the new alpha",
        &y,
        &[1, 3],
        &input,
        &want,
        Tolerance::Exact,
    );
}

#[test]
fn training_rejects_bad_input() {
    let prelu = PReLU::new();
    assert!(
        prelu.apply_constraint(ctx()).is_ok(),
        "no constraint: nothing to do"
    );
    let grad = GpuTensor::from_slice(ctx(), &[2], &[1.0, 1.0]).unwrap();
    let err = Sgd::new(0.1)
        .unwrap()
        .step(ctx(), &prelu, &grad)
        .unwrap_err();
    assert!(err.to_string().contains("not built"), "{err}");
    prelu.build(&[1, 3]).unwrap();
    let err = Sgd::new(0.1)
        .unwrap()
        .step(ctx(), &prelu, &grad)
        .unwrap_err();
    assert!(err.to_string().contains("shape [2]"), "{err}");
    let err = Sgd::new(f32::INFINITY).unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidArgument {
            argument: "learning_rate",
            ..
        }
    ));
    assert!(Constraint::min_max_norm(f32::NAN, 1.0, 1.0, &[0]).is_err());
    let constrained = PReLU::new().with_constraint(Constraint::unit_norm(&[3]));
    constrained.build(&[1, 3]).unwrap();
    let err = constrained.apply_constraint(ctx()).unwrap_err();
    assert!(err.to_string().contains("axis 3"), "{err}");
    // A wrong d_alpha shape when recording the gradient by hand.
    let x = GpuTensor::from_slice(ctx(), &[1, 3], &[1.0; 3]).unwrap();
    let wrong = GpuTensor::from_slice(ctx(), &[2], &[0.0; 2]).unwrap();
    let mut encoder = ctx().device().create_command_encoder(&Default::default());
    let err = prelu
        .encode_alpha_gradient(ctx(), &mut encoder, &x, &x, &wrong, false)
        .unwrap_err();
    assert!(err.to_string().contains("d_alpha has shape [2]"), "{err}");
}

#[test]
fn initializers_fill_alpha_reproducibly() {
    let shape = [1, 64, 128];
    let make = |init: Initializer| {
        let prelu = PReLU::new().with_initializer(init);
        prelu.build(&shape).unwrap();
        prelu.alpha().unwrap()
    };
    let a = make(Initializer::glorot_uniform(Some(7)));
    assert_eq!(
        a,
        make(Initializer::glorot_uniform(Some(7))),
        "same seed, same alpha"
    );
    assert_ne!(
        a,
        make(Initializer::glorot_uniform(Some(8))),
        "another seed, another alpha"
    );
    // alpha is (64, 128): fan_in 64, fan_out 128, limit sqrt(6 / 192).
    let limit = (6.0f64 / 192.0).sqrt();
    assert!(a.iter().all(|&v| f64::from(v).abs() <= limit));
    let std = (a.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / a.len() as f64).sqrt();
    assert!(
        (std - limit / 3f64.sqrt()).abs() < 0.02 * limit,
        "std {std}"
    );
    // He normal: truncated at 2 stddev, std sqrt(2 / fan_in).
    let h = make(Initializer::he_normal(Some(1)));
    let mean = h.iter().map(|&v| f64::from(v)).sum::<f64>() / h.len() as f64;
    let std = (h
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / h.len() as f64)
        .sqrt();
    let want = (2.0f64 / 64.0).sqrt();
    assert!(
        mean.abs() < 0.02 * want && (std - want).abs() < 0.03 * want,
        "mean {mean} std {std}"
    );
    // Through the layer, a bad initializer is a clear error at build time.
    let bad = PReLU::new().with_initializer(Initializer::RandomNormal {
        mean: 0.0,
        stddev: f32::NAN,
        seed: None,
    });
    let err = bad.build(&shape).unwrap_err();
    assert!(err.to_string().contains("stddev"), "{err}");
}

/// Data made with a known per-channel alpha, spatial axes shared: starting
/// from zeros, the GPU training loop (forward, MSE gradient, alpha gradient,
/// SGD) recovers it within 1e-3, never reading back until the end.
#[test]
fn sgd_recovers_a_known_alpha() {
    let shape = [8, 4, 4, 3];
    let truth = [0.1f32, 0.25, -0.3];
    let n: usize = shape.iter().product();
    let x: Vec<f32> = (0..n)
        .map(|i| ((i * 7919) % 401) as f32 / 100.0 - 2.0)
        .collect();
    let teacher = PReLU::new().with_shared_axes(&[1, 2]);
    teacher.build(&shape).unwrap();
    teacher.set_alpha(&truth).unwrap();
    let target_values = teacher.reference(&shape, &x).unwrap();

    let student = PReLU::new().with_shared_axes(&[1, 2]);
    let xt = GpuTensor::from_slice(ctx(), &shape, &x).unwrap();
    let target = GpuTensor::from_slice(ctx(), &shape, &target_values).unwrap();
    let sgd = Sgd::new(1.0).unwrap();
    for _ in 0..100 {
        let y = student.forward(ctx(), &xt).unwrap();
        let dy = mean_squared_error_gradient(ctx(), &y, &target).unwrap();
        let d_alpha = student.alpha_gradient(ctx(), &xt, &dy).unwrap();
        sgd.step(ctx(), &student, &d_alpha).unwrap();
    }
    let learned = student.read_alpha_blocking(ctx()).unwrap();
    assert_each("learned alpha (1e-3)", &learned, &truth, |_, l, t| {
        (l - t).abs() < 1e-3
    });
}

/// Keras 3.15.1's string identifiers (`keras.regularizers.get`,
/// keras/src/regularizers/__init__.py: the class names and
/// `to_snake_case` of each): `"L1"`, `"L2"` and their snake case take the
/// classes' 0.01; `"L1L2"` and its snake case `"l1l2"` the class's 0 and 0
/// (as `{"class_name": "L1L2", "config": {}}` does). Keras 2's `"l1_l2"`
/// is refused as Keras 3 refuses it ("Could not interpret regularizer
/// identifier: l1_l2", as a string and as a class name; checked against
/// Keras 3.15.1).
#[test]
fn regularizer_string_identifiers_take_their_keras_defaults() {
    for (name, want) in [
        ("l1", Regularizer::l1(0.01).unwrap()),
        ("L1", Regularizer::l1(0.01).unwrap()),
        ("l2", Regularizer::l2(0.01).unwrap()),
        ("L2", Regularizer::l2(0.01).unwrap()),
        ("l1l2", Regularizer::l1_l2(0.0, 0.0).unwrap()),
        ("L1L2", Regularizer::l1_l2(0.0, 0.0).unwrap()),
    ] {
        assert_eq!(Regularizer::by_name(name).unwrap(), want, "{name}");
        // The same through a PReLU config, where Keras meets these strings.
        let by_string = layer_from_config("PReLU", &json!({"alpha_regularizer": name})).unwrap();
        assert_eq!(
            by_string.as_prelu().unwrap().regularizer(),
            Some(want),
            "{name}"
        );
    }
    let by_object = layer_from_config(
        "PReLU",
        &json!({"alpha_regularizer": {"class_name": "L1L2", "config": {}}}),
    )
    .unwrap();
    let by_string = layer_from_config("PReLU", &json!({"alpha_regularizer": "L1L2"})).unwrap();
    assert_eq!(by_object.to_keras_config(), by_string.to_keras_config());
    let text = Regularizer::by_name("l1_l2").unwrap_err().to_string();
    assert!(
        text.contains("Could not interpret regularizer identifier: \"l1_l2\""),
        "{text}"
    );
    for config in [
        json!({"alpha_regularizer": "l1_l2"}),
        json!({"alpha_regularizer": {"class_name": "l1_l2", "config": {}}}),
    ] {
        let text = layer_from_config("PReLU", &config).unwrap_err().to_string();
        assert!(text.contains("l1_l2"), "{config}: {text}");
    }
}

/// `MinMaxNorm` with `min_value > max_value`, which Keras 3.15.1 accepts:
/// `ops.clip(norms, min_value, max_value)` (keras/src/constraints/
/// constraints.py, `MinMaxNorm.__call__`) is `jnp.clip`, the maximum with
/// `min_value` then the minimum with `max_value`, so every norm clips to
/// `max_value`. The expected values are Keras's (JAX backend) for
/// `MinMaxNorm(2.0, 1.0, rate, axis=0)` on these weights.
#[test]
fn min_max_norm_above_its_max_clips_to_max_as_keras_does() {
    for (w, rate, keras) in [
        ([3.0, 4.0], 1.0, [0.6, 0.8]),
        ([0.3, 0.4], 1.0, [0.599_999_9, 0.799_999_83]),
        ([0.3, 0.4], 0.5, [0.449_999_9, 0.599_999_85]),
    ] {
        let constraint = Constraint::min_max_norm(2.0, 1.0, rate, &[0]).unwrap();
        let cpu = constraint.apply_reference(&[2, 1], &w).unwrap();
        assert_all_close(
            "MinMaxNorm(2, 1) on the CPU",
            &w,
            &cpu,
            &keras,
            Tolerance::Ulps(2),
        );
        let prelu = PReLU::new().with_constraint(constraint);
        prelu.build(&[1, 2, 1]).unwrap();
        prelu.set_alpha(&w).unwrap();
        prelu.apply_constraint(ctx()).unwrap();
        let gpu = prelu.read_alpha_blocking(ctx()).unwrap();
        assert_all_close(
            "MinMaxNorm(2, 1) on the GPU",
            &w,
            &gpu,
            &keras,
            Tolerance::Ulps(2),
        );
    }
}
