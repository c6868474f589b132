//! `keras.activations` through Keras's `Activation` layer, against real
//! Keras: every case of tests/data/activations.json (a copy of
//! ../shared/keras/activations.json, Keras 3.15.1 on JAX) whose function the
//! crate runs (every one), forward and backward, layer cases read through
//! the layer's Keras config and direct calls through `with_kwargs`.
//!
//! Forward: the "exact" cases bit for bit (a flushed subnormal allowed).
//! Backward: `d_input` against `dx` for `dy = w` (the cases' loss is
//! `sum(outputs * w)`), equal as values: where the derivative is 0 the
//! crate computes the IEEE product `dy * 0` (README, "Differences from
//! Keras"; docs/ACCURACY.md, "Gradients"), whose
//! zero takes `dy`'s sign, while JAX selects a +0. Where `x` is NaN the
//! crate's `dx` is NaN (README: NaN is never hidden), where JAX's
//! subgradient gives 0.

// Native: blocks on the GPU; the browser runs tests/browser.rs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{assert_each, close, ctx, json_f32s, json_shape, keras_close, Tolerance};
use serde_json::Value;
use wgpu_activations::keras::{layer_from_config, AnyLayer};
use wgpu_activations::{Activation, GpuTensor, Layer, Saved};

fn cases() -> Vec<Value> {
    serde_json::from_str(include_str!("data/activations.json"))
        .expect("tests/data/activations.json is valid JSON")
}

/// The case's layer: from its Keras config for a layer case, from its
/// function and kwargs for a direct call.
fn layer(case: &Value) -> AnyLayer {
    let made = if case["call"] == "layer" {
        layer_from_config("Activation", &case["config"])
    } else {
        let function = case["function"].as_str().unwrap();
        Activation::with_kwargs(function, &case["kwargs"]).map(AnyLayer::from)
    };
    made.unwrap_or_else(|e| panic!("{}: {e}", case["name"]))
}

/// A case's `{atol, rtol}`.
fn bound(tolerance: &Value) -> (f64, f64) {
    (
        tolerance["atol"].as_f64().unwrap(),
        tolerance["rtol"].as_f64().unwrap(),
    )
}

/// Whether `got` is Keras's `want` for input `x`: bit for bit for the
/// "exact" class (or a subnormal Keras flushed to a zero of its sign),
/// within the case's tolerance otherwise; NaN wherever `x`
/// is NaN (the crate's policy, where Keras may give 0 or `default_value`).
fn forward_ok(class: &str, (atol, rtol): (f64, f64), x: f32, got: f32, want: f32) -> bool {
    if x.is_nan() {
        got.is_nan()
    } else if class == "exact" {
        // XLA on the CPU flushes subnormal results to zero; the crate keeps them.
        let flushed_by_keras = want == 0.0
            && got.abs() < f32::MIN_POSITIVE
            && got.is_sign_negative() == want.is_sign_negative();
        close(got, want, Tolerance::Exact) || flushed_by_keras
    } else {
        // The golden file's rule: -0.0 == 0.0 outside the exact class.
        (got == 0.0 && want == 0.0) || keras_close(got, want, atol, rtol)
    }
}

/// Whether `dx` is Keras's: equal as values for the "exact" class (where
/// the derivative is 0 the crate computes the IEEE product `dy * 0`, whose
/// zero takes `dy`'s sign, while JAX selects a +0), within the gradient
/// tolerance otherwise; NaN wherever `x` is NaN, where JAX's subgradient
/// may give 0.
fn backward_ok(class: &str, (atol, rtol): (f64, f64), x: f32, got: f32, want: f32) -> bool {
    if x.is_nan() {
        got.is_nan()
    } else if class == "exact" || got == 0.0 && want == 0.0 {
        got == want || (got.is_nan() && want.is_nan())
    } else {
        keras_close(got, want, atol, rtol)
    }
}

/// The pass a deliberate difference is in.
#[derive(Clone, Copy, PartialEq)]
enum Pass {
    Forward,
    /// With the case's upstream `w` for the element.
    Backward(f32),
}

