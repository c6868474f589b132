//! Backward passes on the GPU: every layer's `dx` against its CPU reference
//! (random shapes, parameters and values with proptest), against central
//! finite differences computed in f64 away from the kinks, and at the exact
//! kink points, where the subgradient must be Keras's.
//!
//! Tolerances: the piecewise-linear layers are exact (`dx` is `dy` times 0,
//! 1/2, 1 or a parameter); ELU within 6 ulps of `dy * alpha * exp(x)` in f64
//! (where `exp(x)` is subnormal, within `|alpha dy|` times the smallest
//! normal f32, since WGSL may flush it);
//! Softmax within `8 * eps * (|y| |dy| + |y| sum|dy y|)` per element (one f32
//! sum per row against f64); each transcendental `keras.activations`
//! function within its own bound in ulps of `dy f'(x)` in f64 (the
//! `*_BACKWARD_ULPS` constants: the worst tests/transcendental_ulps.rs
//! measured on lavapipe, plus one), silu, mish and gelu, whose derivatives
//! are sums of two terms with a root between, also within
//! `3 eps |dy| (|a| + |b|)` where `f' = a + b` cancels; finite differences
//! within `1e-3` relative.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{
    assert_all_close, assert_each, close, ctx, derivative_terms, softmax_backward_close, Tolerance,
};
use proptest::prelude::*;
use wgpu_activations::{
    Activation, GpuTensor, Layer, LeakyReLU, PReLU, ReLU, Saved, Sequential, Softmax,
    SoftmaxMapping, ThresholdedReLU, ELU,
};

const ELU_ULPS: u32 = 6;

/// One f32 division against a correctly rounded CPU twin: WGSL lets the
/// GPU's division be 2.5 ulps off (lavapipe's is exact).
const DIVISION_ULPS: u32 = 3;

/// squareplus's `dy * y / sqrt(x^2 + b)` (docs/KERAS.md, "Activation functions").
const SQUAREPLUS_ULPS: u32 = 6;

// The transcendental functions' bounds, backward, in ulps of `dy f'(x)` in
// f64 (measured worst + 1, with dy's product). Where f'(x) underflows the
// kernels carry it as m * 2^k and round dy f'(x) once, so no absolute
// floor is needed there.
const SIGMOID_BACKWARD_ULPS: u32 = 4;
const TANH_BACKWARD_ULPS: u32 = 4;
const SOFTPLUS_BACKWARD_ULPS: u32 = 4;
const LOG_SIGMOID_BACKWARD_ULPS: u32 = 4;
const SELU_BACKWARD_ULPS: u32 = 4;
const CELU_BACKWARD_ULPS: u32 = 3;
const EXPONENTIAL_BACKWARD_ULPS: u32 = 3;
const TANH_SHRINK_BACKWARD_ULPS: u32 = 5;
// silu', mish' and gelu' are `a + b` with a root between (at -1.2785,
// -1.1924, -0.7518): near it no f32 evaluation keeps relative precision,
// so the bound there is absolute, `CANCELLING_EPS` eps of `|dy| (|a| + |b|)`
// (`common::derivative_terms`); elsewhere these ulps.
const SILU_BACKWARD_ULPS: u32 = 5;
const MISH_BACKWARD_ULPS: u32 = 9;
const GELU_BACKWARD_ULPS: u32 = 7;
const CANCELLING_EPS: f64 = 3.0;

/// An elementwise function's plain f64 formula.
type Formula = Box<dyn Fn(f64) -> f64>;

/// `keras.activations.<name>(x, **kwargs)` as a layer.
fn function(name: &str, kwargs: serde_json::Value) -> Activation {
    Activation::with_kwargs(name, &kwargs).unwrap()
}

/// [`check`] for silu, mish and gelu: within `ulps`, or within
/// `CANCELLING_EPS * eps * |dy| * terms(x)` (see the constants).
fn check_cancelling(layer: &Activation, shape: &[usize], x: &[f32], dy: &[f32], ulps: u32) {
    let approximate = layer.kwargs()["approximate"] == true;
    let (gpu, cpu) = both(layer, shape, x, dy);
    let what = format!("{} {} backward on {shape:?}", layer.name(), layer.kwargs());
    assert_each(&what, &gpu, &cpu, |i, g, c| {
        let terms = derivative_terms(layer.name(), approximate, x[i]).unwrap();
        let floor = CANCELLING_EPS * f64::from(f32::EPSILON) * f64::from(dy[i]).abs() * terms;
        let ok = close(g, c, Tolerance::Ulps(ulps))
            || (g.is_finite() && c.is_finite() && (f64::from(g) - f64::from(c)).abs() <= floor);
        if !ok {
            eprintln!(
                "{what}: x {:e} ({:#010x}), dy {:e}",
                x[i],
                x[i].to_bits(),
                dy[i]
            );
        }
        ok
    });
}

/// `dx` from the GPU and from the CPU reference.
fn both(layer: &dyn Layer, shape: &[usize], saved: &[f32], dy: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let s = GpuTensor::from_slice(ctx(), shape, saved).unwrap();
    let g = GpuTensor::from_slice(ctx(), shape, dy).unwrap();
    let dx = layer.backward(ctx(), &s, &g).unwrap();
    assert_eq!(dx.shape(), shape);
    (
        dx.to_vec_blocking(ctx()).unwrap(),
        layer.reference_backward(shape, saved, dy).unwrap(),
    )
}

