//! GPU vs CPU reference for the five elementwise layers: random shapes,
//! parameters and values with proptest, the edge values of each layer, and the
//! NaN/infinity policy.
//!
//! Tolerances: ReLU, LeakyReLU, ThresholdedReLU and PReLU are exact (bit for
//! bit); ELU is within 4 ulps of expm1 computed in f64; each transcendental
//! `keras.activations` function within its own bound of its f64 twin (the
//! `*_ULPS` constants: the worst tests/transcendental_ulps.rs measured on
//! lavapipe over every 100th f32 in [-1e4, 1e4], plus one).

// Native: blocks on the GPU; the browser runs tests/browser.rs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{assert_all_close, ctx, Tolerance};
use proptest::prelude::*;
use wgpu_activations::{
    Activation, GpuTensor, Layer, LeakyReLU, PReLU, ReLU, ThresholdedReLU, ELU,
};

const ELU_ULPS: u32 = 4;

/// A function with one f32 division against its correctly rounded CPU twin:
/// WGSL lets the GPU's division be 2.5 ulps off (lavapipe's is exact).
const DIVISION_ULPS: u32 = 3;

/// squareplus: a square root and a division (docs/KERAS.md, "Activation functions").
const SQUAREPLUS_ULPS: u32 = 4;

// The transcendental functions' bounds, forward, in ulps of the f64 twin
// (measured worst + 1). No absolute floor: results that underflow are
// computed as m * 2^k and rounded once, and a subnormal one may only be
// flushed to the zero of its sign (`common::close`).
const SIGMOID_ULPS: u32 = 3;
const TANH_ULPS: u32 = 2;
const SOFTPLUS_ULPS: u32 = 3;
const LOG_SIGMOID_ULPS: u32 = 3;
const SILU_ULPS: u32 = 4;
const MISH_ULPS: u32 = 5;
const SELU_ULPS: u32 = 3;
const CELU_ULPS: u32 = 3;
const GELU_ULPS: u32 = 5;
const EXPONENTIAL_ULPS: u32 = 2;
const TANH_SHRINK_ULPS: u32 = 4;

/// `keras.activations.<name>(x, **kwargs)` as a layer.
fn function(name: &str, kwargs: serde_json::Value) -> Activation {
    Activation::with_kwargs(name, &kwargs).unwrap()
}

/// Runs `layer` on the GPU and the CPU and compares them.
fn check(layer: &dyn Layer, shape: &[usize], input: &[f32], tol: Tolerance) {
    let x = GpuTensor::from_slice(ctx(), shape, input).unwrap();
    let y = layer.forward(ctx(), &x).unwrap();
    assert_eq!(y.shape(), shape);
    let gpu = y.to_vec_blocking(ctx()).unwrap();
    let cpu = layer.reference(shape, input).unwrap();
    assert_all_close(
        &format!("{layer:?} on {shape:?}", layer = layer.class_name()),
        input,
        &gpu,
        &cpu,
        tol,
    );
}

/// Shapes of rank 1..=5 whose dims include 1 and, in about 5% of shapes, 0;
/// at most ~3000 elements.
fn shapes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(
        prop_oneof![1 => Just(0usize), 10 => Just(1), 30 => 1usize..6, 20 => 6usize..40],
        1..=5,
    )
    .prop_filter("small enough", |s| s.iter().product::<usize>() <= 3000)
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

/// Values around the layer's special points `points`: the points, their float
/// neighbours, ±0, ±1e4, ±3e38, and ordinary values.
fn value(points: Vec<f32>) -> impl Strategy<Value = f32> {
    let specials: Vec<f32> = points
        .iter()
        .flat_map(|&p| [p, p.next_up(), p.next_down(), -p])
        .chain([0.0, -0.0, 1e4, -1e4, 3e38, -3e38, 1e-3, -1e-3, -1e-7, 1e-7])
        .collect();
    prop_oneof![
        prop::sample::select(specials),
        -10.0f32..10.0,
        prop::num::f32::NORMAL,
    ]
}

