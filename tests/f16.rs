//! f16 tensors: every layer's forward and backward on f16 storage (the
//! kernels compute in f32 and round once), against the CPU reference run in
//! f32/f64 on the same f16 inputs and rounded to f16; values at f16's limits
//! (±65504, overflow to ±inf, subnormals); and the errors where the device
//! has no `SHADER_F16`.
//!
//! Tolerances, in f16 ulps: the piecewise-linear layers exact (one rounding
//! of an exact f32 result; a subnormal f16 may come back as 0, which WGSL
//! allows); ELU, Softmax and the transcendental `keras.activations`
//! functions within 1 ulp (the f32 result is within a few f32
//! ulps, then rounded); Softmax backward within 1 ulp plus its f32 bound.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{assert_all_close, assert_each, ctx, plain_context, Tolerance};
use half::f16;
use proptest::prelude::*;
use wgpu_activations::{
    cpu, DType, Error, GpuTensor, Layer, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU, ELU,
};

/// f16s on a line of integers, neighbours 1 apart, ±0 together.
fn ordinal(v: f16) -> i32 {
    let bits = i32::from(v.to_bits() as i16);
    if bits < 0 {
        i32::from(i16::MIN) - bits
    } else {
        bits
    }
}

/// Whether `got` is within `ulps` f16 ulps of `want` rounded to f16, under
/// the suite's rules (tests/common/compare.rs): NaN matches NaN, a zero only
/// the zero of its sign, and a subnormal may come back as the zero of its sign.
fn f16_close(got: f16, want: f32, ulps: u32) -> bool {
    let w16 = f16::from_f32(want);
    if got.is_nan() || w16.is_nan() {
        got.is_nan() && w16.is_nan()
    } else if got == f16::ZERO && w16 == f16::ZERO {
        got.to_bits() == w16.to_bits()
    } else if w16.classify() == std::num::FpCategory::Subnormal
        && got == f16::ZERO
        && got.is_sign_negative() == w16.is_sign_negative()
    {
        true
    } else {
        ordinal(got).abs_diff(ordinal(w16)) <= ulps
    }
}

/// Asserts the f16 results `got` are [`f16_close`] to `want`: lengths first,
/// then every element, naming its index, input and both values (as f32).
#[track_caller]
fn assert_f16_close(what: &str, input: &[f16], got: &[f16], want: &[f32], ulps: u32) {
    assert_each(
        &format!("{what} ({ulps} f16 ulps)"),
        &widen(got),
        want,
        |i, g, w| {
            f16_close(f16::from_f32(g), w, ulps) || {
                let x = input.get(i).copied().unwrap_or(f16::NAN);
                eprintln!(
                    "{what}: input {x} ({:#06x}), want as f16 {}",
                    x.to_bits(),
                    f16::from_f32(w)
                );
                false
            }
        },
    );
}

/// f16 inputs: ordinary values, f16's limits and subnormals, ±0.
fn value() -> impl Strategy<Value = f16> {
    let specials = [
        0.0f32, -0.0, 65504.0, -65504.0, 6.1e-5, -6.1e-5, 6e-8, -6e-8, 1.0, -1.0, 0.5, 6.0,
    ];
    prop_oneof![
        prop::sample::select(specials.to_vec()).prop_map(f16::from_f32),
        (-12.0f32..12.0).prop_map(f16::from_f32),
        any::<u16>()
            .prop_map(f16::from_bits)
            .prop_filter("finite", |v| v.is_finite()),
    ]
}

fn shaped() -> impl Strategy<Value = (Vec<usize>, Vec<f16>, Vec<f16>)> {
    prop::collection::vec(1usize..9, 1..=3).prop_flat_map(|s| {
        let n: usize = s.iter().product();
        (
            Just(s),
            prop::collection::vec(value(), n),
            prop::collection::vec((-2.0f32..2.0).prop_map(f16::from_f32), n),
        )
    })
}

fn widen(v: &[f16]) -> Vec<f32> {
    v.iter().map(|h| h.to_f32()).collect()
}

/// Forward and backward of `layer` on f16 tensors against its reference.
fn check_layer(layer: &dyn Layer, shape: &[usize], x: &[f16], dy: &[f16], ulps: u32) {
    check_rounded(layer, layer, shape, x, dy, ulps);
}