fn check(layer: &dyn Layer, shape: &[usize], x: &[f32], dy: &[f32], tol: Tolerance) {
    let (gpu, cpu) = both(layer, shape, x, dy);
    assert_all_close(
        &format!("{} backward on {shape:?}", layer.class_name()),
        x,
        &gpu,
        &cpu,
        tol,
    );
}

/// Shapes of rank 1..=4 with dims including 1 and, in about 4% of shapes, 0;
/// at most ~2000 elements.
fn shapes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(
        prop_oneof![1 => Just(0usize), 10 => Just(1), 30 => 1usize..6, 20 => 6usize..30],
        1..=4,
    )
    .prop_filter("small enough", |s| s.iter().product::<usize>() <= 2000)
}

/// Empty tensors are an edge worth a few cases, not the budget: before
/// weighting, a 0 dim came one time in four and most cases compared nothing.
#[test]
fn few_generated_shapes_are_empty() {
    let empty = common::empty_shapes_in_2000(shapes());
    assert!(
        (20..=200).contains(&empty),
        "{empty} of 2000 shapes are empty"
    );
}

/// Values around the layer's kinks `points` (the points and their float
/// neighbours), ±0, large magnitudes and ordinary values.
fn value(points: Vec<f32>) -> impl Strategy<Value = f32> {
    let specials: Vec<f32> = points
        .iter()
        .flat_map(|&p| [p, p.next_up(), p.next_down(), -p])
        .chain([
            0.0,
            -0.0,
            1e4,
            -1e4,
            3e38,
            -3e38,
            -1e-7,
            1e-7,
            -90.0,
            -200.0,
            f32::NAN,
        ])
        .collect();
    prop_oneof![
        prop::sample::select(specials),
        -10.0f32..10.0,
        prop::num::f32::NORMAL
    ]
}

fn upstream() -> impl Strategy<Value = f32> {
    prop_oneof![-4.0f32..4.0, Just(0.0), Just(1.0), prop::num::f32::NORMAL]
}

/// A shape with x (around `points`) and dy.
fn case(points: Vec<f32>) -> impl Strategy<Value = (Vec<usize>, Vec<f32>, Vec<f32>)> {
    shapes().prop_flat_map(move |s| {
        let n: usize = s.iter().product();
        (
            Just(s),
            prop::collection::vec(value(points.clone()), n),
            prop::collection::vec(upstream(), n),
        )
    })
}