fn values(len: usize, points: Vec<f32>) -> impl Strategy<Value = Vec<f32>> {
    prop::collection::vec(value(points), len)
}

fn shaped_values(points: Vec<f32>) -> impl Strategy<Value = (Vec<usize>, Vec<f32>)> {
    shapes().prop_flat_map(move |s| {
        let n = s.iter().product();
        (Just(s), values(n, points.clone()))
    })
}

/// A non-negative parameter: 0, a small value, or something larger.
fn parameter() -> impl Strategy<Value = f32> {
    prop_oneof![Just(0.0f32), Just(0.5), Just(6.0), 0.0f32..3.0, 0.0f32..1e4]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn relu_matches_cpu(
        ((max_value, slope, threshold), (shape, input)) in (prop::option::of(parameter()), parameter(), parameter())
            .prop_flat_map(|(m, s, t)| {
                let mut points = vec![t];
                points.extend(m);
                (Just((m, s, t)), shaped_values(points))
            })
    ) {
        check(&ReLU::new(max_value, slope, threshold).unwrap(), &shape, &input, Tolerance::Exact);
    }

    #[test]
    fn leaky_relu_matches_cpu(slope in parameter(), (shape, input) in shaped_values(vec![0.0])) {
        check(&LeakyReLU::new(slope).unwrap(), &shape, &input, Tolerance::Exact);
    }

    #[test]
    fn elu_matches_cpu(alpha in prop_oneof![Just(1.0f32), -2.0f32..3.0], (shape, input) in shaped_values(vec![0.0, std::f32::consts::LN_2, 1e-30, 20.0, 88.0])) {
        check(&ELU::new(alpha).unwrap(), &shape, &input, Tolerance::Ulps(ELU_ULPS));
    }

    #[test]
    fn thresholded_relu_matches_cpu(
        (theta, (shape, input)) in parameter().prop_flat_map(|t| (Just(t), shaped_values(vec![t])))
    ) {
        check(&ThresholdedReLU::new(theta).unwrap(), &shape, &input, Tolerance::Exact);
    }

    #[test]
    fn relu6_matches_cpu((shape, input) in shaped_values(vec![0.0, 6.0])) {
        check(&Activation::new("relu6").unwrap(), &shape, &input, Tolerance::Exact);
    }

    // The transcendental functions: their points are where a kernel
    // switches formulas or a derivative has its root, and where e^x
    // overflows or goes subnormal.
    #[test]
    fn sigmoid_matches_cpu((shape, input) in shaped_values(vec![0.0, 88.0, 103.0])) {
        check(&Activation::new("sigmoid").unwrap(), &shape, &input, Tolerance::Ulps(SIGMOID_ULPS));
    }

    #[test]
    fn tanh_matches_cpu((shape, input) in shaped_values(vec![0.0, 0.55, 9.0, 44.0])) {
        check(&Activation::new("tanh").unwrap(), &shape, &input, Tolerance::Ulps(TANH_ULPS));
    }

    #[test]
    fn softplus_matches_cpu((shape, input) in shaped_values(vec![0.0, 0.5, 88.0, 103.0])) {
        check(&Activation::new("softplus").unwrap(), &shape, &input, Tolerance::Ulps(SOFTPLUS_ULPS));
    }

    #[test]
    fn log_sigmoid_matches_cpu((shape, input) in shaped_values(vec![0.0, 0.5, 88.0, 103.0])) {
        check(&Activation::new("log_sigmoid").unwrap(), &shape, &input, Tolerance::Ulps(LOG_SIGMOID_ULPS));
    }

    #[test]
    fn silu_matches_cpu((shape, input) in shaped_values(vec![0.0, 1.278_464_5, 88.0, 103.0])) {
        check(&Activation::new("silu").unwrap(), &shape, &input, Tolerance::Ulps(SILU_ULPS));
    }

    #[test]
    fn mish_matches_cpu((shape, input) in shaped_values(vec![0.0, 0.25, 1.192_431_2, 88.0, 103.0])) {
        check(&Activation::new("mish").unwrap(), &shape, &input, Tolerance::Ulps(MISH_ULPS));
    }

    #[test]
    fn selu_matches_cpu((shape, input) in shaped_values(vec![0.0, 0.346_573_6, 17.0, 88.0])) {
        check(&Activation::new("selu").unwrap(), &shape, &input, Tolerance::Ulps(SELU_ULPS));
    }

    #[test]
    fn celu_matches_cpu(
        (alpha, (shape, input)) in prop_oneof![Just(1.0f32), -2.0f32..3.0, prop::num::f32::NORMAL]
            .prop_filter("alpha 0 is refused", |a| *a != 0.0)
            .prop_flat_map(|a| (Just(a), shaped_values(vec![0.0, 0.346_573_6 * a, 88.0 * a])))
    ) {
        check(&function("celu", serde_json::json!({"alpha": alpha})), &shape, &input, Tolerance::Ulps(CELU_ULPS));
    }

    #[test]
    fn gelu_matches_cpu(
        approximate in any::<bool>(),
        (shape, input) in shaped_values(vec![0.0, std::f32::consts::FRAC_1_SQRT_2, 0.751_791_5, 14.0, 28.3]),
    ) {
        let gelu = function("gelu", serde_json::json!({"approximate": approximate}));
        check(&gelu, &shape, &input, Tolerance::Ulps(GELU_ULPS));
    }

    #[test]
    fn exponential_matches_cpu((shape, input) in shaped_values(vec![0.0, 88.722_84, 87.336_55, 103.97])) {
        check(&Activation::new("exponential").unwrap(), &shape, &input, Tolerance::Ulps(EXPONENTIAL_ULPS));
    }

    #[test]
    fn tanh_shrink_matches_cpu((shape, input) in shaped_values(vec![0.0, 1.0, 1e-13, 2.0])) {
        check(&Activation::new("tanh_shrink").unwrap(), &shape, &input, Tolerance::Ulps(TANH_SHRINK_ULPS));
    }

    #[test]
    fn relu_function_matches_cpu(
        ((max_value, slope, threshold), (shape, input)) in (prop::option::of(parameter()), -2.0f32..2.0, -2.0f32..2.0)
            .prop_flat_map(|(m, s, t)| {
                let mut points = vec![t, 0.0];
                points.extend(m);
                (Just((m, s, t)), shaped_values(points))
            })
    ) {
        check(&Activation::relu(slope, max_value, threshold).unwrap(), &shape, &input, Tolerance::Exact);
    }

    #[test]
    fn leaky_relu_function_matches_cpu(slope in -2.0f32..2.0, (shape, input) in shaped_values(vec![0.0])) {
        check(&Activation::leaky_relu(slope).unwrap(), &shape, &input, Tolerance::Exact);
    }

    #[test]
    fn linear_matches_cpu((shape, input) in shaped_values(vec![])) {
        check(&Activation::new("linear").unwrap(), &shape, &input, Tolerance::Exact);
    }

    #[test]
    fn hard_tanh_matches_cpu((shape, input) in shaped_values(vec![1.0])) {
        check(&Activation::new("hard_tanh").unwrap(), &shape, &input, Tolerance::Exact);
    }

    #[test]
    fn hard_shrink_matches_cpu((t, (shape, input)) in (-1.0f32..2.0).prop_flat_map(|t| (Just(t), shaped_values(vec![t])))) {
        check(&Activation::hard_shrink(t).unwrap(), &shape, &input, Tolerance::Exact);
    }

    #[test]
    fn soft_shrink_matches_cpu((t, (shape, input)) in (-1.0f32..2.0).prop_flat_map(|t| (Just(t), shaped_values(vec![t])))) {
        check(&Activation::soft_shrink(t).unwrap(), &shape, &input, Tolerance::Exact);
    }

    #[test]
    fn threshold_matches_cpu(
        ((t, default), (shape, input)) in (-2.0f32..2.0, -2.0f32..2.0).prop_flat_map(|p| (Just(p), shaped_values(vec![p.0])))
    ) {
        check(&Activation::threshold(t, default).unwrap(), &shape, &input, Tolerance::Exact);
    }

    #[test]
    fn sparse_sigmoid_matches_cpu((shape, input) in shaped_values(vec![1.0])) {
        check(&Activation::new("sparse_sigmoid").unwrap(), &shape, &input, Tolerance::Exact);
    }

    #[test]
    fn sparse_plus_matches_cpu((shape, input) in shaped_values(vec![1.0])) {
        check(&Activation::new("sparse_plus").unwrap(), &shape, &input, Tolerance::Exact);
    }

    /// A division by 6, which WGSL lets a GPU round within 2.5 ulps.
    #[test]
    fn hard_sigmoid_matches_cpu((shape, input) in shaped_values(vec![3.0])) {
        check(&Activation::new("hard_sigmoid").unwrap(), &shape, &input, Tolerance::Ulps(DIVISION_ULPS));
    }

    #[test]
    fn hard_silu_matches_cpu((shape, input) in shaped_values(vec![3.0])) {
        check(&Activation::new("hard_silu").unwrap(), &shape, &input, Tolerance::Ulps(DIVISION_ULPS + 1));
    }

    /// The CPU twin is f64: `|x| + 1` rounded, then a division.
    #[test]
    fn softsign_matches_cpu((shape, input) in shaped_values(vec![1.0])) {
        check(&Activation::new("softsign").unwrap(), &shape, &input, Tolerance::Ulps(DIVISION_ULPS + 1));
    }

    #[test]
    fn squareplus_matches_cpu(b in prop_oneof![Just(4.0f32), Just(0.0), 0.0f32..20.0, 0.0f32..1e30], (shape, input) in shaped_values(vec![1e18, 1.8e19])) {
        check(&Activation::squareplus(b).unwrap(), &shape, &input, Tolerance::Ulps(SQUAREPLUS_ULPS));
    }

    #[test]
    fn prelu_matches_cpu(
        (shape, input) in shaped_values(vec![0.0]).prop_filter("PReLU needs rank >= 2", |(s, _)| s.len() >= 2),
        shared_mask in any::<u8>(),
        alpha_seed in any::<u32>(),
    ) {
        // Share a random subset of the non-batch axes (1-based).
        let shared: Vec<i64> = (1..shape.len() as i64).filter(|a| shared_mask & (1 << a) != 0).collect();
        let prelu = PReLU::new().with_shared_axes(&shared);
        prelu.build(&shape).unwrap();
        let n = prelu.alpha().unwrap().len();
        let alpha: Vec<f32> = (0..n).map(|i| ((i as u32).wrapping_mul(2654435761).wrapping_add(alpha_seed) % 2001) as f32 / 1000.0 - 0.5).collect();
        prelu.set_alpha(&alpha).unwrap();
        check(&prelu, &shape, &input, Tolerance::Exact);
    }
}