/// As [`check_layer`], against the CPU twin of `rounded`: `layer` with its
/// float arguments rounded to f16, which is how Keras (and the GPU) runs
/// `layer` on f16 tensors.
fn check_rounded(
    layer: &dyn Layer,
    rounded: &dyn Layer,
    shape: &[usize],
    x: &[f16],
    dy: &[f16],
    ulps: u32,
) {
    let ctx = ctx();
    let xt = GpuTensor::from_f16(ctx, shape, x).unwrap();
    let y = layer.forward(ctx, &xt).unwrap();
    assert_eq!(y.dtype(), DType::F16);
    let layer = rounded;
    let want = layer.reference(shape, &widen(x)).unwrap();
    let name = layer.class_name();
    assert_f16_close(name, x, &y.to_f16_vec_blocking(ctx).unwrap(), &want, ulps);

    let dyt = GpuTensor::from_f16(ctx, shape, dy).unwrap();
    let dx = layer.backward(ctx, &xt, &dyt).unwrap();
    let want = layer
        .reference_backward(shape, &widen(x), &widen(dy))
        .unwrap();
    assert_f16_close(
        &format!("{name} backward"),
        x,
        &dx.to_f16_vec_blocking(ctx).unwrap(),
        &want,
        ulps,
    );
}

/// As [`check_layer`] for any function of the `Activation` layer: the
/// output's shape from the layer (glu halves its axis), and the backward
/// pass given what it reads (`y` for softmax's, log_softmax's).
fn check_function(name: &str, layer: &dyn Layer, shape: &[usize], x: &[f16], ulps: u32) {
    // sparsemax's gradient jumps where an entry sits at its threshold, which
    // f16's coarse values hit often and f32 and the f64 twin may round to
    // either side: forward only here (tests/axis_functions.rs has it).
    let backward = name != "sparsemax";
    let ctx = ctx();
    let xt = GpuTensor::from_f16(ctx, shape, x).unwrap();
    let y = layer.forward(ctx, &xt).unwrap();
    let out_shape = layer.output_shape(shape).unwrap();
    assert_eq!((y.dtype(), y.shape()), (DType::F16, out_shape.as_slice()));
    let y16 = y.to_f16_vec_blocking(ctx).unwrap();
    let want = layer.reference(shape, &widen(x)).unwrap();
    let what = format!("{name} on {shape:?}");
    // The input at the output's index, for messages (glu's differ).
    let shown = if out_shape == shape {
        x.to_vec()
    } else {
        y16.clone()
    };
    // log_softmax's outputs at the max are 0 less a small sum: where that
    // rounds to an f16 zero, lavapipe's f32 to f16 conversion drops the
    // sign (and a subnormal sum may be flushed): ±0 alike there.
    let unsigned = |v: f32| {
        if name == "log_softmax" && f16::from_f32(v).to_f32() == 0.0 {
            0.0
        } else {
            v
        }
    };
    let want: Vec<f32> = want.into_iter().map(unsigned).collect();
    let y16: Vec<f16> = y16
        .into_iter()
        .map(|h| f16::from_f32(unsigned(h.to_f32())))
        .collect();
    assert_f16_close(&what, &shown, &y16, &want, ulps);
    if !backward {
        return;
    }
    let dy: Vec<f16> = (0..y16.len())
        .map(|i| f16::from_f32(((i % 7) as f32 - 3.0) / 4.0))
        .collect();
    let (saved, saved32) = match layer.backward_reads() {
        wgpu_activations::Saved::Input => (xt, widen(x)),
        wgpu_activations::Saved::Output => (y, widen(&y16)),
    };
    let dx = layer
        .backward(
            ctx,
            &saved,
            &GpuTensor::from_f16(ctx, &out_shape, &dy).unwrap(),
        )
        .unwrap();
    let want = layer
        .reference_backward(shape, &saved32, &widen(&dy))
        .unwrap();
    // A zero dx's sign is not compared (as tests/keras_activations.rs):
    // rows' dy - exp(y) sum(dy) cancel to either, and lavapipe's f32 to
    // f16 conversion drops the sign of what rounds to an f16 zero.
    let want: Vec<f32> = want
        .into_iter()
        .map(|v| {
            if f16::from_f32(v).to_f32() == 0.0 {
                0.0
            } else {
                v
            }
        })
        .collect();
    let dx16: Vec<f16> = dx
        .to_f16_vec_blocking(ctx)
        .unwrap()
        .into_iter()
        .map(|h| if h.to_f32() == 0.0 { f16::ZERO } else { h })
        .collect();
    assert_f16_close(&format!("{what} backward"), x, &dx16, &want, ulps);
}

