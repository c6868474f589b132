//! Shared by the integration tests: one GPU context per test binary, the
//! comparison rules with their tolerances, and the Keras golden data.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::sync::OnceLock;

use wgpu_activations::{wgpu, GpuContext};

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

/// How close a GPU result must be to the CPU reference.
#[derive(Clone, Copy, Debug)]
pub enum Tolerance {
    /// Bit for bit, except that NaN equals NaN and a subnormal expected value
    /// may come back flushed to a zero (WGSL allows flushing subnormals).
    Exact,
    /// Within this many f32 ulps (±0 are one point), same flushing rule.
    Ulps(u32),
}

/// f32s mapped onto a line of integers so that neighbours differ by 1 and ±0 coincide.
fn ordinal(v: f32) -> i64 {
    let bits = i64::from(v.to_bits() as i32);
    if bits < 0 {
        i64::from(i32::MIN) - bits
    } else {
        bits
    }
}

/// Distance in ulps between two non-NaN floats.
pub fn ulps(a: f32, b: f32) -> u64 {
    ordinal(a).abs_diff(ordinal(b))
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

/// Softmax backward's tolerance (tests/backward.rs): `dx` within
/// 8·eps·|y|·(|dy| + Σ|dy·y| over its row) of the f64 reference.
pub fn softmax_backward_close(got: f32, want: f32, y: f32, dy: f32, row_scale: f64) -> bool {
    let bound =
        8.0 * f64::from(f32::EPSILON) * f64::from(y).abs() * (f64::from(dy).abs() + row_scale)
            + 1e-30;
    (f64::from(got) - f64::from(want)).abs() <= bound
}

/// Softmax's tolerance in f32 ulps of the f64 reference, whatever the row's
/// length or values (tests/softmax.rs says why).
pub const SOFTMAX_ULPS: u64 = 4;

/// Whether a softmax output `got` is within [`SOFTMAX_ULPS`] of `want`; NaN
/// matches NaN, and a subnormal `want` may come back flushed to zero.
pub fn softmax_close(got: f32, want: f32) -> bool {
    if got.is_nan() || want.is_nan() {
        return got.is_nan() && want.is_nan();
    }
    (want.abs() < f32::MIN_POSITIVE && got.abs() < f32::MIN_POSITIVE)
        || ulps(got, want) <= SOFTMAX_ULPS
}

/// Whether `got` is acceptable for `want` under `tol`.
pub fn close(got: f32, want: f32, tol: Tolerance) -> bool {
    if got.is_nan() || want.is_nan() {
        return got.is_nan() && want.is_nan();
    }
    if want.abs() < f32::MIN_POSITIVE && got == 0.0 {
        return true;
    }
    match tol {
        Tolerance::Exact => got.to_bits() == want.to_bits(),
        Tolerance::Ulps(n) => ulps(got, want) <= u64::from(n),
    }
}

/// Asserts every element is close, printing index, input and both outputs.
#[track_caller]
pub fn assert_all_close(what: &str, input: &[f32], got: &[f32], want: &[f32], tol: Tolerance) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(
            close(g, w, tol),
            "{what}: element {i}, input {:e} ({:#010x}): gpu {g:e} ({:#010x}) vs cpu {w:e} ({:#010x}), tolerance {tol:?}",
            input.get(i).copied().unwrap_or(f32::NAN),
            input.get(i).map_or(0, |v| v.to_bits()),
            g.to_bits(),
            w.to_bits(),
        );
    }
}

/// Keras's numeric check for golden values: |got - want| <= atol + rtol * |want|,
/// with NaN equal to NaN and infinities equal to themselves.
pub fn keras_close(got: f32, want: f32, atol: f64, rtol: f64) -> bool {
    if want.is_nan() || got.is_nan() {
        return want.is_nan() && got.is_nan();
    }
    if want.is_infinite() || got.is_infinite() {
        return got == want;
    }
    (f64::from(got) - f64::from(want)).abs() <= atol + rtol * f64::from(want).abs()
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

/// Asserts `got` matches the golden case's Keras `output` within the case's
/// tolerance. In cases tagged `nonfinite`, the elementwise layers' outputs
/// for NaN and infinite inputs follow this crate's documented policy (see
/// the README, "NaN and infinities") rather than Keras's, so those elements
/// are left to the CPU-reference comparison the caller makes; every finite
/// input must still match Keras. Softmax follows Keras 3 everywhere.
#[track_caller]
pub fn assert_matches_keras(what: &str, case: &serde_json::Value, input: &[f32], got: &[f32]) {
    let keras = json_f32s(&case["output"]);
    assert_eq!(got.len(), keras.len(), "{what}: lengths differ");
    let atol = case["tolerance"]["atol"].as_f64().expect("atol");
    let rtol = case["tolerance"]["rtol"].as_f64().expect("rtol");
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
        assert!(
            keras_close(g, want, atol, rtol),
            "{what}: element {i}, input {}: gpu {g:e} vs keras {want:e} (atol {atol}, rtol {rtol})",
            input[i]
        );
    }
}