/// The documented NaN/infinity policy, value by value, for every layer.
#[test]
fn nan_and_infinity_policy() {
    let (nan, inf) = (f32::NAN, f32::INFINITY);
    let input = [nan, inf, -inf, -0.0, 0.0];
    let cases: Vec<(Box<dyn Layer>, [f32; 5])> = vec![
        (Box::new(ReLU::default()), [nan, inf, 0.0, 0.0, 0.0]),
        (
            Box::new(ReLU::new(None, 0.0, 0.5).unwrap()),
            [nan, inf, 0.0, 0.0, 0.0],
        ),
        (
            Box::new(ReLU::new(Some(6.0), 0.2, 0.0).unwrap()),
            [nan, 6.0, -inf, 0.0, 0.0],
        ),
        // Keras's leaky_relu branch: slope * x keeps -0.
        (
            Box::new(ReLU::new(None, 0.2, 0.0).unwrap()),
            [nan, inf, -inf, -0.0, 0.0],
        ),
        (
            Box::new(LeakyReLU::new(0.0).unwrap()),
            [nan, inf, -0.0, -0.0, 0.0],
        ),
        (
            Box::new(LeakyReLU::new(0.3).unwrap()),
            [nan, inf, -inf, -0.0, 0.0],
        ),
        (
            Box::new(ELU::new(2.0).unwrap()),
            [nan, inf, -2.0, -0.0, 0.0],
        ),
        (
            Box::new(ELU::new(-2.0).unwrap()),
            [nan, inf, 2.0, 0.0, -0.0],
        ),
        (
            Box::new(ThresholdedReLU::new(1.0).unwrap()),
            [nan, inf, -0.0, -0.0, 0.0],
        ),
        (
            Box::new(ThresholdedReLU::new(0.0).unwrap()),
            [nan, inf, -0.0, -0.0, 0.0],
        ),
    ];
    let x = GpuTensor::from_slice(ctx(), &[5], &input).unwrap();
    for (layer, want) in &cases {
        let got = layer
            .forward(ctx(), &x)
            .unwrap()
            .to_vec_blocking(ctx())
            .unwrap();
        assert_all_close(layer.class_name(), &input, &got, want, Tolerance::Exact);
    }
    // PReLU with alpha 0 and 0.25 per channel.
    let prelu = PReLU::new();
    prelu.build(&[1, 2, 5]).unwrap();
    prelu
        .set_alpha(&[0.0, 0.0, 0.0, 0.0, 0.0, 0.25, 0.25, 0.25, 0.25, 0.25])
        .unwrap();
    let data = [input, input].concat();
    let x = GpuTensor::from_slice(ctx(), &[1, 2, 5], &data).unwrap();
    let got = prelu
        .forward(ctx(), &x)
        .unwrap()
        .to_vec_blocking(ctx())
        .unwrap();
    let want = [nan, inf, 0.0, 0.0, 0.0, nan, inf, -inf, 0.0, 0.0];
    assert_all_close("PReLU", &data, &got, &want, Tolerance::Exact);
}