/// Keras casts a layer's or function's float arguments to the input's
/// dtype (`threshold = ops.cast(threshold, dtype=x.dtype)`, line 92 of
/// keras/src/activations/activations.py in Keras 3.15.1; JAX's weak typing
/// of Python scalars for the others), so on f16 inputs a threshold of
/// 0.99995 acts as 1.0 and a slope of 0.30001 as 0.300048828125. The
/// expected values are Keras 3.15.1's (JAX backend) on these inputs, bit
/// for bit; with the arguments kept in f32 the test fails (its first case,
/// ReLU at threshold 0.99995, already gives 1.0 for x = 1.0 where Keras gives 0).
#[test]
fn f16_arguments_round_as_keras_rounds_them() {
    let Some(ctx) = f16_context("f16_arguments_round_as_keras_rounds_them") else {
        return;
    };
    let x = [
        1.0,
        0.999_511_7,
        1.000_976_6,
        -1.0,
        -0.999_511_7,
        6.003_906,
        0.5,
        -6.0,
    ];
    let keras: [(&str, Box<dyn Layer>, [f32; 8]); 7] = [
        (
            "ReLU(threshold=0.99995)",
            Box::new(ReLU::new(None, 0.0, 0.99995).unwrap()),
            [0.0, 0.0, 1.000_976_6, 0.0, 0.0, 6.003_906, 0.0, 0.0],
        ),
        (
            "ReLU(max_value=6.001)",
            Box::new(ReLU::new(Some(6.001), 0.0, 0.0).unwrap()),
            [1.0, 0.999_511_7, 1.000_976_6, 0.0, 0.0, 6.0, 0.5, 0.0],
        ),
        (
            "LeakyReLU(negative_slope=0.30001)",
            Box::new(LeakyReLU::new(0.30001).unwrap()),
            [
                1.0,
                0.999_511_7,
                1.000_976_6,
                -0.300_048_83,
                -0.299_804_7,
                6.003_906,
                0.5,
                -1.800_781_3,
            ],
        ),
        (
            "keras.activations.relu(threshold=0.99995)",
            Box::new(wgpu_activations::Activation::relu(0.0, None, 0.99995).unwrap()),
            [0.0, 0.0, 1.000_976_6, 0.0, 0.0, 6.003_906, 0.0, 0.0],
        ),
        (
            "keras.activations.hard_shrink(threshold=0.99995)",
            Box::new(wgpu_activations::Activation::hard_shrink(0.99995).unwrap()),
            [0.0, 0.0, 1.000_976_6, 0.0, 0.0, 6.003_906, 0.0, -6.0],
        ),
        (
            "keras.activations.soft_shrink(threshold=0.99995)",
            Box::new(wgpu_activations::Activation::soft_shrink(0.99995).unwrap()),
            [0.0, 0.0, 0.000_976_562_5, 0.0, 0.0, 5.003_906, 0.0, -5.0],
        ),
        (
            "keras.activations.threshold(0.99995, -0.30001)",
            Box::new(wgpu_activations::Activation::threshold(0.99995, -0.30001).unwrap()),
            [
                -0.300_048_83,
                -0.300_048_83,
                1.000_976_6,
                -0.300_048_83,
                -0.300_048_83,
                6.003_906,
                -0.300_048_83,
                -0.300_048_83,
            ],
        ),
    ];
    let xt = GpuTensor::from_slice_as(ctx, &[8], &x, DType::F16).unwrap();
    for (what, layer, want) in keras {
        let got = layer
            .forward(ctx, &xt)
            .unwrap()
            .to_vec_blocking(ctx)
            .unwrap();
        // Keras's f16 values, exactly (the sign of zero included: each 0
        // here is +0 in Keras's output).
        let want: Vec<f32> = want.iter().map(|&v| f16::from_f32(v).to_f32()).collect();
        assert_eq!(
            got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            want.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            "{what}: {got:?} vs Keras {want:?}"
        );
    }
}

