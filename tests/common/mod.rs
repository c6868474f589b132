//! Shared by the integration tests: one GPU context per test binary, the
//! comparison rules with their tolerances (`compare.rs`), and the Keras
//! golden data.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::sync::OnceLock;

use wgpu_activations::{wgpu, GpuContext, GpuTensor};

mod compare;
pub mod oracles;
pub use compare::*;

/// The context every test in this binary shares. A missing adapter fails the
/// test with the reason; it never skips.
pub fn ctx() -> &'static GpuContext {
    static CTX: OnceLock<GpuContext> = OnceLock::new();
    CTX.get_or_init(|| {
        GpuContext::new_blocking().unwrap_or_else(|e| panic!("the tests need a wgpu adapter: {e}"))
    })
}

/// The adapter wgpu picks for the tests (honouring `WGPU_BACKEND`).
pub fn test_adapter() -> wgpu::Adapter {
    pollster::block_on(async {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        instance
            .request_adapter(&wgpu::RequestAdapterOptions::default())
            .await
            .unwrap_or_else(|e| panic!("the tests need a wgpu adapter: {e}"))
    })
}

/// A device of the test adapter with no optional features and the adapter's
/// limits, adjusted by `limits` (e.g. smaller, to force chunking).
pub fn device_with(limits: impl FnOnce(&mut wgpu::Limits)) -> (wgpu::Device, wgpu::Queue) {
    let adapter = test_adapter();
    let mut required = adapter.limits();
    limits(&mut required);
    pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
        label: Some("test device"),
        required_limits: required,
        ..Default::default()
    }))
    .expect("a device with the requested limits")
}

/// A context on the test adapter with no optional features: the fallback
/// paths (no subgroups) run here.
pub fn plain_context() -> GpuContext {
    let (device, queue) = device_with(|_| {});
    GpuContext::from_device(device, queue)
}

/// `n` deterministic values spread over [lo, hi) (a 64-bit LCG from `seed`),
/// for tests that need large inputs without proptest.
pub fn spread(n: usize, lo: f32, hi: f32, seed: u64) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            lo + (hi - lo) * ((s >> 40) as f32 / (1u64 << 24) as f32)
        })
        .collect()
}

/// The golden cases from real Keras (a copy of ../shared/keras/cases.json).
pub fn golden_cases() -> Vec<serde_json::Value> {
    let text = include_str!("../data/cases.json");
    serde_json::from_str(text).expect("tests/data/cases.json is valid JSON")
}

/// The rejections Keras makes (a copy of ../shared/keras/errors.json).
pub fn golden_errors() -> serde_json::Value {
    serde_json::from_str(include_str!("../data/errors.json"))
        .expect("tests/data/errors.json is valid JSON")
}

/// A JSON number or one of "NaN", "Infinity", "-Infinity" as f32.
pub fn json_f32(v: &serde_json::Value) -> f32 {
    match v {
        serde_json::Value::Number(n) => n.as_f64().expect("a float") as f32,
        serde_json::Value::String(s) => match s.as_str() {
            "NaN" => f32::NAN,
            "Infinity" => f32::INFINITY,
            "-Infinity" => f32::NEG_INFINITY,
            other => panic!("unexpected number string {other:?}"),
        },
        other => panic!("expected a number, got {other}"),
    }
}

/// A JSON array of numbers as f32s.
pub fn json_f32s(v: &serde_json::Value) -> Vec<f32> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(json_f32)
        .collect()
}

/// A JSON array of non-negative integers as a shape.
pub fn json_shape(v: &serde_json::Value) -> Vec<usize> {
    v.as_array()
        .expect("a shape array")
        .iter()
        .map(|d| d.as_u64().expect("a dimension") as usize)
        .collect()
}

/// A golden case's PReLU: its Keras 2 `shared_axes`, built on the case's
/// input shape, with the case's alpha.
pub fn prelu_from_case(case: &serde_json::Value) -> wgpu_activations::PReLU {
    use serde_json::Value;
    let shared: Vec<i64> = match case["keras2_args"].get("shared_axes") {
        None | Some(Value::Null) => vec![],
        Some(Value::Number(n)) => vec![n.as_i64().unwrap()],
        Some(Value::Array(a)) => a.iter().map(|v| v.as_i64().unwrap()).collect(),
        Some(other) => panic!("shared_axes {other}"),
    };
    let prelu = wgpu_activations::PReLU::new().with_shared_axes(&shared);
    prelu.build(&json_shape(&case["input_shape"])).unwrap();
    let weights = &case["weights"];
    assert_eq!(
        prelu.alpha_shape().unwrap(),
        json_shape(&weights["alpha_shape"]),
        "{}: alpha shape",
        case["name"]
    );
    prelu.set_alpha(&json_f32s(&weights["alpha"])).unwrap();
    prelu
}