/// The transcendental functions at NaN, ±inf and ±0, bit for bit: NaN
/// stays NaN, an infinity gives the function's limit (`silu`, `mish` and
/// `gelu` give `-0` at `-inf`, where Keras computes `-inf * 0 = NaN`), and
/// zeros carry Keras's sign; then the values where a naive formula fails.
#[test]
fn transcendental_edges() {
    let (nan, inf) = (f32::NAN, f32::INFINITY);
    let ln2 = std::f32::consts::LN_2;
    let input = [nan, inf, -inf, -0.0, 0.0];
    let cases: Vec<(Activation, [f32; 5])> = vec![
        (
            function("sigmoid", serde_json::json!({})),
            [nan, 1.0, 0.0, 0.5, 0.5],
        ),
        (
            function("tanh", serde_json::json!({})),
            [nan, 1.0, -1.0, -0.0, 0.0],
        ),
        (
            function("softplus", serde_json::json!({})),
            [nan, inf, 0.0, ln2, ln2],
        ),
        (
            function("log_sigmoid", serde_json::json!({})),
            [nan, -0.0, -inf, -ln2, -ln2],
        ),
        (
            function("silu", serde_json::json!({})),
            [nan, inf, -0.0, -0.0, 0.0],
        ),
        (
            function("swish", serde_json::json!({})),
            [nan, inf, -0.0, -0.0, 0.0],
        ),
        (
            function("mish", serde_json::json!({})),
            [nan, inf, -0.0, -0.0, 0.0],
        ),
        (
            function("selu", serde_json::json!({})),
            [nan, inf, -1.758_099_3, -0.0, 0.0],
        ),
        (
            function("celu", serde_json::json!({})),
            [nan, inf, -1.0, 0.0, 0.0],
        ),
        (
            function("celu", serde_json::json!({"alpha": -2.0})),
            [nan, inf, -inf, 0.0, 0.0],
        ),
        (
            function("gelu", serde_json::json!({})),
            [nan, inf, -0.0, -0.0, 0.0],
        ),
        (
            function("gelu", serde_json::json!({"approximate": true})),
            [nan, inf, -0.0, -0.0, 0.0],
        ),
        (
            function("exponential", serde_json::json!({})),
            [nan, inf, 0.0, 1.0, 1.0],
        ),
        (
            function("tanh_shrink", serde_json::json!({})),
            [nan, inf, -inf, 0.0, 0.0],
        ),
    ];
    let x = GpuTensor::from_slice(ctx(), &[5], &input).unwrap();
    for (layer, want) in &cases {
        let what = format!("{} {}", layer.name(), layer.kwargs());
        let got = layer
            .forward(ctx(), &x)
            .unwrap()
            .to_vec_blocking(ctx())
            .unwrap();
        assert_all_close(&what, &input, &got, want, Tolerance::Exact);
        let cpu = layer.reference(&[5], &input).unwrap();
        assert_all_close(
            &format!("{what} (CPU twin)"),
            &input,
            &cpu,
            want,
            Tolerance::Exact,
        );
    }

    // Where naive formulas overflow, cancel or lose their tails.
    let run = |name: &str, kwargs: serde_json::Value, x: f32| {
        let t = GpuTensor::from_slice(ctx(), &[1], &[x]).unwrap();
        function(name, kwargs)
            .forward(ctx(), &t)
            .unwrap()
            .to_vec_blocking(ctx())
            .unwrap()[0]
    };
    let none = || serde_json::json!({});
    assert_eq!(run("softplus", none(), 1e4), 1e4);
    assert_eq!(run("log_sigmoid", none(), -1e4), -1e4);
    // 88.72283935546875, where e^x rounds past f32::MAX, and the float below.
    assert_eq!(run("exponential", none(), f32::from_bits(0x42b1_7218)), inf);
    assert!(run("exponential", none(), f32::from_bits(0x42b1_7217)) < inf);
    assert_eq!(run("tanh", none(), 1e4), 1.0);
    for (name, kwargs, x, exact) in [
        // 0.5 x erfc(x / sqrt 2), which 1 + erf(x / sqrt 2) would make 0.
        ("gelu", none(), -10.0f32, -7.619_866_2e-23f64),
        (
            "gelu",
            serde_json::json!({"approximate": true}),
            -10.0,
            -1.204_092_3e-37,
        ),
        // x - tanh(x) ~ x^3 / 3, which f32's difference makes 0 or 40% off.
        ("tanh_shrink", none(), 1e-7, 3.333_333_5e-22),
        ("tanh_shrink", none(), 1e-3, 3.333_332_5e-10),
        // scale * alpha * expm1(x), which exp(x) - 1 makes -2.1e-7.
        ("selu", none(), -1e-7, -1.758_099_3e-7),
        (
            "celu",
            serde_json::json!({"alpha": 0.5}),
            -1e-7,
            -9.999_999_1e-8,
        ),
        // e^-30 / (1 + e^-30), not 1 - 1 / (1 + e^-30).
        ("sigmoid", none(), -30.0, 9.357_622_968_840_175e-14),
    ] {
        let got = run(name, kwargs.clone(), x);
        assert!(
            ((f64::from(got) - exact) / exact).abs() < 4e-7,
            "{name} {kwargs}({x:e}) = {got:e}, want {exact:e}"
        );
    }
}