/// The context the numeric tests run on must have f16 where its adapter does.
/// Without SHADER_F16, `test` checks only the error path, and says so.
fn f16_context(test: &str) -> Option<&'static wgpu_activations::GpuContext> {
    static OFFERED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let offered = *OFFERED.get_or_init(|| {
        common::test_adapter()
            .features()
            .contains(wgpu_activations::wgpu::Features::SHADER_F16)
    });
    assert_eq!(
        ctx().supports_f16(),
        offered,
        "the context requests SHADER_F16 exactly when the adapter offers it"
    );
    if offered {
        Some(ctx())
    } else {
        // e.g. WGPU_BACKEND=gl: the error path is what there is to test.
        let err = GpuTensor::from_slice_as(ctx(), &[2], &[1.0, 2.0], DType::F16).unwrap_err();
        assert!(err.to_string().contains("SHADER_F16"), "{err}");
        common::not_exercised(
            &format!("f16::{test}"),
            "no SHADER_F16, so only the MissingFeature error was checked",
        );
        None
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn elementwise_layers_on_f16((shape, x, dy) in shaped(), slope in 0.0f32..2.0, t in 0.0f32..3.0) {
        if f16_context("elementwise_layers_on_f16").is_none() {
            return Ok(());
        }
        // The GPU rounds the arguments to f16 (as Keras casts them); the
        // reference is the layer built with the rounded ones.
        let (slope16, t16) = (f16::from_f32(slope).to_f32(), f16::from_f32(t).to_f32());
        check_rounded(
            &ReLU::new(Some(6.001), slope, t).unwrap(),
            &ReLU::new(Some(6.0), slope16, t16).unwrap(),
            &shape, &x, &dy, 0,
        );
        check_layer(&ReLU::default(), &shape, &x, &dy, 0);
        check_rounded(&LeakyReLU::new(slope).unwrap(), &LeakyReLU::new(slope16).unwrap(), &shape, &x, &dy, 0);
        check_rounded(&ThresholdedReLU::new(t).unwrap(), &ThresholdedReLU::new(t16).unwrap(), &shape, &x, &dy, 0);
        check_rounded(&ELU::new(slope).unwrap(), &ELU::new(slope16).unwrap(), &shape, &x, &dy, 1);
    }

    /// The piecewise-linear functions (a division in hard_sigmoid, hard_silu
    /// and softsign, a root in squareplus: 1 f16 ulp) and the axis
    /// functions (1 ulp), forward and backward.
    #[test]
    fn other_functions_on_f16((shape, x, _dy) in shaped(), t in -1.0f32..2.0) {
        if f16_context("other_functions_on_f16").is_none() {
            return Ok(());
        }
        let t16 = f16::from_f32(t).to_f32();
        let even_last = shape.last().is_some_and(|n| n % 2 == 0);
        for (name, kwargs, ulps) in [
            ("relu", serde_json::json!({"negative_slope": t16, "max_value": 4.0, "threshold": -t16}), 0),
            ("relu6", serde_json::json!({}), 0),
            ("leaky_relu", serde_json::json!({"negative_slope": t16}), 0),
            ("linear", serde_json::json!({}), 0),
            ("hard_tanh", serde_json::json!({}), 0),
            ("hard_shrink", serde_json::json!({"threshold": t16}), 0),
            ("soft_shrink", serde_json::json!({"threshold": t16}), 0),
            ("threshold", serde_json::json!({"threshold": t16, "default_value": -t16}), 0),
            ("sparse_sigmoid", serde_json::json!({}), 0),
            ("sparse_plus", serde_json::json!({}), 0),
            ("hard_sigmoid", serde_json::json!({}), 1),
            ("hard_silu", serde_json::json!({}), 1),
            ("softsign", serde_json::json!({}), 1),
            ("squareplus", serde_json::json!({"b": 4.0}), 1),
            ("softmax", serde_json::json!({}), 1),
            ("log_softmax", serde_json::json!({}), 1),
            ("sparsemax", serde_json::json!({}), 1),
            ("glu", serde_json::json!({}), 1),
        ] {
            if name == "glu" && !even_last {
                continue;
            }
            let layer = wgpu_activations::Activation::with_kwargs(name, &kwargs).unwrap();
            check_function(name, &layer, &shape, &x, ulps);
        }
    }

    #[test]
    fn transcendental_functions_on_f16((shape, x, dy) in shaped(), alpha in 0.25f32..2.0, approximate in any::<bool>()) {
        if f16_context("transcendental_functions_on_f16").is_none() {
            return Ok(());
        }
        let alpha16 = f16::from_f32(alpha).to_f32();
        for (name, kwargs) in [
            ("sigmoid", serde_json::json!({})),
            ("tanh", serde_json::json!({})),
            ("softplus", serde_json::json!({})),
            ("log_sigmoid", serde_json::json!({})),
            ("silu", serde_json::json!({})),
            ("mish", serde_json::json!({})),
            ("selu", serde_json::json!({})),
            ("celu", serde_json::json!({"alpha": alpha16})),
            ("gelu", serde_json::json!({"approximate": approximate})),
            ("exponential", serde_json::json!({})),
            ("tanh_shrink", serde_json::json!({})),
        ] {
            let layer = wgpu_activations::Activation::with_kwargs(name, &kwargs).unwrap();
            check_layer(&layer, &shape, &x, &dy, 1);
        }
    }

    #[test]
    fn prelu_on_f16_rounds_alpha_to_f16((shape, x, dy) in shaped().prop_filter("rank 2+", |(s, _, _)| s.len() >= 2), seed in 0u32..1000) {
        if f16_context("prelu_on_f16_rounds_alpha_to_f16").is_none() {
            return Ok(());
        }
        let prelu = PReLU::new().with_shared_axes(&[1]);
        prelu.build(&shape).unwrap();
        let n = prelu.alpha().unwrap().len();
        // f32 alphas that f16 cannot hold: the kernel rounds them as Keras casts them.
        let alpha: Vec<f32> = (0..n).map(|i| ((i as u32 * 37 + seed) % 101) as f32 / 77.0 - 0.6).collect();
        prelu.set_alpha(&alpha).unwrap();
        let rounded = PReLU::new().with_shared_axes(&[1]);
        rounded.build(&shape).unwrap();
        rounded.set_alpha(&alpha.iter().map(|&a| f16::from_f32(a).to_f32()).collect::<Vec<_>>()).unwrap();
        let xt = GpuTensor::from_f16(ctx(), &shape, &x).unwrap();
        let got = prelu.forward(ctx(), &xt).unwrap().to_f16_vec_blocking(ctx()).unwrap();
        assert_f16_close("PReLU f16", &x, &got, &rounded.reference(&shape, &widen(&x)).unwrap(), 0);
        let dyt = GpuTensor::from_f16(ctx(), &shape, &dy).unwrap();
        let got = prelu.backward(ctx(), &xt, &dyt).unwrap().to_f16_vec_blocking(ctx()).unwrap();
        let want = rounded.reference_backward(&shape, &widen(&x), &widen(&dy)).unwrap();
        assert_f16_close("PReLU f16 backward", &x, &got, &want, 0);
    }

    #[test]
    fn softmax_on_f16(
        (shape, x, dy) in shaped(),
        axis in -1i64..1,
        masked in prop::collection::vec(any::<bool>(), 8),
    ) {
        if f16_context("softmax_on_f16").is_none() {
            return Ok(());
        }
        let axis = if shape.len() == 1 { 0 } else { axis };
        let softmax = Softmax::new(axis);
        let last = *shape.last().unwrap();
        let keep: Vec<bool> = (0..last).map(|i| !masked[i % 8]).collect();
        let keep_values: Vec<f32> = keep.iter().map(|&k| if k { 1.0 } else { 0.0 }).collect();
        let mask = GpuTensor::from_mask(ctx(), &[last], &keep).unwrap();
        let xt = GpuTensor::from_f16(ctx(), &shape, &x).unwrap();
        let y = softmax.forward_masked(ctx(), &xt, Some(&mask)).unwrap();
        let y16 = y.to_f16_vec_blocking(ctx()).unwrap();
        let want = cpu::softmax_for(&softmax, &shape, &widen(&x), Some((&[last], &keep_values)), DType::F16).unwrap();
        assert_f16_close("Softmax f16", &x, &y16, &want, 1);

        let dyt = GpuTensor::from_f16(ctx(), &shape, &dy).unwrap();
        let dx = softmax.backward_masked(ctx(), &y, &dyt, Some(&mask)).unwrap();
        prop_assert_eq!(dx.shape(), shape.as_slice());
        let dx = dx.to_vec_blocking(ctx()).unwrap();
        let want = cpu::softmax_backward(&softmax, &shape, &widen(&y16), &widen(&dy), Some((&[last], &keep_values))).unwrap();
        assert_each("Softmax f16 backward", &dx, &want, |_, g, w| {
            // One f16 rounding of a value within the f32 bound of tests/backward.rs.
            let bound = f64::from(w.abs()) * 2f64.powi(-11) + 2f64.powi(-24) * 8.0 * (1.0 + f64::from(w.abs()));
            (f64::from(g) - f64::from(w)).abs() <= bound + 1e-3 * 2f64.powi(-10)
        });
    }
}