fn parameter() -> impl Strategy<Value = f32> {
    prop_oneof![Just(0.0f32), Just(0.5), Just(6.0), 0.0f32..3.0]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn relu_backward_matches_cpu(
        ((max_value, slope, threshold), (shape, x, dy)) in (prop::option::of(parameter()), parameter(), parameter())
            .prop_flat_map(|(m, s, t)| {
                let mut points = vec![t, 0.0];
                points.extend(m);
                (Just((m, s, t)), case(points))
            })
    ) {
        let layer = ReLU::new(max_value, slope, threshold).unwrap();
        check(&layer, &shape, &x, &dy, Tolerance::Exact);
    }

    #[test]
    fn leaky_relu_backward_matches_cpu(slope in 0.0f32..2.0, (shape, x, dy) in case(vec![0.0])) {
        check(&LeakyReLU::new(slope).unwrap(), &shape, &x, &dy, Tolerance::Exact);
    }

    #[test]
    fn elu_backward_matches_cpu(alpha in -2.0f32..3.0, (shape, x, dy) in case(vec![0.0, -87.0, -88.0])) {
        let elu = ELU::new(alpha).unwrap();
        let (gpu, mut cpu) = both(&elu, &shape, &x, &dy);
        // Below x = -87.34, exp(x) is subnormal in f32: WGSL may flush it to 0,
        // and otherwise it carries fewer bits. There the error bound is
        // |alpha dy| times the smallest normal f32.
        for (i, c) in cpu.iter_mut().enumerate() {
            let subnormal = f64::from(x[i]).exp() < f64::from(f32::MIN_POSITIVE);
            let bound = f64::from(alpha * dy[i]).abs() * f64::from(f32::MIN_POSITIVE);
            if subnormal && (f64::from(gpu[i]) - f64::from(*c)).abs() <= bound {
                *c = gpu[i];
            }
        }
        assert_all_close("ELU backward", &x, &gpu, &cpu, Tolerance::Ulps(ELU_ULPS));
    }

    #[test]
    fn relu6_backward_matches_cpu((shape, x, dy) in case(vec![0.0, 6.0])) {
        check(&Activation::new("relu6").unwrap(), &shape, &x, &dy, Tolerance::Exact);
    }

    #[test]
    fn relu_function_backward_matches_cpu(
        ((max_value, slope, threshold), (shape, x, dy)) in (prop::option::of(parameter()), -2.0f32..2.0, -2.0f32..2.0)
            .prop_flat_map(|(m, s, t)| {
                let mut points = vec![t, 0.0];
                points.extend(m);
                (Just((m, s, t)), case(points))
            })
    ) {
        check(&Activation::relu(slope, max_value, threshold).unwrap(), &shape, &x, &dy, Tolerance::Exact);
    }

    #[test]
    fn leaky_relu_function_backward_matches_cpu(slope in -2.0f32..2.0, (shape, x, dy) in case(vec![0.0])) {
        check(&Activation::leaky_relu(slope).unwrap(), &shape, &x, &dy, Tolerance::Exact);
    }

    #[test]
    fn linear_backward_matches_cpu((shape, x, dy) in case(vec![])) {
        check(&Activation::new("linear").unwrap(), &shape, &x, &dy, Tolerance::Exact);
    }

    #[test]
    fn hard_tanh_backward_matches_cpu((shape, x, dy) in case(vec![1.0])) {
        check(&Activation::new("hard_tanh").unwrap(), &shape, &x, &dy, Tolerance::Exact);
    }

    #[test]
    fn hard_shrink_backward_matches_cpu((t, (shape, x, dy)) in (-1.0f32..2.0).prop_flat_map(|t| (Just(t), case(vec![t])))) {
        check(&Activation::hard_shrink(t).unwrap(), &shape, &x, &dy, Tolerance::Exact);
    }

    #[test]
    fn soft_shrink_backward_matches_cpu((t, (shape, x, dy)) in (-1.0f32..2.0).prop_flat_map(|t| (Just(t), case(vec![t])))) {
        check(&Activation::soft_shrink(t).unwrap(), &shape, &x, &dy, Tolerance::Exact);
    }

    #[test]
    fn threshold_backward_matches_cpu(
        ((t, default), (shape, x, dy)) in (-2.0f32..2.0, -2.0f32..2.0).prop_flat_map(|p| (Just(p), case(vec![p.0])))
    ) {
        check(&Activation::threshold(t, default).unwrap(), &shape, &x, &dy, Tolerance::Exact);
    }

    /// Kinks where `x + 1` rounds to 0 or 2 (0.25) included.
    #[test]
    fn sparse_sigmoid_backward_matches_cpu((shape, x, dy) in case(vec![1.0, 1.0 - f32::EPSILON / 2.0])) {
        check(&Activation::new("sparse_sigmoid").unwrap(), &shape, &x, &dy, Tolerance::Exact);
    }

    #[test]
    fn sparse_plus_backward_matches_cpu((shape, x, dy) in case(vec![1.0])) {
        check(&Activation::new("sparse_plus").unwrap(), &shape, &x, &dy, Tolerance::Exact);
    }

    /// `dy / 6`: WGSL lets the GPU's division be 2.5 ulps off.
    #[test]
    fn hard_sigmoid_backward_matches_cpu((shape, x, dy) in case(vec![3.0])) {
        check(&Activation::new("hard_sigmoid").unwrap(), &shape, &x, &dy, Tolerance::Ulps(DIVISION_ULPS));
    }

    /// `dy * ((2x + 3) / 6)` against f64.
    #[test]
    fn hard_silu_backward_matches_cpu((shape, x, dy) in case(vec![3.0, 1.5])) {
        check(&Activation::new("hard_silu").unwrap(), &shape, &x, &dy, Tolerance::Ulps(DIVISION_ULPS + 1));
    }

    /// `dy / (|x| + 1) / (|x| + 1)` against f64: two divisions.
    #[test]
    fn softsign_backward_matches_cpu((shape, x, dy) in case(vec![1.0])) {
        check(&Activation::new("softsign").unwrap(), &shape, &x, &dy, Tolerance::Ulps(2 * DIVISION_ULPS + 1));
    }

    #[test]
    fn squareplus_backward_matches_cpu(b in prop_oneof![Just(4.0f32), Just(0.0), 0.0f32..20.0, 0.0f32..1e30], (shape, x, dy) in case(vec![1e18, 1.8e19])) {
        check(&Activation::squareplus(b).unwrap(), &shape, &x, &dy, Tolerance::Ulps(SQUAREPLUS_ULPS));
    }

    #[test]
    fn sigmoid_backward_matches_cpu((shape, x, dy) in case(vec![0.0, 88.0, 103.0])) {
        check(&Activation::new("sigmoid").unwrap(), &shape, &x, &dy, Tolerance::Ulps(SIGMOID_BACKWARD_ULPS));
    }

    #[test]
    fn tanh_backward_matches_cpu((shape, x, dy) in case(vec![0.0, 0.55, 44.0])) {
        check(&Activation::new("tanh").unwrap(), &shape, &x, &dy, Tolerance::Ulps(TANH_BACKWARD_ULPS));
    }

    #[test]
    fn softplus_backward_matches_cpu((shape, x, dy) in case(vec![0.0, 88.0, 103.0])) {
        check(&Activation::new("softplus").unwrap(), &shape, &x, &dy, Tolerance::Ulps(SOFTPLUS_BACKWARD_ULPS));
    }

    #[test]
    fn log_sigmoid_backward_matches_cpu((shape, x, dy) in case(vec![0.0, 88.0, 103.0])) {
        check(&Activation::new("log_sigmoid").unwrap(), &shape, &x, &dy, Tolerance::Ulps(LOG_SIGMOID_BACKWARD_ULPS));
    }

    #[test]
    fn silu_backward_matches_cpu((shape, x, dy) in case(vec![0.0, 1.278_464_5, 88.0])) {
        check_cancelling(&Activation::new("silu").unwrap(), &shape, &x, &dy, SILU_BACKWARD_ULPS);
    }

    #[test]
    fn mish_backward_matches_cpu((shape, x, dy) in case(vec![0.0, 0.25, 1.192_431_2, 88.0])) {
        check_cancelling(&Activation::new("mish").unwrap(), &shape, &x, &dy, MISH_BACKWARD_ULPS);
    }

    #[test]
    fn gelu_backward_matches_cpu(
        approximate in any::<bool>(),
        (shape, x, dy) in case(vec![0.0, std::f32::consts::FRAC_1_SQRT_2, 0.751_791_5, 0.752_461_4, 14.0]),
    ) {
        let gelu = function("gelu", serde_json::json!({"approximate": approximate}));
        check_cancelling(&gelu, &shape, &x, &dy, GELU_BACKWARD_ULPS);
    }

    #[test]
    fn selu_backward_matches_cpu((shape, x, dy) in case(vec![0.0, 88.0])) {
        check(&Activation::new("selu").unwrap(), &shape, &x, &dy, Tolerance::Ulps(SELU_BACKWARD_ULPS));
    }

    #[test]
    fn celu_backward_matches_cpu(
        (alpha, (shape, x, dy)) in prop_oneof![Just(1.0f32), -2.0f32..3.0]
            .prop_filter("alpha 0 is refused", |a| *a != 0.0)
            .prop_flat_map(|a| (Just(a), case(vec![0.0, 0.346_573_6 * a, 88.0 * a])))
    ) {
        let celu = function("celu", serde_json::json!({"alpha": alpha}));
        check(&celu, &shape, &x, &dy, Tolerance::Ulps(CELU_BACKWARD_ULPS));
    }

    #[test]
    fn exponential_backward_matches_cpu((shape, x, dy) in case(vec![0.0, 88.722_84, 87.336_55, 103.97, 150.0])) {
        check(&Activation::new("exponential").unwrap(), &shape, &x, &dy, Tolerance::Ulps(EXPONENTIAL_BACKWARD_ULPS));
    }

    #[test]
    fn tanh_shrink_backward_matches_cpu((shape, x, dy) in case(vec![0.0, 1.0, 1e-20])) {
        check(&Activation::new("tanh_shrink").unwrap(), &shape, &x, &dy, Tolerance::Ulps(TANH_SHRINK_BACKWARD_ULPS));
    }

    #[test]
    fn thresholded_relu_backward_matches_cpu(theta in 0.0f32..3.0, (shape, x, dy) in case(vec![0.0, 1.0])) {
        check(&ThresholdedReLU::new(theta).unwrap(), &shape, &x, &dy, Tolerance::Exact);
    }

    #[test]
    fn prelu_backward_matches_cpu(
        (shape, x, dy) in case(vec![0.0]).prop_filter("rank 2+", |(s, _, _)| s.len() >= 2),
        shared in prop::collection::vec(1i64..4, 0..3),
        seed in any::<u64>(),
    ) {
        let shared: Vec<i64> = shared.into_iter().filter(|&a| (a as usize) < shape.len()).collect();
        let prelu = PReLU::new().with_shared_axes(&shared);
        prelu.build(&shape).unwrap();
        let n = prelu.alpha().unwrap().len();
        let alpha: Vec<f32> = (0..n).map(|i| ((seed.rotate_left(i as u32 % 64) % 997) as f32 - 498.0) / 200.0).collect();
        prelu.set_alpha(&alpha).unwrap();
        check(&prelu, &shape, &x, &dy, Tolerance::Exact);
    }

    #[test]
    fn softmax_backward_matches_cpu(
        (shape, axes, y, dy) in shapes()
            .prop_filter("rank 2+", |s| s.len() >= 2)
            .prop_flat_map(|s| {
                let n: usize = s.iter().product();
                let rank = s.len() as i64;
                (
                    Just(s),
                    prop::sample::subsequence((0..rank).collect::<Vec<_>>(), 1..=rank as usize),
                    prop::collection::vec(0.0f32..1.0, n),
                    prop::collection::vec(-4.0f32..4.0, n),
                )
            }),
        invocation in any::<bool>(),
    ) {
        let mapping = if invocation { SoftmaxMapping::InvocationPerRow } else { SoftmaxMapping::WorkgroupPerRow };
        let softmax = Softmax::axes(&axes).with_mapping(mapping);
        check_softmax(&softmax, &shape, &y, &dy, None);
    }
}