/// Exact boundary points: x == threshold gives 0, x == max_value gives max_value,
/// ThresholdedReLU is strict, max_value below threshold makes a jump.
#[test]
fn boundaries_are_exact() {
    let relu = ReLU::new(Some(2.5), 0.2, 3.0).unwrap();
    let input = [3.0, 3.0f32.next_up(), 3.0f32.next_down(), 2.5, 10.0];
    let x = GpuTensor::from_slice(ctx(), &[5], &input).unwrap();
    let got = relu
        .forward(ctx(), &x)
        .unwrap()
        .to_vec_blocking(ctx())
        .unwrap();
    assert_eq!(
        got,
        vec![
            0.0,
            2.5,
            0.2 * (3.0f32.next_down() - 3.0),
            0.2 * (2.5 - 3.0),
            2.5
        ]
    );

    let relu = ReLU::new(Some(6.0), 0.0, 0.0).unwrap();
    let x =
        GpuTensor::from_slice(ctx(), &[3], &[6.0, 6.0f32.next_up(), 6.0f32.next_down()]).unwrap();
    assert_eq!(
        relu.forward(ctx(), &x)
            .unwrap()
            .to_vec_blocking(ctx())
            .unwrap(),
        vec![6.0, 6.0, 6.0f32.next_down()]
    );

    let t = ThresholdedReLU::new(0.5).unwrap();
    let x = GpuTensor::from_slice(ctx(), &[2], &[0.5, 0.5f32.next_up()]).unwrap();
    assert_eq!(
        t.forward(ctx(), &x)
            .unwrap()
            .to_vec_blocking(ctx())
            .unwrap(),
        vec![0.0, 0.5f32.next_up()]
    );
}