/// What the crate gives for input `x` where it differs from Keras on
/// purpose (README, "Differences from Keras"), or `None` where it follows
/// Keras. Each is the crate's policy that an infinity gives the limit of
/// the function (or of its derivative), or that a gradient is computed
/// from `x` rather than from an output that overflowed.
fn deliberate(case: &Value, pass: Pass, x: f32) -> Option<f32> {
    let function = case["function"].as_str().unwrap();
    let kwargs = &case["kwargs"];
    let approximate = kwargs["approximate"] == true;
    // dx for a derivative `d` (an IEEE product with w).
    let times = |pass: Pass, d: f32| match pass {
        Pass::Backward(w) => Some(w * d),
        Pass::Forward => None,
    };
    match (function, pass) {
        // 0 * -inf: Keras's NaN, the crate's limit -0 (as the LeakyReLU layer).
        ("leaky_relu", Pass::Forward)
            if kwargs["negative_slope"] == 0.0 && x == f32::NEG_INFINITY =>
        {
            Some(-0.0)
        }
        // Limits where Keras computes 0 * inf or inf / inf = NaN.
        ("hard_silu", Pass::Forward) if x == f32::NEG_INFINITY => Some(-0.0),
        ("softsign", Pass::Forward) if x.is_infinite() => Some(x.signum()),
        ("squareplus", Pass::Forward) if x == f32::NEG_INFINITY => Some(0.0),
        // Keras's x * x overflows past 1.8e19 (squareplus(±3e38) = +inf):
        // the value itself, x for x > 0 and b / (4|x|) for x < 0.
        ("squareplus", Pass::Forward) if x.abs() > 1.8e19 => {
            let b = kwargs.get("b").and_then(Value::as_f64).unwrap_or(4.0);
            Some(if x > 0.0 {
                x
            } else {
                (b / (4.0 * f64::from(x).abs())) as f32
            })
        }
        // The derivatives where JAX's reverse pass meets 0 * inf or an
        // overflow: sparse_plus's 2 * (x + 1), in the branch `where` did not
        // take, past f32::MAX / 2; squareplus's x * x past 1.8e19 (the
        // derivative is 1, or below 1e-38); the limits of hard_silu and
        // softsign at ±inf.
        ("sparse_plus", pass) if x.abs() > f32::MAX / 2.0 => {
            times(pass, f32::from(u8::from(x > 0.0)))
        }
        ("squareplus", pass) if x.abs() > 1.8e19 => times(pass, f32::from(u8::from(x > 0.0))),
        // b = 0 is (x + |x|) / 2: 1 above 0, 0 below, 1/2 at the kink;
        // Keras's sqrt'(0) gives NaN at 0 and -inf where x * x underflows.
        ("squareplus", pass) if kwargs["b"] == 0 && x.abs() < 1.1e-19 => times(
            pass,
            match x {
                x if x > 0.0 => 1.0,
                x if x < 0.0 => 0.0,
                _ => 0.5,
            },
        ),
        ("hard_silu", pass) if x.is_infinite() => times(pass, f32::from(u8::from(x > 0.0))),
        ("softsign", pass) if x.is_infinite() => times(pass, 0.0),
        // -inf times a factor that vanishes there (σ, tanh(softplus), Φ):
        // Keras's -inf * 0 = NaN, the crate's limit -0.
        ("silu" | "mish" | "gelu", Pass::Forward) if x == f32::NEG_INFINITY => Some(-0.0),
        // Their derivatives' limits, 1 at +inf and 0 at -inf (dx = w * 1,
        // w * -0), where Keras's inf * 0 terms give NaN; so does its tanh
        // form of gelu wherever x^3 overflows f32 (|x| > 6.98e12, here
        // ±3e38), where the crate's derivative is 1 above and a tiny
        // negative number below (dx = w, and a zero of -w's sign).
        ("silu" | "mish" | "gelu", Pass::Backward(w)) if x == f32::INFINITY => Some(w),
        ("silu" | "mish" | "gelu", Pass::Backward(w)) if x == f32::NEG_INFINITY => Some(w * -0.0),
        ("gelu", Pass::Backward(w)) if approximate && x.abs() > 6.98e12 => {
            Some(if x > 0.0 { w } else { w * -0.0 })
        }
        // w * e^x rounded once, finite where e^x alone overflows f32 (from
        // x = 88.72283935546875, where JAX's w * exp(x) is ±inf).
        ("exponential", Pass::Backward(w)) if x.is_finite() && x.exp().is_infinite() => {
            Some((f64::from(w) * f64::from(x).exp()) as f32)
        }
        _ => None,
    }
}