/// A golden case's Softmax mask as `(shape, values)`, booleans as 0/1.
pub fn case_mask(case: &serde_json::Value) -> Option<(Vec<usize>, Vec<f32>)> {
    case.get("mask").map(|m| {
        let values = m.as_array().expect("a mask array").iter().map(|v| match v {
            serde_json::Value::Bool(b) => f32::from(u8::from(*b)),
            other => json_f32(other),
        });
        (json_shape(&case["mask_shape"]), values.collect())
    })
}

/// Asserts `got` matches the golden case's Keras `output`: bit for bit for
/// the piecewise-linear layers (Keras's formulas round exactly as ours), else
/// within the case's tolerance; zeros must carry Keras's sign. In cases tagged `nonfinite`, the elementwise layers' outputs
/// for NaN and infinite inputs follow this crate's documented policy (see
/// docs/ACCURACY.md, "NaN and infinities") rather than Keras's, so those elements
/// are left to the CPU-reference comparison the caller makes; every finite
/// input must still match Keras. Softmax follows Keras 3 everywhere.
#[track_caller]
pub fn assert_matches_keras(what: &str, case: &serde_json::Value, input: &[f32], got: &[f32]) {
    let keras = json_f32s(&case["output"]);
    assert_eq!(got.len(), keras.len(), "{what}: lengths differ");
    let atol = case["tolerance"]["atol"].as_f64().expect("atol");
    let rtol = case["tolerance"]["rtol"].as_f64().expect("rtol");
    let bitwise = ["ReLU", "LeakyReLU", "PReLU", "ThresholdedReLU"]
        .iter()
        .any(|&layer| case["layer"] == layer);
    let policy_differs = case["layer"] != "Softmax"
        && case["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .any(|t| t == "nonfinite");
    for (i, (&g, &want)) in got.iter().zip(&keras).enumerate() {
        if policy_differs && !input[i].is_finite() {
            continue;
        }
        let ok = if bitwise {
            close(g, want, Tolerance::Exact)
        } else {
            keras_close(g, want, atol, rtol)
        };
        assert!(
            ok,
            "{what}: element {i}, input {:e}: gpu {g:e} ({:#010x}) vs keras {want:e} ({:#010x}), {}",
            input[i],
            g.to_bits(),
            want.to_bits(),
            if bitwise { "bit for bit".to_string() } else { format!("atol {atol}, rtol {rtol}") }
        );
    }
}

/// Reads `tensor` back and asserts its shape is `shape` and its values are
/// [`close`] to `want` under `tol`; returns the values read.
#[track_caller]
pub fn assert_tensor_close(
    what: &str,
    tensor: &GpuTensor,
    shape: &[usize],
    input: &[f32],
    want: &[f32],
    tol: Tolerance,
) -> Vec<f32> {
    assert_eq!(tensor.shape(), shape, "{what}: shape");
    let got = tensor
        .to_vec_blocking(ctx())
        .unwrap_or_else(|e| panic!("{what}: readback: {e}"));
    assert_all_close(what, input, &got, want, tol);
    got
}

/// Says on the run's own stderr (past the test harness's capture, so a
/// passing run shows it too) that `test` checked only its fallback on this
/// adapter, because `why`; once per test and process. The table "What runs
/// where" in docs/RELIABILITY.md lists the tests that do this.
pub fn not_exercised(test: &str, why: &str) {
    use std::io::Write;
    static SAID: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut said = SAID
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !said.iter().any(|t| t == test) {
        said.push(test.to_string());
        let adapter = ctx().adapter_info();
        // `writeln!` on the handle, not `eprintln!`: libtest captures the latter.
        let _ = writeln!(
            std::io::stderr(),
            "NOT EXERCISED on {} ({:?}): {test}: {why}",
            adapter.name,
            adapter.backend
        );
    }
}

/// How many of 2000 shapes drawn from `shapes` (deterministically) hold no element.
pub fn empty_shapes_in_2000(
    shapes: impl proptest::strategy::Strategy<Value = Vec<usize>>,
) -> usize {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    (0..2000)
        .filter(|_| shapes.new_tree(&mut runner).unwrap().current().contains(&0))
        .count()
}