/// ELU near 0 must be expm1, not exp(x) - 1 (which gives -1.1920929e-7 for -1e-7).
#[test]
fn elu_is_accurate_near_zero() {
    let input: Vec<f32> = (1..=200)
        .map(|i| -(i as f32) * 0.0035)
        .chain([
            -1e-7,
            -1e-20,
            -std::f32::consts::LN_2,
            -std::f32::consts::LN_2.next_down(),
            -std::f32::consts::LN_2.next_up(),
        ])
        .collect();
    check(
        &ELU::new(1.0).unwrap(),
        &[input.len()],
        &input,
        Tolerance::Ulps(ELU_ULPS),
    );
    let x = GpuTensor::from_slice(ctx(), &[1], &[-1e-7]).unwrap();
    let y = ELU::default()
        .forward(ctx(), &x)
        .unwrap()
        .to_vec_blocking(ctx())
        .unwrap();
    let exact = (-1e-7f64).exp_m1() as f32;
    assert!(
        common::ulps(y[0], exact) <= 1,
        "ELU(-1e-7) = {:e}, expm1 = {exact:e}",
        y[0]
    );
}

/// Empty tensors run and give empty outputs of the same shape.
#[test]
fn zero_sized_dimensions_give_empty_outputs() {
    for shape in [vec![0], vec![2, 0, 3], vec![0, 0]] {
        let x = GpuTensor::from_slice(ctx(), &shape, &[]).unwrap();
        let layers: Vec<Box<dyn Layer>> = vec![
            Box::new(ReLU::default()),
            Box::new(ELU::default()),
            Box::new(LeakyReLU::default()),
            Box::new(ThresholdedReLU::default()),
        ];
        for layer in &layers {
            let y = layer.forward(ctx(), &x).unwrap();
            assert_eq!(y.shape(), &shape[..]);
            assert!(y.to_vec_blocking(ctx()).unwrap().is_empty());
        }
    }
    let prelu = PReLU::new();
    let x = GpuTensor::from_slice(ctx(), &[0, 3], &[]).unwrap();
    assert_eq!(prelu.forward(ctx(), &x).unwrap().shape(), &[0, 3]);
}