/// sparsemax: the elements of every row whose support is a matter of
/// rounding, where Keras's `y > 0` and the crate's disagree (an entry at
/// `tau` up to an ulp, such as 0.2 in [0.1, ..., 0.6], is a tie in exact
/// arithmetic) or that holds one of the golden `kink_indices`. There the
/// gradient jumps, so the crate's is checked against its CPU twin instead.
fn ambiguous_support(case: &Value, shape: &[usize], keras: &[f32], ours: &[f32]) -> Vec<usize> {
    if case["function"] != "sparsemax" {
        return Vec::new();
    }
    let rank = shape.len() as i64;
    let axis = case["kwargs"]
        .get("axis")
        .and_then(Value::as_i64)
        .unwrap_or(-1);
    let axis = axis.rem_euclid(rank) as usize;
    let inner: usize = shape[axis + 1..].iter().product();
    let len = shape[axis];
    let kinks: Vec<usize> = case["grads"]["kink_indices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_u64().unwrap() as usize)
        .collect();
    let mut ambiguous = Vec::new();
    for start in 0..keras.len() {
        // Rows start where the axis coordinate is 0.
        if !(start / inner).is_multiple_of(len) {
            continue;
        }
        let row: Vec<usize> = (0..len).map(|k| start + k * inner).collect();
        if row
            .iter()
            .any(|&i| (keras[i] > 0.0) != (ours[i] > 0.0) || kinks.contains(&i))
        {
            ambiguous.extend(row);
        }
    }
    ambiguous
}

#[test]
fn activation_cases_match_keras() {
    let mut ran = Vec::new();
    for case in cases() {
        let layer = layer(&case);
        let name = case["name"].as_str().unwrap().to_string();
        let class = case["tolerance_class"].as_str().unwrap();
        let tolerance = bound(&case["tolerance"]);
        let shape = json_shape(&case["input_shape"]);
        let x = json_f32s(&case["input"]);
        // sparsemax: the corrected algorithm's values (README, "Differences
        // from Keras"); Keras 3.15.1's own are wrong.
        let want = json_f32s(case.get("output_upstream_fix").unwrap_or(&case["output"]));
        let input = GpuTensor::from_slice(ctx(), &shape, &x).unwrap();
        let got = layer
            .forward(ctx(), &input)
            .unwrap()
            .to_vec_blocking(ctx())
            .unwrap();
        let cpu = layer.reference(&shape, &x).unwrap();
        // Rows where Keras's sparsemax gives +inf (a +inf or ±3e38 entry):
        // the crate's values are its CPU twin's (NaN for +inf, the true
        // sparsemax for ±3e38), which its unit tests pin down.
        let keras_overflow = |i: usize| case["function"] == "sparsemax" && want[i].is_infinite();
        // glu halves its axis: its outputs follow Keras's NaN as values
        // (x's index is not the output's), the others x's own NaN.
        let out_shape = json_shape(&case["output_shape"]);
        let same_shape = out_shape == shape;
        let input_at = |i: usize| if same_shape { x[i] } else { 0.0 };
        let forward =
            |i: usize, got: f32, want: f32| match deliberate(&case, Pass::Forward, input_at(i)) {
                // Bit for bit, or a value computed here (squareplus's b / 4|x|).
                Some(ours) => {
                    got.to_bits() == ours.to_bits() || close(got, ours, Tolerance::Ulps(2))
                }
                None if keras_overflow(i) => close(got, cpu[i], Tolerance::Ulps(4)),
                None => forward_ok(class, tolerance, input_at(i), got, want),
            };
        assert_each(&name, &got, &want, forward);
        assert_each(&format!("{name} (CPU twin)"), &cpu, &want, forward);

        let w = json_f32s(&case["grads"]["w"]);
        let grads = &case["grads"];
        let want_dx = json_f32s(
            grads
                .get("d_input_upstream_fix")
                .unwrap_or(&grads["d_input"]),
        );
        let grad_tolerance = bound(&case["grads"]["tolerance"]);
        // glu: dy and y have the output's shape.
        assert_eq!(layer.output_shape(&shape).unwrap(), out_shape, "{name}");
        let dy = GpuTensor::from_slice(ctx(), &out_shape, &w).unwrap();
        // What the backward pass reads: x, or y (softmax) as each computed it.
        let (saved, cpu_saved) = match layer.backward_reads() {
            Saved::Input => (input, x.clone()),
            Saved::Output => (
                GpuTensor::from_slice(ctx(), &out_shape, &got).unwrap(),
                cpu.clone(),
            ),
        };
        let dx = layer
            .backward(ctx(), &saved, &dy)
            .unwrap()
            .to_vec_blocking(ctx())
            .unwrap();
        let cpu_dx = layer.reference_backward(&shape, &cpu_saved, &w).unwrap();
        let ambiguous = ambiguous_support(&case, &shape, &want, &cpu);
        // Deliberate differences as values (a zero's sign is not compared
        // backward, see `backward_ok`).
        // The rules below read y and w at x's index: elementwise and row
        // functions only (glu's are the plain comparison).
        let backward = |i: usize, got: f32, want: f32| {
            if !same_shape {
                return backward_ok(class, grad_tolerance, x[i], got, want);
            }
            match deliberate(&case, Pass::Backward(w[i]), x[i]) {
                Some(ours) => got == ours || got.is_nan() && ours.is_nan(),
                // A NaN output (a NaN row of softmax or sparsemax) gives a NaN
                // dx, where JAX's may be 0.
                None if cpu[i].is_nan() => got.is_nan(),
                None if keras_overflow(i) || ambiguous.contains(&i) => {
                    close(got, cpu_dx[i], Tolerance::Ulps(4))
                }
                None => backward_ok(class, grad_tolerance, x[i], got, want),
            }
        };
        assert_each(&format!("{name} backward"), &dx, &want_dx, backward);
        assert_each(
            &format!("{name} backward (CPU twin)"),
            &cpu_dx,
            &want_dx,
            backward,
        );
        ran.push(name);
    }
    // Every function the crate runs has its cases run: the edge row, rank 2
    // and 3 and the non-finite row through the layer at least.
    for function in [
        "relu",
        "relu6",
        "leaky_relu",
        "elu",
        "linear",
        "hard_tanh",
        "hard_shrink",
        "soft_shrink",
        "threshold",
        "sparse_sigmoid",
        "hard_sigmoid",
        "hard_silu",
        "sparse_plus",
        "softsign",
        "squareplus",
        "softmax",
        "sparsemax",
        "log_softmax",
        "glu",
        "sigmoid",
        "tanh",
        "softplus",
        "log_sigmoid",
        "silu",
        "mish",
        "selu",
        "celu",
        "gelu",
        "exponential",
        "tanh_shrink",
    ] {
        assert!(
            ran.iter().filter(|n| n.starts_with(function)).count() >= 4,
            "{function}: ran {ran:?}"
        );
    }
}

#[test]
fn activation_names_are_read_as_keras_reads_them() {
    // Every function and alias Keras 3.15.1's `get` accepts
    // (activations_errors.json), and threshold, which needs its two
    // arguments; a typo is Keras's error, in Keras's words.
    let errors: Value = serde_json::from_str(include_str!("data/activations_errors.json")).unwrap();
    for (function, aliases) in errors["functions"].as_object().unwrap() {
        for name in std::iter::once(function.as_str()).chain(
            aliases
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap()),
        ) {
            match Activation::new(name) {
                Ok(activation) => assert_eq!(activation.name(), function),
                Err(e) => assert!(
                    name == "threshold" && e.to_string().contains("missing 2 required"),
                    "{name}: {e}"
                ),
            }
        }
    }
    assert_eq!(
        Activation::names().len(),
        errors["functions"].as_object().unwrap().len()
    );
    let typo = Activation::new("relu7").unwrap_err().to_string();
    assert!(
        typo.starts_with("Could not interpret activation function identifier: relu7 (known: ")
            && typo.contains("relu6, ")
            && typo.contains("sparsemax"),
        "{typo}"
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

#[test]
fn transcendental_names_and_arguments_are_read_as_keras_reads_them() {
    use serde_json::json;
    // swish is silu: Keras's config and serialization give the target name.
    let swish = Activation::new("swish").unwrap();
    assert_eq!(swish, Activation::new("silu").unwrap());
    assert_eq!(swish.name(), "silu");
    assert_eq!(swish.to_keras_config(), json!({"activation": "silu"}));
    // gelu's `approximate`: a bool, null as Python's falsy None.
    let tanh_form = Activation::with_kwargs("gelu", &json!({"approximate": true})).unwrap();
    assert_eq!(tanh_form.kwargs(), json!({"approximate": true}));
    assert_eq!(
        tanh_form.to_keras_config(),
        json!({"activation": "gelu", "kwargs": {"approximate": true}})
    );
    assert_eq!(
        Activation::with_kwargs("gelu", &json!({"approximate": null})).unwrap(),
        Activation::new("gelu").unwrap()
    );
    let text = Activation::with_kwargs("gelu", &json!({"approximate": "yes"}))
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("approximate") && text.contains("yes"),
        "{text}"
    );
    // celu's alpha: any finite normal number, negative included.
    assert_eq!(
        Activation::with_kwargs("celu", &json!({"alpha": -0.5}))
            .unwrap()
            .kwargs(),
        json!({"alpha": -0.5})
    );
    for bad in [
        json!({"alpha": 0.0}),
        json!({"alpha": null}),
        json!({"alpha": 1e39}),
        // Subnormal: 1 / alpha overflows f32 (found by tests/fuzz.rs).
        json!({"alpha": -1e-45}),
        json!({"alpha": 1.1e-38}),
    ] {
        let text = Activation::with_kwargs("celu", &bad)
            .unwrap_err()
            .to_string();
        assert!(text.contains("alpha"), "{bad}: {text}");
    }
    let zero = Activation::with_kwargs("celu", &json!({"alpha": 0}))
        .unwrap_err()
        .to_string();
    assert!(zero.contains("alpha=0.0"), "{zero}");
    // Functions without arguments take none.
    assert!(Activation::with_kwargs("sigmoid", &json!({"alpha": 1.0})).is_err());
    // A config with kwargs reads back.
    let layer = layer_from_config(
        "Activation",
        &json!({"activation": "celu", "kwargs": {"alpha": 2.0}}),
    )
    .unwrap();
    assert_eq!(
        layer.to_keras_json()["config"],
        json!({"activation": "celu", "kwargs": {"alpha": 2.0}})
    );
}

/// Every function's config round-trips through `AnyLayer` (Keras's own
/// `{"activation": name}` for the defaults, `kwargs` beside it otherwise),
/// Keras 3's serialized function and Keras 2's string read alike, and a
/// model mixes Activation entries with the layer classes.
#[test]
fn every_function_round_trips_through_its_config() {
    use serde_json::json;
    use wgpu_activations::keras::layer_from_json;
    for name in Activation::names() {
        let kwargs = if name == "threshold" {
            json!({"threshold": 0.5, "default_value": -1.0})
        } else {
            json!({})
        };
        let function = Activation::with_kwargs(name, &kwargs).unwrap();
        let entry = AnyLayer::from(function.clone()).to_keras_json();
        assert_eq!(entry["class_name"], "Activation", "{name}");
        let back = layer_from_json(&entry).unwrap();
        assert_eq!(back.to_keras_json(), entry, "{name}");
        let AnyLayer::Activation(read) = back else {
            panic!("{name}: read back as another class")
        };
        assert_eq!(read, function, "{name}: the same function and arguments");
        // Keras 3 writes a function inside a config as a serialized object.
        let serialized = json!({"module": "builtins", "class_name": "function", "config": name, "registered_name": "function"});
        let config = json!({"activation": serialized, "kwargs": function.kwargs()});
        assert_eq!(
            layer_from_config("Activation", &config)
                .unwrap()
                .to_keras_json(),
            entry,
            "{name}"
        );
    }
    // Arguments other than the defaults ride under `kwargs`.
    let celu = Activation::with_kwargs("celu", &json!({"alpha": 0.5})).unwrap();
    let entry = AnyLayer::from(celu.clone()).to_keras_json();
    assert_eq!(entry["config"]["kwargs"], json!({"alpha": 0.5}));
    assert_eq!(layer_from_json(&entry).unwrap().to_keras_json(), entry);
    // A Keras model's layers: Activation entries beside the layer classes.
    let model = layer_from_json(&json!({
        "class_name": "Sequential",
        "config": {"name": "m", "layers": [
            {"class_name": "ReLU", "config": {"max_value": 6.0}},
            {"class_name": "Activation", "config": {"name": "a", "activation": "gelu"}},
            {"class_name": "Activation", "config": {"activation": "swish", "trainable": true}},
            {"class_name": "Activation", "config": {"activation": "glu"}},
            {"class_name": "Softmax", "config": {"axis": -1}},
        ]},
    }))
    .unwrap();
    assert_eq!(model.output_shape(&[2, 6]).unwrap(), vec![2, 3]);
    let x: Vec<f32> = (0..12).map(|i| i as f32 / 3.0 - 2.0).collect();
    let input = GpuTensor::from_slice(ctx(), &[2, 6], &x).unwrap();
    let got = model
        .forward(ctx(), &input)
        .unwrap()
        .to_vec_blocking(ctx())
        .unwrap();
    let want = model.reference(&[2, 6], &x).unwrap();
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() <= 1e-6, "{g} vs {w}");
    }
    // An unknown name lists nothing Keras would not: its own error.
    let typo =
        layer_from_json(&json!({"class_name": "Activation", "config": {"activation": "gleu"}}));
    assert!(typo
        .unwrap_err()
        .to_string()
        .contains("Could not interpret activation function identifier: gleu"));
}