#[test]
fn f16_limits_round_trip_and_overflow() {
    let Some(ctx) = f16_context("f16_limits_round_trip_and_overflow") else {
        return;
    };
    let values = [65504.0f32, -65504.0, 7e4, -7e4, 6e-8, 1e-9, 0.1, f32::NAN];
    let t = GpuTensor::from_slice_as(ctx, &[8], &values, DType::F16).unwrap();
    assert_eq!(t.dtype(), DType::F16);
    assert_eq!(t.byte_len(), 16);
    let back = t.to_vec_blocking(ctx).unwrap();
    // Overflow to ±inf; f16 subnormals are stored as is; 1e-9 underflows to 0.
    let stored = [
        65504.0,
        -65504.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f16::from_f32(6e-8).to_f32(),
        0.0,
        f16::from_f32(0.1).to_f32(),
        f32::NAN,
    ];
    assert_all_close("f16 round trip", &values, &back, &stored, Tolerance::Exact);
    // ReLU(max 6) on the limits; ELU(-65504) is -alpha; odd lengths upload whole.
    let y = ReLU::new(Some(6.0), 0.0, 0.0)
        .unwrap()
        .forward(ctx, &t)
        .unwrap();
    let relu = y.to_vec_blocking(ctx).unwrap();
    assert_eq!(relu.len(), values.len(), "ReLU on the limits: length");
    assert_all_close(
        "ReLU(max 6) on the limits",
        &back[..4],
        &relu[..4],
        &[6.0, 0.0, 6.0, 0.0],
        Tolerance::Exact,
    );
    let odd = GpuTensor::from_slice_as(ctx, &[3], &[-65504.0, 1.0, -1.0], DType::F16).unwrap();
    let elu = ELU::default()
        .forward(ctx, &odd)
        .unwrap()
        .to_vec_blocking(ctx)
        .unwrap();
    let want = [-1.0, 1.0, f16::from_f32(-0.632_120_56).to_f32()];
    assert_all_close(
        "ELU on f16",
        &[-65504.0, 1.0, -1.0],
        &elu,
        &want,
        Tolerance::Exact,
    );
}