/// 70,000 x 256 + 3 elements need more than 65,535 workgroups of 256: the grid
/// spreads into two dimensions and every element is still computed.
#[test]
fn more_than_65535_workgroups() {
    let n = 70_000 * 256 + 3;
    let input: Vec<f32> = (0..n).map(|i| ((i % 1000) as f32 - 500.0) * 0.01).collect();
    let layer = ReLU::new(None, 0.5, 0.0).unwrap();
    check(&layer, &[n], &input, Tolerance::Exact);
    let prelu = PReLU::new();
    prelu.build(&[1, n]).unwrap();
    let alpha: Vec<f32> = (0..n).map(|i| (i % 7) as f32 * 0.125).collect();
    prelu.set_alpha(&alpha).unwrap();
    check(&prelu, &[1, n], &input, Tolerance::Exact);
}

#[test]
fn invalid_arguments_are_errors_naming_them() {
    let cases = [
        (
            ReLU::new(Some(f32::NAN), 0.0, 0.0).unwrap_err(),
            "max_value=NaN",
        ),
        (
            ReLU::new(None, f32::NAN, 0.0).unwrap_err(),
            "negative_slope=NaN",
        ),
        (
            ReLU::new(None, 0.0, f32::INFINITY).unwrap_err(),
            "threshold=inf",
        ),
        (LeakyReLU::new(f32::NAN).unwrap_err(), "negative_slope=NaN"),
        (ELU::new(f32::NAN).unwrap_err(), "alpha=NaN"),
        (ThresholdedReLU::new(f32::NAN).unwrap_err(), "theta=NaN"),
        (ThresholdedReLU::new(-1.0).unwrap_err(), "theta=-1.0"),
    ];
    for (err, needle) in cases {
        assert!(
            err.to_string().contains(needle),
            "{err} should name {needle}"
        );
    }
    assert_eq!(
        ReLU::new(Some(f32::INFINITY), 0.0, 0.0)
            .unwrap()
            .max_value(),
        None
    );
    let prelu = PReLU::new();
    assert!(prelu.set_alpha(&[1.0]).is_err(), "set_alpha before build");
    prelu.build(&[2, 2]).unwrap();
    assert!(prelu.set_alpha(&[1.0]).is_err(), "wrong length");
    assert!(prelu
        .set_alpha(&[1.0, f32::NAN])
        .unwrap_err()
        .to_string()
        .contains("alpha"));
    assert!(
        GpuTensor::from_slice(ctx(), &[2, 2], &[1.0]).is_err(),
        "data length"
    );
}