/// A Python keyword value of activations_errors.json's calls as JSON:
/// numbers, None, strings in quotes, tuples and lists of ints.
fn python_value(text: &str) -> Value {
    let text = text.trim();
    match text {
        "None" => Value::Null,
        "True" => Value::Bool(true),
        "False" => Value::Bool(false),
        _ if text.starts_with('\'') => Value::from(text.trim_matches('\'')),
        _ if text.starts_with('(') || text.starts_with('[') => Value::Array(
            text[1..text.len() - 1]
                .split(',')
                .map(|v| Value::from(v.trim().parse::<i64>().unwrap()))
                .collect(),
        ),
        _ => serde_json::from_str(text).unwrap(),
    }
}

/// A call `name(x, k=v, ...)` of the file: the function and its kwargs, or
/// `None` for an entry that is not such a call.
fn python_call(what: &str) -> Option<(String, Value)> {
    if let Some(rest) = what.strip_prefix("Activation('") {
        let name = &rest[..rest.find('\'')?];
        return Some((name.to_string(), serde_json::json!({})));
    }
    let open = what.find("(x")?;
    let name = &what[..open];
    if !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        return None;
    }
    let close = what[open..].find(") ")? + open;
    let args = what[open + 2..close].trim_start_matches(',');
    let mut kwargs = serde_json::Map::new();
    // Split at commas outside brackets.
    let (mut depth, mut start) = (0, 0);
    let bytes: Vec<char> = args.chars().collect();
    for i in 0..=bytes.len() {
        match bytes.get(i) {
            Some('(' | '[') => depth += 1,
            Some(')' | ']') => depth -= 1,
            Some(',') if depth == 0 => {}
            None => {}
            _ => continue,
        }
        if bytes.get(i).is_some() && bytes[i] != ',' {
            continue;
        }
        let part: String = bytes[start..i].iter().collect();
        start = i + 1;
        if let Some((key, value)) = part.split_once('=') {
            kwargs.insert(key.trim().to_string(), python_value(value));
        } else if !part.trim().is_empty() {
            // A positional argument (threshold(x, 0.5)).
            kwargs.insert(format!("positional {}", kwargs.len()), python_value(&part));
        }
    }
    Some((name.to_string(), Value::Object(kwargs)))
}