/// Softmax backward (optionally masked) against the CPU reference, within
/// `8 eps (|y| |dy| + |y| sum |dy y|)`: the GPU sums each row in f32.
fn check_softmax(
    softmax: &Softmax,
    shape: &[usize],
    y: &[f32],
    dy: &[f32],
    mask: Option<(&[usize], &[bool])>,
) {
    let yt = GpuTensor::from_slice(ctx(), shape, y).unwrap();
    let dyt = GpuTensor::from_slice(ctx(), shape, dy).unwrap();
    let mask_tensor = mask.map(|(s, m)| GpuTensor::from_mask(ctx(), s, m).unwrap());
    let gpu = softmax
        .backward_masked(ctx(), &yt, &dyt, mask_tensor.as_ref())
        .unwrap()
        .to_vec_blocking(ctx())
        .unwrap();
    let mask_values: Option<(Vec<usize>, Vec<f32>)> = mask.map(|(s, m)| {
        (
            s.to_vec(),
            m.iter().map(|&k| if k { 1.0 } else { 0.0 }).collect(),
        )
    });
    let cpu = wgpu_activations::cpu::softmax_backward(
        softmax,
        shape,
        y,
        dy,
        mask_values
            .as_ref()
            .map(|(s, v)| (s.as_slice(), v.as_slice())),
    )
    .unwrap();
    // Σ|dy·y| over each element's own row: the bound is per row, as the
    // docs/ACCURACY.md states, not over the whole tensor.
    let rank = shape.len() as i64;
    let axes: Vec<usize> = softmax
        .axis_list()
        .iter()
        .map(|&a| a.rem_euclid(rank) as usize)
        .collect();
    let mut row_scale = vec![0.0f64; y.len()];
    for row in common::oracles::rows(shape, &axes) {
        let sum: f64 = row.iter().map(|&i| f64::from(y[i] * dy[i]).abs()).sum();
        row.iter().for_each(|&i| row_scale[i] = sum);
    }
    let what = format!(
        "softmax backward on {shape:?} axes {:?}",
        softmax.axis_list()
    );
    assert_each(&what, &gpu, &cpu, |i, g, c| {
        softmax_backward_close(g, c, y[i], dy[i], row_scale[i])
    });
}