#[test]
fn mixed_types_are_rejected() {
    let Some(ctx) = f16_context("mixed_types_are_rejected") else {
        return;
    };
    let x16 = GpuTensor::from_slice_as(ctx, &[2], &[1.0, -1.0], DType::F16).unwrap();
    let dy32 = GpuTensor::from_slice(ctx, &[2], &[1.0, 1.0]).unwrap();
    let err = ReLU::default().backward(ctx, &x16, &dy32).unwrap_err();
    assert!(err.to_string().contains("holds f32"), "{err}");
    let x = GpuTensor::from_slice_as(ctx, &[1, 2], &[1.0, -1.0], DType::F16).unwrap();
    let dy = GpuTensor::from_slice_as(ctx, &[1, 2], &[1.0, 1.0], DType::F16).unwrap();
    let err = PReLU::new().alpha_gradient(ctx, &x, &dy).unwrap_err();
    assert!(err.to_string().contains("f32 x and dy"), "{err}");
    let half_mask = GpuTensor::from_slice_as(ctx, &[2], &[1.0, 0.0], DType::F16).unwrap();
    let err = Softmax::new(-1)
        .forward_masked(ctx, &x, Some(&half_mask))
        .unwrap_err();
    assert!(err.to_string().contains("mask must hold f32"), "{err}");
}

#[test]
fn f16_without_the_feature_is_a_clear_error() {
    // A device made without optional features has no SHADER_F16.
    let plain = plain_context();
    assert!(!plain.supports_f16());
    let err = GpuTensor::from_slice_as(&plain, &[2], &[1.0, 2.0], DType::F16).unwrap_err();
    assert!(matches!(err, Error::MissingFeature { .. }), "{err:?}");
    assert!(err.to_string().contains("SHADER_F16"), "{err}");
    let err = GpuTensor::from_f16(&plain, &[1], &[f16::ONE]).unwrap_err();
    assert!(err.to_string().contains("f16 tensors"), "{err}");
}

#[test]
fn lavapipe_runs_the_f16_path() {
    // CI's adapter (Mesa lavapipe) offers SHADER_F16, so there the numeric
    // tests above run rather than the error path; say which ran.
    let info = ctx().adapter_info();
    eprintln!(
        "f16 on {} ({:?}): {}",
        info.name,
        info.backend,
        ctx().supports_f16()
    );
    if info.name.contains("llvmpipe") && info.backend == wgpu_activations::wgpu::Backend::Vulkan {
        assert!(ctx().supports_f16(), "lavapipe offers SHADER_F16");
    }
}