/// Every call of activations_errors.json that names a function: what Keras
/// raised, the crate refuses (at construction or at the call); what Keras
/// computed, the crate computes, except its deliberate refusals (README,
/// "Differences from Keras"), each listed here.
#[test]
fn every_recorded_keras_call_is_followed_or_differs_on_purpose() {
    let errors: Value = serde_json::from_str(include_str!("data/activations_errors.json")).unwrap();
    // Keras computes these; the crate refuses them on purpose.
    let refused = [
        "relu(x, max_value=-1.0)",
        "celu(x, alpha=0.0)",
        "squareplus(x, b=-1.0)",
        "gelu(x, approximate='yes')",
        "softmax(x, axis=None)",
        "log_softmax(x, axis=None)",
    ];
    let mut checked = 0;
    for entry in errors["keras3"].as_array().unwrap() {
        let what = entry["what"].as_str().unwrap();
        let Some((name, kwargs)) = python_call(what) else {
            continue;
        };
        // Keras refuses a list axis for log_softmax, which JSON cannot tell
        // from the tuple it accepts: the crate takes both as a tuple.
        let listed_log_softmax = what.starts_with("log_softmax(x, axis=[");
        let glu = name == "glu" && !what.contains("rank 3");
        // Symbolic shapes (keras.Input) are not eager calls.
        if !entry["raised"].is_string() && !entry["result"].is_array() {
            continue;
        }
        let (shape, x): (Vec<usize>, Vec<f32>) =
            if what.contains("rank 3") || what.contains("(2,3,4)") {
                (
                    vec![2, 3, 4],
                    (0..24).map(|i| i as f32 / 8.0 - 1.5).collect(),
                )
            } else if what.contains("(2,3)") || what.contains("(size 3)") {
                (vec![2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
            } else if what.contains("rank-1 input") {
                (vec![3], vec![1.0, 2.0, 3.0])
            } else if glu {
                // The first four values as [2, 2] (the results show it: the
                // description's [[-2, -0.5], [0.5, 2]] would not give 0).
                (vec![2, 2], vec![-2.0, -0.5, 0.0, 0.5])
            } else {
                (vec![5], vec![-2.0, -0.5, 0.0, 0.5, 2.0])
            };
        let outcome = Activation::with_kwargs(&name, &kwargs).and_then(|layer| {
            let input = GpuTensor::from_slice(ctx(), &shape, &x)?;
            let y = layer.forward(ctx(), &input)?;
            Ok((y.shape().to_vec(), y.to_vec_blocking(ctx())?))
        });
        let keras_raised = entry["raised"].is_string() && !listed_log_softmax;
        if keras_raised || refused.iter().any(|r| what.starts_with(r)) {
            assert!(outcome.is_err(), "{what}: accepted, Keras raised");
        } else {
            let (got_shape, got) = outcome.unwrap_or_else(|e| panic!("{what}: {e}"));
            let result = &entry["result"];
            if listed_log_softmax {
                assert_eq!(got_shape, shape, "{what}: taken as the tuple");
            } else if what.contains("rank 3") {
                // The result is the output's shape.
                let want: Vec<usize> = json_shape(result);
                assert_eq!(got_shape, want, "{what}");
            } else {
                let want = if glu {
                    json_f32s(&Value::Array(
                        result
                            .as_array()
                            .unwrap()
                            .iter()
                            .flat_map(|r| r.as_array().unwrap().clone())
                            .collect(),
                    ))
                } else {
                    json_f32s(result)
                };
                assert_each(what, &got, &want, |_, g, w| {
                    keras_close(g, w, 1e-6, 1e-5) || g == w
                });
            }
        }
        checked += 1;
    }
    assert!(checked >= 60, "checked {checked} calls");
}