/// Central differences in f64 of `L(x) = sum(dy * f(x))` for an elementwise
/// `f`, against the GPU's `dx`, at points at least `4h` from every kink.
fn check_finite_differences(
    layer: &dyn Layer,
    f: impl Fn(f64) -> f64,
    kinks: &[f64],
    x: &[f32],
    dy: &[f32],
) {
    let h = 1e-4;
    let (gpu, _) = both(layer, &[x.len()], x, dy);
    for ((&xi, &dyi), &g) in x.iter().zip(dy).zip(&gpu) {
        let xi = f64::from(xi);
        if kinks.iter().any(|k| (xi - k).abs() < 4.0 * h) {
            continue;
        }
        let numeric = f64::from(dyi) * (f(xi + h) - f(xi - h)) / (2.0 * h);
        let err = (f64::from(g) - numeric).abs();
        assert!(
            err <= 1e-3 * numeric.abs().max(1e-2),
            "{}: x {xi}: gpu dx {g} vs finite difference {numeric}",
            layer.class_name()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn elementwise_backward_matches_finite_differences(
        x in prop::collection::vec(-8.0f32..8.0, 1..200),
        seed in 0u32..1000,
        (slope, threshold, max_value) in (0.0f32..2.0, 0.0f32..2.0, 2.5f32..7.0),
    ) {
        let dy: Vec<f32> = (0..x.len()).map(|i| ((i as u32 * 7919 + seed) % 17) as f32 / 4.0 - 2.0).collect();
        let (s, t, m) = (f64::from(slope), f64::from(threshold), f64::from(max_value));
        let relu = ReLU::new(Some(max_value), slope, threshold).unwrap();
        check_finite_differences(&relu, |x| if x > t { x.min(m) } else { s * (x - t) }, &[t, m, 0.0], &x, &dy);
        let relu = ReLU::new(None, slope, 0.0).unwrap();
        check_finite_differences(&relu, |x| if x >= 0.0 { x } else { s * x }, &[0.0], &x, &dy);
        let leaky = LeakyReLU::new(slope).unwrap();
        check_finite_differences(&leaky, |x| if x >= 0.0 { x } else { s * x }, &[0.0], &x, &dy);
        let elu = ELU::new(slope).unwrap();
        check_finite_differences(&elu, |x| if x > 0.0 { x } else { s * x.exp_m1() }, &[0.0], &x, &dy);
        let thresholded = ThresholdedReLU::new(threshold).unwrap();
        check_finite_differences(&thresholded, |x| if x > t { x } else { 0.0 }, &[t], &x, &dy);
        // The transcendental functions, from their plain f64 formulas.
        let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
        let softplus = |x: f64| x.max(0.0) + (-x.abs()).exp().ln_1p();
        let none = || serde_json::json!({});
        let a = s + 0.25;
        let smooth: Vec<(Activation, Formula)> = vec![
            (function("sigmoid", none()), Box::new(sigmoid)),
            (function("tanh", none()), Box::new(f64::tanh)),
            (function("softplus", none()), Box::new(softplus)),
            (function("log_sigmoid", none()), Box::new(move |x| -softplus(-x))),
            (function("silu", none()), Box::new(move |x| x * sigmoid(x))),
            (function("mish", none()), Box::new(move |x| x * softplus(x).tanh())),
            (function("selu", none()), Box::new(|x| {
                1.050_700_987_355_480_5 * if x > 0.0 { x } else { 1.673_263_242_354_377_3 * x.exp_m1() }
            })),
            (function("celu", serde_json::json!({"alpha": a})), Box::new(move |x| x.max(0.0) + a * (x.min(0.0) / a).exp_m1())),
            (function("gelu", none()), Box::new(|x| 0.5 * x * libm::erfc(-x / 2f64.sqrt()))),
            (function("gelu", serde_json::json!({"approximate": true})), Box::new(|x| {
                0.5 * x * (1.0 + ((2.0 / std::f64::consts::PI).sqrt() * (x + 0.044_715 * x * x * x)).tanh())
            })),
            (function("exponential", none()), Box::new(f64::exp)),
            (function("tanh_shrink", none()), Box::new(|x| x - x.tanh())),
        ];
        for (layer, f) in &smooth {
            check_finite_differences(layer, f, &[], &x, &dy);
        }
    }

    #[test]
    fn softmax_backward_matches_finite_differences(
        logits in prop::collection::vec(-4.0f32..4.0, 2..40),
        seed in 0u32..1000,
    ) {
        let n = logits.len();
        let dy: Vec<f32> = (0..n).map(|i| ((i as u32 * 104_729 + seed) % 13) as f32 / 3.0 - 2.0).collect();
        let softmax = Softmax::new(-1);
        let x = GpuTensor::from_slice(ctx(), &[1, n], &logits).unwrap();
        let y = softmax.forward(ctx(), &x).unwrap();
        let dyt = GpuTensor::from_slice(ctx(), &[1, n], &dy).unwrap();
        let dx = softmax.backward(ctx(), &y, &dyt).unwrap().to_vec_blocking(ctx()).unwrap();
        let loss = |z: &[f64]| {
            let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = z.iter().map(|v| (v - max).exp()).sum();
            z.iter().zip(&dy).map(|(v, &d)| f64::from(d) * (v - max).exp() / sum).sum::<f64>()
        };
        let h = 1e-4;
        for i in 0..n {
            let mut z: Vec<f64> = logits.iter().map(|&v| f64::from(v)).collect();
            z[i] += h;
            let up = loss(&z);
            z[i] -= 2.0 * h;
            let numeric = (up - loss(&z)) / (2.0 * h);
            prop_assert!((f64::from(dx[i]) - numeric).abs() <= 1e-4 + 1e-3 * numeric.abs(),
                "element {i}: gpu {} vs finite difference {numeric}", dx[i]);
        }
    }
}

/// dx for a single `x` with `dy = 1`.
fn derivative_at(layer: &dyn Layer, x: f32) -> f32 {
    let (gpu, cpu) = both(layer, &[1], &[x], &[1.0]);
    assert!(
        gpu[0].to_bits() == cpu[0].to_bits() || (gpu[0].is_nan() && cpu[0].is_nan()),
        "{} at {x}: gpu {} vs cpu {}",
        layer.class_name(),
        gpu[0],
        cpu[0]
    );
    gpu[0]
}

#[test]
fn subgradients_at_kinks_are_keras() {
    // ReLU(): jax.nn.relu, 0 at 0.
    let relu = ReLU::default();
    assert_eq!(derivative_at(&relu, 0.0), 0.0);
    assert_eq!(derivative_at(&relu, -0.0), 0.0);
    assert_eq!(derivative_at(&relu, f32::MIN_POSITIVE), 1.0);
    // A threshold: x * (x > threshold), 0 at the threshold.
    let relu = ReLU::new(None, 0.0, 1.5).unwrap();
    assert_eq!(derivative_at(&relu, 1.5), 0.0);
    assert_eq!(derivative_at(&relu, 1.5f32.next_up()), 1.0);
    // Slope and threshold: slope strictly below, 0 at the threshold.
    let relu = ReLU::new(None, 0.25, 1.5).unwrap();
    assert_eq!(derivative_at(&relu, 1.5), 0.0);
    assert_eq!(derivative_at(&relu, 1.5f32.next_down()), 0.25);
    // Slope alone is jax.nn.leaky_relu: 1 at 0.
    let relu = ReLU::new(None, 0.25, 0.0).unwrap();
    assert_eq!(derivative_at(&relu, 0.0), 1.0);
    assert_eq!(derivative_at(&relu, -0.0), 1.0);
    // A clip: JAX's clip splits the tie at max_value.
    let relu = ReLU::new(Some(3.0), 0.0, 0.0).unwrap();
    assert_eq!(derivative_at(&relu, 3.0), 0.5);
    assert_eq!(derivative_at(&relu, 3.0f32.next_down()), 1.0);
    assert_eq!(derivative_at(&relu, 3.0f32.next_up()), 0.0);
    let relu = ReLU::new(Some(3.0), 0.0, 1.0).unwrap();
    assert_eq!(derivative_at(&relu, 3.0), 0.5);
    assert_eq!(derivative_at(&relu, 1.0), 0.0);
    let relu = ReLU::new(Some(3.0), 0.5, 0.0).unwrap();
    assert_eq!(derivative_at(&relu, 0.0), 0.0);
    assert_eq!(derivative_at(&relu, -1.0), 0.5);
    // max_value 6 without threshold is jax.nn.relu6: 0 at 0 and at 6.
    let relu6 = ReLU::new(Some(6.0), 0.0, 0.0).unwrap();
    assert_eq!(derivative_at(&relu6, 6.0), 0.0);
    assert_eq!(derivative_at(&relu6, 0.0), 0.0);
    assert_eq!(derivative_at(&relu6, 5.0), 1.0);
    // max_value 6 with a threshold is the generic clip again.
    let relu = ReLU::new(Some(6.0), 0.0, 1.0).unwrap();
    assert_eq!(derivative_at(&relu, 6.0), 0.5);

    let leaky = LeakyReLU::new(0.3).unwrap();
    assert_eq!(derivative_at(&leaky, 0.0), 1.0);
    assert_eq!(derivative_at(&leaky, -0.0), 1.0);
    assert_eq!(derivative_at(&leaky, -1.0), 0.3);

    let elu = ELU::new(0.7).unwrap();
    assert_eq!(derivative_at(&elu, 0.0), 0.7);
    assert_eq!(derivative_at(&elu, f32::NEG_INFINITY), 0.0);
    assert_eq!(derivative_at(&elu, 1e-30), 1.0);

    let thresholded = ThresholdedReLU::new(1.0).unwrap();
    assert_eq!(derivative_at(&thresholded, 1.0), 0.0);
    assert_eq!(derivative_at(&thresholded, 1.0f32.next_up()), 1.0);

    let prelu = PReLU::new();
    prelu.build(&[1, 1]).unwrap();
    prelu.set_alpha(&[0.4]).unwrap();
    let (gpu, _) = both(&prelu, &[1, 3], &[0.0, -0.0, -2.0], &[1.0, 1.0, 1.0]);
    assert_eq!(gpu, vec![0.0, 0.0, 0.4]);
}

/// The transcendental functions' derivatives at ±inf and ±0 (with dy = 1),
/// bit for bit on the GPU and the CPU twin, where NaN x gives NaN, and an
/// infinite dy gives ±inf wherever the exact derivative is nonzero, however
/// far it underflows (`sigmoid'(-1e4)`), NaN where it is 0 (`sigmoid'(inf)`).
#[test]
fn transcendental_derivative_edges() {
    let (nan, inf) = (f32::NAN, f32::INFINITY);
    let x = [nan, inf, -inf, -0.0, 0.0, -1e4, -1e4, inf, 1.0];
    let dy = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, inf, inf, nan];
    // f'(+inf), f'(-inf), f'(±0), then dy * f'(-1e4) for dy = 1 and inf,
    // then dy = inf at +inf, where f'(+inf) = 0 gives NaN.
    let none = || serde_json::json!({});
    let (quarter, half) = (0.25, 0.5);
    let cases: Vec<(Activation, [f32; 9])> = vec![
        (
            function("sigmoid", none()),
            [nan, 0.0, 0.0, quarter, quarter, 0.0, inf, nan, nan],
        ),
        (
            function("tanh", none()),
            [nan, 0.0, 0.0, 1.0, 1.0, 0.0, inf, nan, nan],
        ),
        (
            function("softplus", none()),
            [nan, 1.0, 0.0, half, half, 0.0, inf, inf, nan],
        ),
        (
            function("log_sigmoid", none()),
            [nan, 0.0, 1.0, half, half, 1.0, inf, nan, nan],
        ),
        // silu'(x) < 0 far left, so dy = inf gives -inf there.
        (
            function("silu", none()),
            [nan, 1.0, -0.0, half, half, -0.0, -inf, inf, nan],
        ),
        (
            function("mish", none()),
            [nan, 1.0, -0.0, 0.6, 0.6, -0.0, -inf, inf, nan],
        ),
        (
            function("selu", none()),
            [
                nan,
                1.050_701,
                0.0,
                1.758_099_3,
                1.758_099_3,
                0.0,
                inf,
                inf,
                nan,
            ],
        ),
        (
            function("celu", none()),
            [nan, 1.0, 0.0, 1.0, 1.0, 0.0, inf, inf, nan],
        ),
        (
            function("gelu", none()),
            [nan, 1.0, -0.0, half, half, -0.0, -inf, inf, nan],
        ),
        (
            function("gelu", serde_json::json!({"approximate": true})),
            [nan, 1.0, -0.0, half, half, -0.0, -inf, inf, nan],
        ),
        (
            function("exponential", none()),
            [nan, inf, 0.0, 1.0, 1.0, 0.0, inf, inf, nan],
        ),
        (
            function("tanh_shrink", none()),
            [nan, 1.0, 1.0, 0.0, 0.0, 1.0, inf, inf, nan],
        ),
    ];
    for (layer, want) in &cases {
        let what = format!("{} {} backward", layer.name(), layer.kwargs());
        let (gpu, cpu) = both(layer, &[x.len()], &x, &dy);
        // mish'(0) = 0.6 is a sum of roundings: within an ulp.
        assert_all_close(&what, &x, &gpu, want, Tolerance::Ulps(1));
        assert_all_close(
            &format!("{what} (CPU twin)"),
            &x,
            &cpu,
            want,
            Tolerance::Ulps(1),
        );
    }
    // The tails keep their bits where f'(x) alone is subnormal or 0 in f32:
    // dy = 2^100 times sigmoid'(-100) = 3.7e-44, gelu'(-13) = -1.0e-36.
    let big = 2f32.powi(100);
    for (name, kwargs, x, exact) in [
        ("sigmoid", none(), -100.0f32, 3.720_075_976_020_836e-44f64),
        ("exponential", none(), -100.0, 3.720_075_976_020_836e-44),
        ("gelu", none(), -13.0, -1.033_733_4e-36),
    ] {
        let (gpu, _) = both(&function(name, kwargs), &[1], &[x], &[big]);
        let want = exact * f64::from(big);
        assert!(
            ((f64::from(gpu[0]) - want) / want).abs() < 1e-6,
            "{name}'({x}) * 2^100 = {:e}, want {want:e}",
            gpu[0]
        );
    }
}

#[test]
fn nan_policy_in_backward() {
    let layers: Vec<Box<dyn Layer>> = vec![
        Box::new(ReLU::new(Some(6.0), 0.1, 0.5).unwrap()),
        Box::new(LeakyReLU::new(0.2).unwrap()),
        Box::new(ELU::default()),
        Box::new(ThresholdedReLU::new(1.0).unwrap()),
    ];
    for layer in &layers {
        let x = [f32::NAN, 1.0, -1.0, 2.0];
        let dy = [1.0, f32::NAN, 1.0, f32::INFINITY];
        let (gpu, cpu) = both(layer.as_ref(), &[4], &x, &dy);
        assert_all_close(
            layer.class_name(),
            &x,
            &gpu,
            &cpu,
            Tolerance::Ulps(ELU_ULPS),
        );
        assert!(
            gpu[0].is_nan(),
            "{}: NaN x gives NaN dx",
            layer.class_name()
        );
        assert!(
            gpu[1].is_nan(),
            "{}: NaN dy gives NaN dx",
            layer.class_name()
        );
    }
    // inf dy where the derivative is 0: the IEEE product is NaN, never a silent 0.
    let (gpu, _) = both(&ReLU::default(), &[1], &[-1.0], &[f32::INFINITY]);
    assert!(gpu[0].is_nan());
    // Softmax: a NaN anywhere in a row's dy poisons the row.
    let softmax = Softmax::new(-1);
    let (gpu, _) = both(
        &softmax,
        &[2, 2],
        &[0.5, 0.5, 0.25, 0.75],
        &[f32::NAN, 0.0, 1.0, 0.0],
    );
    assert!(gpu[0].is_nan() && gpu[1].is_nan());
    assert_eq!(gpu[2], 0.25 * (1.0 - 0.25));
}

#[test]
fn masked_softmax_backward_gives_zero_where_masked() {
    let shape = [3, 5];
    let y: Vec<f32> = (0..15).map(|i| (i % 5) as f32 / 10.0).collect();
    let dy: Vec<f32> = (0..15).map(|i| i as f32 - 7.0).collect();
    let mask = [true, false, true, true, false];
    for mapping in [
        SoftmaxMapping::WorkgroupPerRow,
        SoftmaxMapping::InvocationPerRow,
    ] {
        let softmax = Softmax::new(-1).with_mapping(mapping);
        check_softmax(&softmax, &shape, &y, &dy, Some((&[5], &mask)));
        let gpu = softmax
            .backward_masked(
                ctx(),
                &GpuTensor::from_slice(ctx(), &shape, &y).unwrap(),
                &GpuTensor::from_slice(ctx(), &shape, &dy).unwrap(),
                Some(&GpuTensor::from_mask(ctx(), &[5], &mask).unwrap()),
            )
            .unwrap()
            .to_vec_blocking(ctx())
            .unwrap();
        for row in gpu.chunks(5) {
            assert_eq!((row[1], row[4]), (0.0, 0.0));
        }
    }
    // A mask over several axes, broadcast along the first.
    let softmax = Softmax::axes(&[1, 2]);
    let y: Vec<f32> = (0..24).map(|i| (i % 7) as f32 / 7.0).collect();
    let dy: Vec<f32> = (0..24).map(|i| (i % 5) as f32 - 2.0).collect();
    let mask: Vec<bool> = (0..12).map(|i| i % 3 != 0).collect();
    check_softmax(&softmax, &[2, 3, 4], &y, &dy, Some((&[3, 4], &mask)));
}

#[test]
fn backward_reads_the_documented_tensor() {
    assert_eq!(ReLU::default().backward_reads(), Saved::Input);
    assert_eq!(Softmax::new(-1).backward_reads(), Saved::Output);
}

#[test]
fn sequential_backward_chains_the_layers() {
    let chain = Sequential::new()
        .with(LeakyReLU::new(0.5).unwrap())
        .with(ELU::new(0.8).unwrap())
        .with(Softmax::new(-1));
    let shape = [3, 6];
    let x: Vec<f32> = (0..18).map(|i| i as f32 / 3.0 - 3.0).collect();
    let dy: Vec<f32> = (0..18).map(|i| ((i * 7) % 5) as f32 - 2.0).collect();
    let (gpu, cpu) = both(&chain, &shape, &x, &dy);
    for (i, (&g, &c)) in gpu.iter().zip(&cpu).enumerate() {
        assert!(
            (g - c).abs() <= 1e-6 * c.abs().max(1e-3),
            "element {i}: gpu {g} cpu {c}"
        );
    }
    // One submission for the whole chain, forward recomputation included
    // (on a context of its own: other tests submit to the shared one).
    let own = common::plain_context();
    let xt = GpuTensor::from_slice(&own, &shape, &x).unwrap();
    let dyt = GpuTensor::from_slice(&own, &shape, &dy).unwrap();
    let before = own.submissions();
    chain.backward(&own, &xt, &dyt).unwrap();
    assert_eq!(own.submissions() - before, 1);
}

#[test]
fn backward_rejects_mismatched_tensors() {
    let x = GpuTensor::from_slice(ctx(), &[2, 2], &[1.0; 4]).unwrap();
    let dy = GpuTensor::from_slice(ctx(), &[4], &[1.0; 4]).unwrap();
    let err = ReLU::default().backward(ctx(), &x, &dy).unwrap_err();
    assert!(err.to_string().contains("dy has shape [4]"), "{err}");
    let err = Softmax::new(-1).backward(ctx(), &x, &dy).unwrap_err();
    assert!(err.to_string().contains("dy has shape [4]"), "{err}");
    let dy = GpuTensor::from_slice(ctx(), &[2, 2], &[1.0; 4]).unwrap();
    let other = wgpu_activations::GpuContext::new_blocking().unwrap();
    let foreign = GpuTensor::from_slice(&other, &[2, 2], &[1.0; 4]).unwrap();
    assert!(ReLU::default().backward(ctx(), &x, &foreign).is_err());
    assert!(ReLU::default().backward(ctx(), &x, &dy).is_ok());
}