/// alpha varying along two axes separated by a shared one takes the general
/// index path; one varying axis takes the fast path. Both match the CPU.
#[test]
fn prelu_index_paths() {
    for shared in [vec![2], vec![1, 2], vec![], vec![1, 2, 3]] {
        let shape = [2, 3, 4, 5];
        let prelu = PReLU::new().with_shared_axes(&shared);
        prelu.build(&shape).unwrap();
        let n = prelu.alpha().unwrap().len();
        prelu
            .set_alpha(&(0..n).map(|i| i as f32 * 0.01 - 0.2).collect::<Vec<_>>())
            .unwrap();
        let input: Vec<f32> = (0..120).map(|i| -(i as f32) * 0.5 + 7.0).collect();
        check(&prelu, &shape, &input, Tolerance::Exact);
    }
}

/// A subnormal `b` is 0 on the CPU twin as on GPUs that flush it (the GL
/// fuzz run found squareplus(b = 1e-45) at 0: GPU 0, twin 1.9e-23).
#[test]
fn squareplus_takes_a_subnormal_b_as_zero() {
    let function = Activation::squareplus(1e-45).unwrap();
    assert_eq!(function.kwargs(), serde_json::json!({"b": 0.0}));
    check(&function, &[3], &[0.0, -1e-45, 2.0], Tolerance::Exact);
}
