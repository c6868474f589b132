//! Fuzzing with proptest: every public constructor, upload, forward and
//! backward pass, and the Keras JSON and `.npy` readers, driven with
//! arbitrary input. Nothing may panic (proptest turns a panic into a
//! failing, shrunk case).
//!
//! Constructors must accept exactly the valid arguments; uploads, the CPU
//! references and PReLU's builder take any shape, length, axes, alpha and
//! initializer.
//!
//! GPU inputs come in two kinds. Valid ones must be accepted and equal the
//! CPU reference within the suite's tolerances: shapes of rank up to 5 (1
//! or more where the layer needs an axis) that fit (a dim is 0 once in 170,
//! so a few percent are empty), data of the shape's length with any values,
//! finite parameters, axes in range, masks that broadcast, PReLU built for
//! the input, dy of the input's shape. Forwards are exact, ELU within 4
//! ulps, Softmax within 4 ulps (`SOFTMAX_ULPS`) plus what earlier layers of
//! a chain add; backwards are exact, ELU within 6 ulps, Softmax within
//! `softmax_backward_close` of its own row's sum of |dy y|, PReLU's alpha
//! gradient within 64 eps times the sum of |dy min(x, 0)|. Wild ones (a
//! quarter of the forwards: parameters of any bit pattern, shapes of rank
//! 0..=8 with zero dims and products that overflow u32 or usize, lengths
//! one off, out-of-range and repeated axes, masks and alpha of the wrong
//! shape) may be refused; flawed backward cases (about a third: dy of
//! another shape or dtype, a layer that does not fit) must be. A refusal
//! must be a clear error: it names the argument, the shape or the limit,
//! and is never a wgpu validation error, which would mean the input reached
//! the GPU unchecked.
//!
//! The readers: a valid Keras document must be read, and read back from the
//! JSON it writes; the document with structured edits, its text with byte
//! edits, arbitrary bytes, and any config under any class name may be
//! refused, clearly, and what is read must read back the same. What
//! `write_npy` writes must read back bit for bit; edited files, headers of
//! right and wrong pieces and arbitrary bytes may be refused, clearly, and
//! accepted values must fill their shape.
//!
//! Cases per property are the constants below: 4 validation properties of
//! [`VALIDATION_CASES`], 2 reader properties of [`PARSER_CASES`], 4 forward
//! properties of [`GPU_CASES`] and 3 backward properties of
//! [`BACKWARD_CASES`], 22,016 cases a run; `WGPU_ACTIVATIONS_FUZZ_SCALE=10`
//! runs ten times as many. Tensors that reach the GPU hold at most
//! [`MAX_GPU_ELEMENTS`], so the suite stays quick on a software adapter and
//! under GL with one test thread.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::ops::RangeInclusive;

use common::oracles::{element_count, keras_alpha_shape, oracle_mask_offsets, reduced_axes, rows};
use common::{
    close, ctx, derivative_terms, softmax_backward_close, spread, ulps, Tolerance, SOFTMAX_ULPS,
};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{json, Value};
use wgpu_activations::keras::{layer_from_config, layer_from_json, read_npy, write_npy, AnyLayer};
use wgpu_activations::training::{Constraint, Regularizer};
use wgpu_activations::{
    cpu, Activation, DType, Error, GpuTensor, Initializer, Layer, LeakyReLU, PReLU, ReLU, Result,
    Sequential, Softmax, SoftmaxMapping, ThresholdedReLU, ELU,
};

/// Cases of the pure validation properties (constructors, shapes).
const VALIDATION_CASES: u32 = 4096;
/// Cases of the Keras JSON and `.npy` reader properties.
const PARSER_CASES: u32 = 1024;
/// Cases of the properties that upload tensors and run forwards.
const GPU_CASES: u32 = 512;
/// Cases of the backward properties (each runs one to four GPU passes).
const BACKWARD_CASES: u32 = 512;
/// The most elements a fuzzed tensor may hold when it reaches the GPU.
const MAX_GPU_ELEMENTS: usize = 96;
/// ELU backward's tolerance in ulps (tests/backward.rs).
const ELU_GRAD_ULPS: u32 = 6;

fn config(cases: u32) -> ProptestConfig {
    let scale = std::env::var("WGPU_ACTIVATIONS_FUZZ_SCALE")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(1);
    ProptestConfig {
        cases: cases * scale,
        // Rejected inputs are replaced, so `cases` cases always run.
        max_global_rejects: cases * scale,
        ..ProptestConfig::default()
    }
}

/// Any f32 a caller could pass: specials, extremes, subnormals, ordinary
/// values and arbitrary bit patterns (including NaNs with payloads).
fn wild_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        prop::sample::select(vec![
            f32::NAN,
            -f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            0.0,
            -0.0,
            f32::MAX,
            f32::MIN,
            f32::MIN_POSITIVE,
            -f32::MIN_POSITIVE,
            1e-45,
            -1e-45,
            1e-40,
            -1e-40,
            1.0,
            -1.0,
            88.7,
            -88.7,
            1e30,
            -1e30,
        ]),
        -10.0f32..10.0,
        any::<u32>().prop_map(f32::from_bits),
    ]
}

/// `v` if finite, else an ordinary value: a valid case's parameter.
fn finite(v: f32) -> f32 {
    if v.is_finite() {
        v
    } else {
        0.5
    }
}

/// Dimensions: empty, unit, small, and huge ones whose products overflow
/// u32 or usize.
fn wild_dim() -> impl Strategy<Value = usize> {
    prop_oneof![
        2 => Just(0usize),
        4 => Just(1usize),
        8 => 2usize..6,
        1 => Just(u32::MAX as usize),
        1 => Just(u32::MAX as usize + 1),
        1 => Just(1usize << 33),
        1 => Just(usize::MAX / 2),
        1 => Just(usize::MAX),
    ]
}

fn wild_shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(wild_dim(), 0..=8)
}

/// Axes in and out of range, negative, repeated, and extreme.
fn wild_axes() -> impl Strategy<Value = Vec<i64>> {
    prop::collection::vec(
        prop_oneof![
            8 => -9i64..9,
            1 => Just(i64::MIN),
            1 => Just(i64::MAX),
        ],
        0..4,
    )
}

/// The length of `shape`'s data: its element count when that is small, else
/// a small wrong length (so `from_slice` must reject it).
fn data_len(shape: &[usize], skew: usize) -> usize {
    match element_count(shape) {
        Ok(n) if n <= MAX_GPU_ELEMENTS => {
            // Mostly right, sometimes one off, to fuzz the length check too.
            match skew % 16 {
                0 => n + 1,
                1 if n > 0 => n - 1,
                _ => n,
            }
        }
        _ => skew % 4,
    }
}

/// Shapes of rank 0..=8 that fit on the GPU in this suite, a few with a
/// zero dim.
fn small_shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(
        prop_oneof![16 => Just(1usize), 16 => 2usize..4, 1 => Just(0usize), 4 => 4usize..8],
        0..=8,
    )
    .prop_filter("small enough for the GPU cases", |s| {
        element_count(s).is_ok_and(|n| n <= MAX_GPU_ELEMENTS)
    })
}

/// A shape with data whose length usually matches it: mostly shapes that
/// run, a quarter arbitrary ones.
fn shaped_data() -> impl Strategy<Value = (Vec<usize>, Vec<f32>)> {
    let shape = prop_oneof![3 => small_shape(), 1 => wild_shape()];
    (shape, any::<usize>()).prop_flat_map(|(shape, skew)| {
        let len = data_len(&shape, skew);
        (Just(shape), prop::collection::vec(wild_f32(), len))
    })
}

/// Valid shapes of rank `ranks` that fit the GPU cases. A dim is 0 about
/// once in 170, so a few percent of the tensors are empty: enough to
/// keep empty tensors working, few enough that most cases compare values.
fn valid_shape(ranks: RangeInclusive<usize>) -> impl Strategy<Value = Vec<usize>> {
    let dim = prop_oneof![1 => Just(0usize), 60 => Just(1), 90 => 2usize..5, 18 => 5usize..12];
    prop::collection::vec(dim, ranks).prop_map(|mut shape| {
        // Halving the largest dim keeps the rank and never makes a 0.
        while element_count(&shape).unwrap() > MAX_GPU_ELEMENTS {
            let largest = (0..shape.len()).max_by_key(|&i| shape[i]).unwrap();
            shape[largest] /= 2;
        }
        shape
    })
}

/// A forward's input. A valid one (a shape that fits, data of its length,
/// and the case's parameters made valid) must run and match the reference;
/// a wild one ([`shaped_data`], wild parameters) may be refused, clearly.
#[derive(Clone, Debug)]
struct Input {
    shape: Vec<usize>,
    data: Vec<f32>,
    valid: bool,
}

/// Three valid inputs of rank `ranks` for each wild one.
fn input(ranks: RangeInclusive<usize>) -> impl Strategy<Value = Input> {
    let valid = valid_shape(ranks).prop_flat_map(|shape| {
        let n = element_count(&shape).unwrap();
        (Just(shape), prop::collection::vec(wild_f32(), n))
    });
    prop_oneof![
        3 => valid.prop_map(|(shape, data)| Input { shape, data, valid: true }),
        1 => shaped_data().prop_map(|(shape, data)| Input { shape, data, valid: false }),
    ]
}

/// `axes` moved into range for `rank` (>= 1), each keeping its sign so both
/// spellings run, without repeats; `[-1]` if none is left.
fn axes_in_range(axes: &[i64], rank: usize) -> Vec<i64> {
    let rank = rank as i64;
    let mut out: Vec<i64> = Vec::new();
    for &axis in axes {
        let resolved = axis.rem_euclid(rank);
        if !out.iter().any(|a| a.rem_euclid(rank) == resolved) {
            out.push(if axis < 0 { resolved - rank } else { resolved });
        }
    }
    if out.is_empty() {
        out.push(-1);
    }
    out
}

/// `axes` moved onto PReLU's shareable axes of a rank-`rank` input, 1..rank
/// (none for rank 1).
fn shared_axes_in_range(axes: &[i64], rank: usize) -> Vec<i64> {
    let mut out: Vec<i64> = Vec::new();
    if rank >= 2 {
        for &axis in axes {
            let shared = 1 + axis.rem_euclid(rank as i64 - 1);
            if !out.contains(&shared) {
                out.push(shared);
            }
        }
    }
    out
}

/// A mask shape that broadcasts to `shape`: a suffix of it (`bits` picks
/// its rank) with some dims (more bits) set to 1.
fn broadcast_mask_shape(shape: &[usize], bits: u64) -> Vec<usize> {
    let rank = (bits >> 1) as usize % (shape.len() + 1);
    shape[shape.len() - rank..]
        .iter()
        .enumerate()
        .map(|(i, &d)| if bits >> (8 + i) & 1 == 1 { 1 } else { d })
        .collect()
}

/// `len` mask values from `bits`.
fn mask_values(len: usize, bits: u64) -> Vec<bool> {
    (0..len).map(|i| bits >> (i % 64) & 1 == 1).collect()
}

/// A mask as the CPU reference takes it.
fn mask_f32(keep: &[bool]) -> Vec<f32> {
    keep.iter().map(|&k| f32::from(u8::from(k))).collect()
}

fn boxed<L: Layer + 'static>(layer: L) -> Box<dyn Layer> {
    Box::new(layer)
}

/// Whether `e` is a clear rejection of user input: it names what was wrong
/// and is not an error of the GPU itself.
fn assert_clear(e: &Error, what: &str) {
    let text = e.to_string();
    match e {
        Error::InvalidArgument { argument, message } => assert!(
            message.to_lowercase().contains(argument)
                // An unknown key in a Keras config is filed under `config`
                // and named, in backticks, rather than the dict.
                || (*argument == "config" && message.contains('`'))
                // A gap the fuzzer found, left to src/: an unknown constraint
                // or regularizer name is filed under its PReLU argument, but
                // the message (Keras's) names only the name.
                || message.starts_with("Could not interpret"),
            "{what}: the message does not name {argument}: {message}"
        ),
        Error::Shape(message) => assert!(
            message.chars().any(|c| c.is_ascii_digit() || c == '[') || message.contains("build("),
            "{what}: a shape error that names no shape, axis, size or remedy: {message}"
        ),
        // Wrong element type, an unbuilt layer, or one tensor passed where
        // two must differ: the message says which.
        Error::DType(message) | Error::NotBuilt(message) | Error::SameTensor(message) => {
            assert!(message.len() > 10, "{what}: an unclear message: {message}")
        }
        Error::TooLarge { limit_name, .. } => {
            assert!(text.contains(limit_name), "{what}: {text}")
        }
        Error::Npy(message) => assert!(!message.is_empty(), "{what}: an empty .npy error"),
        other => panic!("{what}: user input must be rejected before the GPU, got {other:?}"),
    }
}

/// A refusal: never of a valid input, and always clear.
fn refused(e: &Error, what: &str, valid: bool) {
    assert!(!valid, "{what}: a valid input was refused: {e}");
    assert_clear(e, what);
}

/// How close a forward must be to its reference.
#[derive(Clone, Copy, Debug)]
enum Bound {
    /// The elementwise layers: exact, ELU 4 ulps (tests/elementwise.rs).
    Elementwise(Tolerance),
    /// Softmax: tests/softmax.rs's 4 ulps (`SOFTMAX_ULPS`), plus `extra`
    /// ulps for inexact layers before it in a chain.
    Softmax { extra: u64 },
}

impl Bound {
    fn holds(self, got: f32, want: f32) -> bool {
        match self {
            Bound::Elementwise(tol) => close(got, want, tol),
            Bound::Softmax { extra } => {
                if got.is_nan() || want.is_nan() {
                    return got.is_nan() && want.is_nan();
                }
                (want.abs() < f32::MIN_POSITIVE && got.abs() < f32::MIN_POSITIVE)
                    || ulps(got, want) <= extra.saturating_add(SOFTMAX_ULPS)
            }
        }
    }
}

/// Checks what `from_slice` or `from_mask` made of `len` values of `shape`:
/// a rejection must be clear and right (the length or the size is really
/// wrong), and never of a `valid` input.
fn uploaded(
    made: Result<GpuTensor>,
    shape: &[usize],
    len: usize,
    valid: bool,
) -> Option<GpuTensor> {
    match made {
        Ok(t) => {
            assert_eq!(element_count(shape).unwrap(), len);
            assert_eq!(t.shape(), shape);
            Some(t)
        }
        Err(e) => {
            let what = format!("uploading {shape:?} with {len} values");
            refused(&e, &what, valid);
            let fits = element_count(shape).is_ok_and(|n| n == len);
            assert!(
                !fits || matches!(e, Error::TooLarge { .. } | Error::Shape(_)),
                "{what}: {e}"
            );
            None
        }
    }
}

fn upload(shape: &[usize], data: &[f32], valid: bool) -> Option<GpuTensor> {
    uploaded(
        GpuTensor::from_slice(ctx(), shape, data),
        shape,
        data.len(),
        valid,
    )
}

/// Uploads the input, runs `forward` on it and checks the outcome: a valid
/// input must run; a result must equal `reference` within `bound`; a
/// refusal must be clear. Returns the input tensor and the result.
fn check_forward(
    what: &str,
    input: &Input,
    forward: impl FnOnce(&GpuTensor) -> Result<GpuTensor>,
    reference: impl FnOnce() -> Result<Vec<f32>>,
    bound: Bound,
) -> Option<(GpuTensor, Vec<f32>)> {
    let x = upload(&input.shape, &input.data, input.valid)?;
    let gpu = forward(&x).and_then(|y| {
        assert_eq!(y.shape(), input.shape, "{what}: output shape");
        y.to_vec_blocking(ctx())
    });
    let gpu = match gpu {
        Ok(values) => values,
        Err(e) => {
            refused(&e, what, input.valid);
            return None;
        }
    };
    let want = reference()
        .unwrap_or_else(|e| panic!("{what}: the GPU accepted what the reference rejects: {e}"));
    assert_eq!(gpu.len(), want.len(), "{what}: lengths");
    for (i, (&g, &w)) in gpu.iter().zip(&want).enumerate() {
        assert!(
            bound.holds(g, w),
            "{what}: element {i}, input {:e}: gpu {g:e} vs cpu {w:e}",
            input.data[i]
        );
    }
    Some((x, gpu))
}

/// [`check_forward`] of `layer`, whose other entry points (`forward_into`,
/// and `forward_in_place` where it can) must then give the same bits.
fn check_layer(layer: &dyn Layer, input: &Input, bound: Bound) {
    let what = format!("{} on {:?}", layer.class_name(), input.shape);
    let Some((x, gpu)) = check_forward(
        &what,
        input,
        |x| layer.forward(ctx(), x),
        || layer.reference(&input.shape, &input.data),
        bound,
    ) else {
        return;
    };
    let bits = |v: Vec<f32>| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    let out = GpuTensor::from_slice(ctx(), &input.shape, &vec![0.0; gpu.len()]).unwrap();
    layer.forward_into(ctx(), &x, &out).unwrap();
    let gpu = bits(gpu);
    assert_eq!(
        bits(out.to_vec_blocking(ctx()).unwrap()),
        gpu,
        "{what}: forward_into"
    );
    if layer.supports_in_place() {
        layer.forward_in_place(ctx(), &x).unwrap();
        let in_place = bits(x.to_vec_blocking(ctx()).unwrap());
        assert_eq!(in_place, gpu, "{what}: forward_in_place");
    }
}

/// A bound on the absolute error (in units of 2^-24) of the values the
/// chain `picks` (as in `sequential_chains_match_the_reference`) produces.
/// ELU (alpha 1) is the one inexact elementwise layer: 4 ulps, only on its
/// negative outputs (|y| < 1, so under 4 units); LeakyReLU scales errors by
/// its slope and the other layers do not grow them. A softmax turns an
/// input error of e units into at most 2e ulps of its output (the
/// `extra` of [`Bound::Softmax`]); its outputs (<= 1) then carry an absolute
/// error of at most twice its whole bound.
fn chain_error(picks: &[usize], slope: f32) -> f64 {
    // A non-finite slope was rejected and the chain got the default 0.3.
    let leaky_scale = if slope.is_finite() {
        f64::from(slope.abs()).max(1.0)
    } else {
        1.0
    };
    picks.iter().fold(0.0, |error, &pick| match pick {
        1 => error * leaky_scale,
        2 => error + 4.0,
        5 => 2.0 * (2.0 * error + SOFTMAX_ULPS as f64),
        _ => error,
    })
}

fn mapping() -> impl Strategy<Value = SoftmaxMapping> {
    prop::sample::select(vec![
        SoftmaxMapping::Auto,
        SoftmaxMapping::WorkgroupPerRow,
        SoftmaxMapping::InvocationPerRow,
    ])
}

/// What makes a backward case invalid, if anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flaw {
    None,
    /// dy has another shape (one more axis, or a longer first axis).
    DyShape,
    /// dy holds f16 (where the device has f16; another shape elsewhere).
    DyDtype,
    /// The layer does not fit the input: PReLU built for another rank,
    /// Softmax over an axis out of range or with a mask that does not broadcast.
    Layer,
}

/// A backward pass's input: the tensor the layer saved (x, or y for
/// Softmax) and dy, of one valid shape, and the case's flaw.
#[derive(Clone, Debug)]
struct GradCase {
    shape: Vec<usize>,
    saved: Vec<f32>,
    dy: Vec<f32>,
    flaw: Flaw,
}

/// Backward cases of rank `ranks`, five in eight without a flaw
/// (`Flaw::Layer` only where `layer_flaws`).
fn grad_case(
    ranks: RangeInclusive<usize>,
    saved: impl Strategy<Value = f32> + Clone,
    dy: impl Strategy<Value = f32> + Clone,
    layer_flaws: bool,
) -> impl Strategy<Value = GradCase> {
    let mut flaws = vec![Flaw::None; 5];
    flaws.extend([Flaw::DyShape, Flaw::DyDtype]);
    if layer_flaws {
        flaws.push(Flaw::Layer);
    }
    (valid_shape(ranks), prop::sample::select(flaws))
        .prop_flat_map(move |(shape, flaw)| {
            let n = element_count(&shape).unwrap();
            (
                Just(shape),
                prop::collection::vec(saved.clone(), n),
                prop::collection::vec(dy.clone(), n),
                Just(flaw),
            )
        })
        .prop_map(|(shape, saved, dy, flaw)| GradCase {
            shape,
            saved,
            dy,
            flaw,
        })
}

/// Values for backward passes: the kinks of [`grad_param`]'s parameters
/// and their neighbours, ±0, ±inf, NaN, the ends of f32 and ordinary
/// values; no subnormals, which WGSL may flush to 0, across a kink.
fn grad_value() -> impl Strategy<Value = f32> + Clone {
    let specials: Vec<f32> = [0.0f32, 0.3, 0.5, 1.0, 6.0, 87.5, 88.0]
        .iter()
        .flat_map(|&p| [p, -p, p.next_up(), p.next_down()])
        .chain([
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MAX,
            f32::MIN,
        ])
        .chain([f32::MIN_POSITIVE, -f32::MIN_POSITIVE, -200.0])
        .filter(|v| !v.is_subnormal())
        .collect();
    prop_oneof![
        prop::sample::select(specials),
        -10.0f32..10.0,
        prop::num::f32::NORMAL,
    ]
}

/// Parameters for backward passes: the usual ones, ordinary values and any
/// positive normal f32 (not subnormal, as above).
fn grad_param() -> impl Strategy<Value = f32> {
    prop_oneof![
        prop::sample::select(vec![0.0f32, 0.3, 0.5, 1.0, 6.0]),
        0.0f32..8.0,
        prop::num::f32::POSITIVE | prop::num::f32::NORMAL,
    ]
}

/// Values for PReLU's alpha gradient, which the GPU sums in f32: within
/// ±1e15, so no partial sum overflows; ±0 and NaN too, no subnormals.
fn moderate() -> impl Strategy<Value = f32> + Clone {
    prop_oneof![
        prop::sample::select(vec![0.0f32, -0.0, f32::NAN, 1.0, -1.0, f32::MIN_POSITIVE]),
        -10.0f32..10.0,
        -1e15f32..1e15,
    ]
}

/// The case's saved tensor and dy on the GPU, dy flawed as the case says.
fn grad_tensors(case: &GradCase) -> (GpuTensor, GpuTensor) {
    let put = |shape: &[usize], data: &[f32], dtype| {
        GpuTensor::from_slice_as(ctx(), shape, data, dtype).expect("a valid shape uploads")
    };
    let dy = match case.flaw {
        Flaw::DyDtype if ctx().supports_f16() => put(&case.shape, &case.dy, DType::F16),
        Flaw::DyShape | Flaw::DyDtype => {
            let mut other = case.shape.clone();
            match other.first_mut() {
                Some(first) if case.shape.len() % 2 == 1 => *first += 1,
                _ => other.push(1),
            }
            let n = element_count(&other).unwrap();
            let data: Vec<f32> = (0..n).map(|i| *case.dy.get(i).unwrap_or(&1.0)).collect();
            put(&other, &data, DType::F32)
        }
        _ => put(&case.shape, &case.dy, DType::F32),
    };
    (put(&case.shape, &case.saved, DType::F32), dy)
}

/// Checks one backward output: without a flaw it must equal `want`, each
/// element as `close(i, gpu, cpu)` judges; with one it must be refused
/// clearly.
fn check_grad(
    what: &str,
    flaw: Flaw,
    got: Result<GpuTensor>,
    want: Result<Vec<f32>>,
    close: impl Fn(usize, f32, f32) -> bool,
) {
    let got = got.and_then(|t| t.to_vec_blocking(ctx()));
    if flaw != Flaw::None {
        let e = got
            .err()
            .unwrap_or_else(|| panic!("{what}: accepted with {flaw:?}"));
        return assert_clear(&e, what);
    }
    let got = got.unwrap_or_else(|e| panic!("{what}: a valid input was refused: {e}"));
    let want = want.unwrap_or_else(|e| panic!("{what}: the reference refused: {e}"));
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (&g, &w)) in got.iter().zip(&want).enumerate() {
        assert!(
            close(i, g, w),
            "{what}: element {i}: gpu {g:e} vs cpu {w:e}"
        );
    }
}

/// ELU backward's tolerance (tests/backward.rs): 6 ulps; where exp(x) is
/// subnormal in f32 (WGSL may flush it), |alpha dy| times the smallest
/// normal f32.
/// The transcendental `keras.activations` functions (`pick` modulo 13,
/// celu's alpha from `v`), with their bounds in ulps forward and backward
/// (tests/elementwise.rs, tests/backward.rs).
fn transcendental(pick: usize, v: f32) -> (Result<Activation, Error>, u32, u32) {
    let (name, kwargs, forward, backward) = match pick % 13 {
        0 => ("sigmoid", json!({}), 3, 4),
        1 => ("tanh", json!({}), 2, 4),
        2 => ("softplus", json!({}), 3, 4),
        3 => ("log_sigmoid", json!({}), 3, 4),
        4 => ("silu", json!({}), 4, 5),
        5 => ("swish", json!({}), 4, 5),
        6 => ("mish", json!({}), 5, 9),
        7 => ("selu", json!({}), 3, 4),
        8 => ("celu", json!({ "alpha": v }), 3, 3),
        9 => ("gelu", json!({}), 5, 7),
        10 => ("gelu", json!({"approximate": true}), 5, 7),
        11 => ("exponential", json!({}), 2, 3),
        _ => ("tanh_shrink", json!({}), 4, 5),
    };
    (Activation::with_kwargs(name, &kwargs), forward, backward)
}

/// A transcendental function's dx (tests/backward.rs): within `ulps`, or,
/// for silu, mish and gelu where their derivative's two terms cancel,
/// within 3 eps |dy| of those terms.
fn transcendental_grad_close(
    layer: &Activation,
    ulps: u32,
    got: f32,
    want: f32,
    x: f32,
    dy: f32,
) -> bool {
    let approximate = layer.kwargs()["approximate"] == true;
    let floor = derivative_terms(layer.name(), approximate, x).map_or(0.0, |t| {
        3.0 * f64::from(f32::EPSILON) * f64::from(dy).abs() * t
    });
    close(got, want, Tolerance::Ulps(ulps))
        || got.is_finite() && want.is_finite() && (f64::from(got) - f64::from(want)).abs() <= floor
}

fn elu_grad_close(got: f32, want: f32, x: f32, dy: f32, alpha: f32) -> bool {
    let min = f64::from(f32::MIN_POSITIVE);
    close(got, want, Tolerance::Ulps(ELU_GRAD_ULPS))
        || (f64::from(x).exp() < min
            && (f64::from(got) - f64::from(want)).abs()
                <= (f64::from(alpha) * f64::from(dy)).abs() * min)
}

/// The alpha gradient's tolerance (tests/training.rs): 64 eps times
/// `scale`, the sum of |dy min(x, 0)| it adds up, plus the smallest normal.
fn sum_close(got: f32, want: f32, scale: f64) -> bool {
    (got.is_nan() && want.is_nan())
        || (f64::from(got) - f64::from(want)).abs()
            <= 64.0 * f64::from(f32::EPSILON) * scale + f64::from(f32::MIN_POSITIVE)
}

/// Σ|dy min(x, 0)| per alpha element: the scale of its gradient's rounding.
fn alpha_scale(case: &GradCase, alpha_shape: &[usize]) -> Result<Vec<f64>> {
    let x: Vec<f32> = case.saved.iter().map(|v| -v.abs()).collect();
    let dy: Vec<f32> = case.dy.iter().map(|v| v.abs()).collect();
    let sums = cpu::prelu_alpha_gradient(&case.shape, &x, &dy, alpha_shape)?;
    Ok(sums.into_iter().map(|v| f64::from(v).abs()).collect())
}

/// Σ|dy·y| over the unmasked part of each element's softmax row: the scale
/// of softmax backward's rounding (`common::softmax_backward_close`).
fn row_scales(
    softmax: &Softmax,
    case: &GradCase,
    mask: Option<&(Vec<usize>, Vec<bool>)>,
) -> Vec<f64> {
    let shape = &case.shape;
    let offsets = mask.map(|(mask_shape, _)| oracle_mask_offsets(shape, mask_shape).unwrap());
    let kept = |flat: usize| match (mask, &offsets) {
        (Some((_, keep)), Some(offsets)) => keep[offsets[flat]],
        _ => true,
    };
    let axes = reduced_axes(softmax.axis_list(), shape.len()).unwrap();
    let mut scales = vec![0.0; case.saved.len()];
    for row in rows(shape, &axes) {
        let sum: f64 = row
            .iter()
            .filter(|&&i| kept(i))
            .map(|&i| (f64::from(case.dy[i]) * f64::from(case.saved[i])).abs())
            .sum();
        for i in row {
            scales[i] = sum;
        }
    }
    scales
}

/// Keys of Keras layer entries and configs, and of the objects inside them.
const KERAS_KEYS: &str = "class_name config module registered_name build_config \
    input_shape name trainable dtype max_value negative_slope threshold alpha \
    theta axis robust_masking alpha_initializer alpha_regularizer \
    alpha_constraint shared_axes layers build_input_shape batch_shape \
    batch_input_shape compile_config keras_version backend seed value mean \
    stddev minval maxval scale mode distribution l1 l2 min_value rate";

/// Strings Keras configs hold: class and object names, modes, dtypes.
const KERAS_NAMES: &str = "ReLU LeakyReLU PReLU ELU ThresholdedReLU Softmax \
    Sequential InputLayer Zeros Ones Constant RandomNormal TruncatedNormal \
    RandomUniform VarianceScaling GlorotUniform glorot_uniform he_normal L1 l2 \
    L1L2 NonNeg MaxNorm MinMaxNorm UnitNorm fan_avg truncated_normal uniform \
    float32";

/// One of `words` (whitespace-separated), or "".
fn word(words: &'static str) -> impl Strategy<Value = &'static str> {
    prop::sample::select(words.split_whitespace().chain([""]).collect::<Vec<_>>())
}

/// JSON numbers: sizes, axes and parameters, values that round to -0.0 or
/// overflow f32, integers past i64, any f64. No mid-sized integer: a PReLU
/// built for such an `input_shape` would allocate gigabytes, as in Keras.
fn json_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(vec![
            0i64,
            1,
            2,
            3,
            7,
            -1,
            -3,
            1 << 32,
            1 << 33,
            i64::MIN,
            i64::MAX
        ])
        .prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        prop::sample::select(vec![0.0, -0.0, 0.3, 0.5, 2.0, 6.0, -1e-50, 1e39, -1e300])
            .prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
    ]
}

fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => word(KERAS_KEYS).prop_map(String::from),
        1 => any::<String>(),
    ]
}

/// Any JSON value up to three levels deep, mostly of Keras's keys and names.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        json_number(),
        word(KERAS_NAMES).prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((json_key(), inner), 0..4)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// A layer as configs describe them, with `v` for its parameters.
fn keras_layer() -> impl Strategy<Value = AnyLayer> {
    let axes = prop::collection::vec(-2i64..4, 0..3);
    (0usize..9, grad_param(), axes, any::<u64>()).prop_map(|(which, v, axes, seed)| match which {
        0 => ReLU::new(Some(v), v / 2.0, 0.0).unwrap().into(),
        // Any function the Activation layer runs, with Keras's defaults
        // (threshold has none: two arguments from `v`).
        7 => {
            let names = Activation::names();
            let name = names[seed as usize % names.len()];
            Activation::new(name)
                .or_else(|_| Activation::threshold(v, -v))
                .unwrap()
                .into()
        }
        // A transcendental function (celu's alpha v, or 1 where v is 0 or
        // subnormal).
        8 => transcendental(
            seed as usize,
            if v.abs() < f32::MIN_POSITIVE { 1.0 } else { v },
        )
        .0
        .unwrap()
        .into(),
        1 => LeakyReLU::new(v).unwrap().into(),
        2 => ELU::new(-v).unwrap().into(),
        3 => ThresholdedReLU::new(v).unwrap().into(),
        4 if axes.is_empty() => Softmax::new(-1).into(),
        4 => Softmax::axes(&axes).into(),
        // Shared axes that fit the rank-3 inputs of `keras_document`.
        5 => PReLU::new()
            .with_shared_axes(&shared_axes_in_range(&axes, 3))
            .with_initializer(Initializer::glorot_uniform(Some(seed)))
            .with_regularizer(Regularizer::l2(v).unwrap())
            .into(),
        _ => PReLU::new()
            .with_initializer(Initializer::Constant(v))
            .with_constraint(Constraint::non_neg())
            .into(),
    })
}

/// A valid Keras document: one entry, a list of them, or a `Sequential`
/// built by its `build_config` or its `InputLayer`.
fn keras_document() -> impl Strategy<Value = Value> {
    (prop::collection::vec(keras_layer(), 1..4), 0u8..4).prop_map(|(layers, form)| {
        let entries = AnyLayer::Chain(layers.clone().into()).to_keras_json();
        let input_layer =
            json!({"class_name": "InputLayer", "config": {"batch_shape": [null, 3, 2]}});
        match form {
            0 => layers[0].to_keras_json(),
            1 => entries,
            2 => json!({
                "class_name": "Sequential",
                "config": {"layers": entries},
                "build_config": {"input_shape": [null, 2, 3]},
            }),
            _ => {
                let mut with_input = vec![input_layer];
                with_input.extend(entries.as_array().unwrap().iter().cloned());
                json!({"class_name": "Sequential", "config": {"layers": with_input}})
            }
        }
    })
}

/// A change to a JSON document at the node a path leads to.
#[derive(Clone, Debug)]
enum Edit {
    Replace(Vec<usize>, Value),
    Insert(Vec<usize>, String, Value),
    Remove(Vec<usize>, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let path = prop::collection::vec(any::<usize>(), 0..5);
    prop_oneof![
        (path.clone(), json_value()).prop_map(|(p, v)| Edit::Replace(p, v)),
        (path.clone(), json_key(), json_value()).prop_map(|(p, k, v)| Edit::Insert(p, k, v)),
        (path, any::<usize>()).prop_map(|(p, i)| Edit::Remove(p, i)),
    ]
}

/// The node `path` leads to: each step picks a child (modulo their number)
/// until a leaf.
fn node_at<'a>(value: &'a mut Value, path: &[usize]) -> &'a mut Value {
    let n = match &*value {
        Value::Array(items) => items.len(),
        Value::Object(map) => map.len(),
        _ => 0,
    };
    let Some((&step, rest)) = path.split_first().filter(|_| n > 0) else {
        return value;
    };
    let child = match value {
        Value::Array(items) => &mut items[step % n],
        Value::Object(map) => map.values_mut().nth(step % n).unwrap(),
        _ => unreachable!("only arrays and objects have children"),
    };
    node_at(child, rest)
}

fn apply(doc: &mut Value, edit: &Edit) {
    match edit {
        Edit::Replace(path, new) => *node_at(doc, path) = new.clone(),
        Edit::Insert(path, key, new) => match node_at(doc, path) {
            Value::Object(map) => drop(map.insert(key.clone(), new.clone())),
            node => *node = json!({ key.as_str(): new }),
        },
        Edit::Remove(path, i) => match node_at(doc, path) {
            Value::Array(items) if !items.is_empty() => drop(items.remove(i % items.len())),
            Value::Object(map) if !map.is_empty() => {
                let key = map.keys().nth(i % map.len()).unwrap().clone();
                map.remove(&key);
            }
            _ => {}
        },
    }
}

/// Byte edits: each overwrites, inserts or deletes the byte at an index,
/// or cuts the bytes there.
type ByteEdits = Vec<(Index, u8, u8)>;

fn byte_edits() -> impl Strategy<Value = ByteEdits> {
    prop::collection::vec(any::<(Index, u8, u8)>(), 1..4)
}

fn edit_bytes(bytes: &mut Vec<u8>, edits: &ByteEdits) {
    for (at, byte, kind) in edits {
        let i = at.index(bytes.len() + 1);
        match kind % 4 {
            0 if i < bytes.len() => bytes[i] = *byte,
            1 => bytes.insert(i, *byte),
            2 if i < bytes.len() => drop(bytes.remove(i)),
            3 => bytes.truncate(i),
            _ => {}
        }
    }
}

/// Reads a Keras document: a refusal must be clear, and an accepted layer
/// writes JSON that reads back to the same JSON. Returns whether it was read.
fn read_keras(doc: &Value) -> bool {
    match layer_from_json(doc) {
        Ok(layer) => {
            let written = layer.to_keras_json();
            let again = layer_from_json(&written)
                .unwrap_or_else(|e| panic!("{doc} was read, but not as written, {written}: {e}"));
            assert_eq!(again.to_keras_json(), written, "{doc}");
            true
        }
        Err(e) => {
            assert_clear(&e, &format!("layer_from_json({doc})"));
            false
        }
    }
}

const NPY_MAGIC: &[u8] = b"\x93NUMPY";

/// A `.npy` header dict from pieces: its three keys in any order, each
/// value right or wrong, sometimes an unknown or malformed entry, with or
/// without its braces and trailing comma.
fn npy_header() -> impl Strategy<Value = String> {
    let pick = |items: &[&'static str]| prop::sample::select(items.to_vec());
    let descr = prop_oneof![
        3 => pick(&["'<f4'", "'>f4'", "'<f8'", "'>f8'"]),
        1 => pick(&["'<i4'", "'|u1'", "\"<f4\"", "'<f4", "<f4", "None", "''"]),
    ];
    let fortran =
        prop_oneof![3 => pick(&["False", "True"]), 1 => pick(&["false", "1", "'True'", ""])];
    let dim = prop_oneof![
        4 => pick(&["0", "1", "2", "3", "5"]),
        1 => pick(&["3L", " 2 ", "-1", "1.5", "x", ""]),
        1 => pick(&["4294967296", "18446744073709551615", "18446744073709551616"]),
    ];
    let shape = (
        prop::collection::vec(dim, 0..4),
        pick(&["({})", "({},)", "[{}]", "({}", "{})"]),
    )
        .prop_map(|(dims, form)| form.replace("{}", &dims.join(", ")));
    let extra = prop::option::weighted(
        0.2,
        pick(&[
            "'extra': 1",
            "descr: '<f4'",
            "'shape' (2,)",
            "'descr': '<f4'",
            ",",
        ]),
    );
    let entries = (descr, fortran, shape, extra).prop_flat_map(|(d, f, s, extra)| {
        let mut entries = vec![
            format!("'descr': {d}"),
            format!("'fortran_order': {f}"),
            format!("'shape': {s}"),
        ];
        entries.extend(extra.map(String::from));
        Just(entries).prop_shuffle()
    });
    (
        entries,
        any::<bool>(),
        pick(&["", ", ", ","]),
        any::<bool>(),
    )
        .prop_map(|(entries, braces, comma, cut)| {
            let text = format!("{{{}{comma}}}", entries.join(", "));
            match (braces, cut) {
                (true, _) => text,
                (false, true) => text[1..].to_string(),
                (false, false) => text[..text.len() - 1].to_string(),
            }
        })
}

/// A `.npy` file around a header from [`npy_header`]: any version byte, a
/// header length mostly right, and data of any length.
fn npy_file() -> impl Strategy<Value = Vec<u8>> {
    (
        npy_header(),
        prop::sample::select(vec![1u8, 2, 3, 0, 4]),
        prop_oneof![4 => Just(0i64), 1 => -3i64..3],
        prop::collection::vec(any::<u8>(), 0..100),
    )
        .prop_map(|(header, major, skew, data)| {
            let mut text = header.into_bytes();
            text.push(b'\n');
            let len = (text.len() as i64 + skew).max(0) as u32;
            let mut out = NPY_MAGIC.to_vec();
            out.extend([major, 0]);
            if major == 1 {
                out.extend((len as u16).to_le_bytes());
            } else {
                out.extend(len.to_le_bytes());
            }
            out.extend(text);
            out.extend(data);
            out
        })
}

/// Reads `.npy` bytes with `read_npy` and as PReLU's alpha: a refusal must
/// be clear, and accepted values must fill their shape.
fn read_npy_checked(bytes: &[u8]) {
    let read = read_npy(bytes);
    match &read {
        Ok((shape, values)) => assert!(
            element_count(shape).ok() == Some(values.len()),
            "read_npy gave {} values for {shape:?}",
            values.len()
        ),
        Err(e) => assert!(matches!(e, Error::Npy(_)), "read_npy: {e}"),
    }
    let prelu = PReLU::new();
    match prelu.load_alpha_npy(bytes) {
        Ok(()) => assert_eq!(
            prelu.weights().map(|(shape, _)| shape),
            read.ok().map(|(shape, _)| shape)
        ),
        Err(e) => assert_clear(&e, "load_alpha_npy"),
    }
}

proptest! {
    #![proptest_config(config(VALIDATION_CASES))]

    /// Constructors accept exactly finite, non-negative arguments (ELU's
    /// alpha may be negative; ReLU's max_value may be +inf, meaning none)
    /// and otherwise name the bad argument.
    #[test]
    fn constructors_accept_exactly_valid_arguments(
        max_value in prop::option::of(wild_f32()),
        a in wild_f32(),
        b in wild_f32(),
    ) {
        let valid = |v: f32| v.is_finite() && v >= 0.0;
        let relu = ReLU::new(max_value, a, b);
        let max_ok = max_value.is_none_or(|m| valid(m) || m == f32::INFINITY);
        prop_assert_eq!(relu.is_ok(), max_ok && valid(a) && valid(b), "ReLU::new({:?}, {}, {})", max_value, a, b);
        match relu {
            Ok(r) => {
                prop_assert_eq!(r.max_value(), max_value.filter(|m| m.is_finite()));
                prop_assert_eq!(r.negative_slope().to_bits(), a.to_bits());
                prop_assert_eq!(r.threshold().to_bits(), b.to_bits());
            }
            Err(e) => assert_clear(&e, "ReLU::new"),
        }
        for (name, result) in [
            ("LeakyReLU::new", LeakyReLU::new(a).map(|l| l.negative_slope())),
            ("LeakyReLU::from_alpha", LeakyReLU::from_alpha(a).map(|l| l.negative_slope())),
            ("ThresholdedReLU::new", ThresholdedReLU::new(a).map(|l| l.theta())),
        ] {
            prop_assert_eq!(result.is_ok(), valid(a), "{}({})", name, a);
            match result {
                Ok(v) => prop_assert_eq!(v.to_bits(), a.to_bits()),
                Err(e) => assert_clear(&e, name),
            }
        }
        match ELU::new(a) {
            Ok(l) => {
                prop_assert!(a.is_finite());
                prop_assert_eq!(l.alpha().to_bits(), a.to_bits());
            }
            Err(e) => {
                prop_assert!(!a.is_finite(), "ELU::new({}) rejected", a);
                assert_clear(&e, "ELU::new");
            }
        }
    }

    /// `Activation(name)` accepts exactly the functions it runs, by Keras's
    /// name, and otherwise names `activation`: a Keras name it does not run
    /// yet says so, anything else is Keras's "Could not interpret" error.
    #[test]
    fn activation_names_are_accepted_exactly(
        name in prop_oneof![
            prop::sample::select(Activation::names()).prop_map(String::from),
            Just("gelu".to_string()),
            Just("swish".to_string()),
            Just("hard_swish".to_string()),
            Just("Relu6".to_string()),
            Just(String::new()),
            "[a-z_0-9]{0,12}",
            any::<String>(),
        ],
    ) {
        match Activation::new(&name) {
            // The name itself, or an alias that Keras resolves to its target.
            Ok(layer) => prop_assert!(
                layer.name() == name
                    || (name.as_str(), layer.name()) == ("hard_swish", "hard_silu")
                    || (name.as_str(), layer.name()) == ("swish", "silu"),
                "{} gave {}", name, layer.name()
            ),
            Err(e) => {
                // threshold's two arguments have no defaults, as in Keras.
                prop_assert!(!Activation::names().contains(&name.as_str()) || name == "threshold");
                assert_clear(&e, "Activation::new");
            }
        }
    }

    /// Uploads: a shape and a data length either agree and fit, or the
    /// rejection names the problem; masks the same.
    #[test]
    fn uploads_validate_shape_and_length(shape in wild_shape(), skew in any::<usize>(), bits in any::<u64>()) {
        let len = data_len(&shape, skew);
        let data: Vec<f32> = (0..len).map(|i| i as f32 - 3.0).collect();
        if let Some(t) = upload(&shape, &data, false) {
            prop_assert_eq!(t.len(), len);
            if len <= 8 {
                prop_assert_eq!(t.to_vec_blocking(ctx()).unwrap(), data);
            }
        }
        let keep = mask_values(len, bits);
        if let Some(m) = uploaded(GpuTensor::from_mask(ctx(), &shape, &keep), &shape, len, false) {
            prop_assert_eq!(m.len(), len);
        }
    }

    /// The CPU reference of every layer on arbitrary shapes and lengths:
    /// no panic, a clear error when the data does not fit the shape.
    #[test]
    fn references_validate_their_input(
        shape in wild_shape(),
        skew in any::<usize>(),
        axes in wild_axes(),
    ) {
        let len = data_len(&shape, skew);
        let data: Vec<f32> = (0..len).map(|i| (i as f32 - 5.0) * 0.75).collect();
        let layers: Vec<Box<dyn Layer>> = vec![
            Box::new(ReLU::default()),
            Box::new(ELU::default()),
            Box::new(PReLU::new().with_shared_axes(&axes)),
            Box::new(Softmax::axes(&axes)),
            Box::new(Sequential::new().with(LeakyReLU::default()).with(Softmax::new(-1))),
        ];
        for layer in &layers {
            match layer.reference(&shape, &data) {
                Ok(y) => prop_assert_eq!(y.len(), len),
                Err(e) => assert_clear(&e, &format!("{}::reference({shape:?})", layer.class_name())),
            }
        }
        let fits = element_count(&shape).is_ok_and(|n| n == len);
        prop_assert!(fits || ReLU::default().reference(&shape, &data).is_err());
    }

    /// PReLU's builder: any shared axes, input shape and initializer; then
    /// set_alpha with values of any length. Accepted alpha is finite.
    #[test]
    fn prelu_build_and_set_alpha(
        shape in wild_shape(),
        axes in wild_axes(),
        init in wild_f32(),
        alpha_len in 0usize..40,
        alpha_value in wild_f32(),
    ) {
        let prelu = PReLU::new().with_shared_axes(&axes).with_initializer(Initializer::Constant(init));
        // Building allocates alpha, as Keras does; an alpha that is legal but
        // gigabytes large is left out to spare the machine (larger than u32
        // indexing must be refused, and is kept).
        let built_len = keras_alpha_shape(&shape, &axes).and_then(|a| element_count(&a).ok());
        prop_assume!(built_len.is_none_or(|n| n <= 1 << 20 || n > u32::MAX as usize));
        match prelu.build(&shape) {
            Ok(()) => {
                let alpha_shape = prelu.alpha_shape().unwrap();
                let alpha = prelu.alpha().unwrap();
                prop_assert_eq!(alpha.len(), element_count(&alpha_shape).unwrap());
                prop_assert_eq!(alpha_shape.len(), shape.len() - 1);
                prop_assert!(alpha.iter().all(|v| v.is_finite()), "alpha {:?} from Constant({})", alpha.first(), init);
            }
            Err(e) => {
                assert_clear(&e, &format!("PReLU{axes:?}.build({shape:?}), Constant({init})"));
                prop_assert!(!prelu.is_built());
            }
        }
        let values = vec![alpha_value; alpha_len];
        match prelu.set_alpha(&values) {
            Ok(()) => {
                prop_assert!(alpha_value.is_finite() || alpha_len == 0);
                prop_assert_eq!(prelu.alpha().unwrap(), values);
            }
            Err(e) => assert_clear(&e, "set_alpha"),
        }
    }
}

proptest! {
    #![proptest_config(config(PARSER_CASES))]

    /// The Keras JSON readers: a valid document is read, and reads back
    /// from what it writes; the document with structured edits (any node
    /// replaced by any JSON value of Keras's keys and names, keys added or
    /// removed), its text with byte edits, arbitrary bytes, and any class
    /// name with any config are read without a panic, and each refusal is
    /// clear.
    #[test]
    fn keras_json_is_read_without_panics(
        doc in keras_document(),
        edits in prop::collection::vec(edit(), 1..3),
        text_edits in byte_edits(),
        bytes in prop::collection::vec(any::<u8>(), 0..64),
        class_name in prop_oneof![
            word(KERAS_NAMES).prop_map(String::from),
            any::<String>(),
        ],
        config in json_value(),
    ) {
        prop_assert!(read_keras(&doc), "a valid document was refused: {}", doc);
        let mut edited = doc.clone();
        for edit in &edits {
            apply(&mut edited, edit);
        }
        read_keras(&edited);
        let mut text = serde_json::to_vec(&doc).unwrap();
        edit_bytes(&mut text, &text_edits);
        for bytes in [&text, &bytes] {
            if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
                read_keras(&value);
            }
        }
        let what = format!("layer_from_config({class_name:?}, {config})");
        match layer_from_config(&class_name, &config) {
            Ok(layer) => {
                let written = layer.to_keras_config();
                let again = layer_from_config(layer.class_name(), &written)
                    .unwrap_or_else(|e| panic!("{what}: not read back from {written}: {e}"));
                prop_assert_eq!(again.to_keras_config(), written);
            }
            Err(e) => assert_clear(&e, &what),
        }
    }

    /// `.npy` bytes: what `write_npy` writes reads back bit for bit; the
    /// file with byte edits, files around headers made of right and wrong
    /// pieces, and arbitrary bytes (with and without the magic) are read
    /// by `read_npy` and `PReLU::load_alpha_npy` without a panic, each
    /// refusal clear.
    #[test]
    fn npy_bytes_are_read_without_panics(
        (shape, values) in valid_shape(0..=3).prop_flat_map(|shape| {
            let n = element_count(&shape).unwrap();
            (Just(shape), prop::collection::vec(wild_f32(), n))
        }),
        edits in byte_edits(),
        crafted in npy_file(),
        noise in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let file = write_npy(&shape, &values).unwrap();
        let (read_shape, read_values) = read_npy(&file).unwrap();
        prop_assert_eq!(read_shape, shape);
        let bits = |v: &[f32]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(bits(&read_values), bits(&values));
        let mut edited = file;
        edit_bytes(&mut edited, &edits);
        for bytes in [edited, crafted, [NPY_MAGIC, &noise].concat(), noise] {
            read_npy_checked(&bytes);
        }
    }
}

proptest! {
    #![proptest_config(config(GPU_CASES))]

    /// The elementwise layers on valid and wild inputs and parameters.
    #[test]
    fn elementwise_forwards_match_the_reference(
        input in input(0..=5),
        which in 0usize..11,
        pick in any::<usize>(),
        p in prop::array::uniform3(wild_f32()),
    ) {
        // A valid case's celu alpha is finite and normal (a subnormal one is
        // refused: found here, 1 / alpha overflowed on lavapipe).
        let p = if input.valid { p.map(finite).map(|v| if v.abs() < f32::MIN_POSITIVE { 0.5 } else { v }) } else { p };
        let (function, forward_ulps, _) = transcendental(pick, p[0]);
        let layer = match which {
            0 => ReLU::new(Some(p[0].abs()), p[1].abs(), p[2].abs()).map(boxed),
            1 => LeakyReLU::new(p[0].abs()).map(boxed),
            2 => ELU::new(p[0]).map(boxed),
            3 => ThresholdedReLU::new(p[0].abs()).map(boxed),
            5 => Activation::new("relu6").map(boxed),
            6 => Activation::soft_shrink(p[0]).map(boxed),
            7 => Activation::threshold(p[0], p[1]).map(boxed),
            8 => Activation::squareplus(p[0].abs()).map(boxed),
            9 => Activation::relu(p[0], Some(p[1].abs()), p[2]).map(boxed),
            10 => function.map(boxed),
            _ => ReLU::new(None, p[1].abs(), 0.0).map(boxed),
        };
        // A refused wild parameter (clearly, as the constructor property
        // checks) leaves the layer's defaults, so the input still runs.
        let layer = layer.unwrap_or_else(|e| {
            refused(&e, "a constructor", input.valid);
            boxed(ReLU::default())
        });
        // ELU's, squareplus's and each transcendental function's stated
        // bounds (tests/elementwise.rs).
        let tol = match which {
            2 | 8 => Tolerance::Ulps(4),
            10 => Tolerance::Ulps(forward_ulps),
            _ => Tolerance::Exact,
        };
        check_layer(layer.as_ref(), &input, Bound::Elementwise(tol));
    }

    /// PReLU, built on its first input or before it; valid inputs share
    /// axes in range and are built for their shape up to the batch and the
    /// shared axes; wild ones take any axes and build shapes, which may not
    /// fit the input.
    #[test]
    fn prelu_forwards_match_the_reference(
        input in input(1..=5),
        built_for in prop::option::of(wild_shape()),
        axes in wild_axes(),
        seed in any::<u32>(),
    ) {
        let (axes, built_for) = if input.valid {
            let axes = shared_axes_in_range(&axes, input.shape.len());
            let built_for = built_for.map(|_| {
                let mut shape = input.shape.clone();
                for axis in std::iter::once(0).chain(axes.iter().map(|&a| a as usize)) {
                    shape[axis] = 1 + (seed as usize >> axis) % 3;
                }
                shape
            });
            (axes, built_for)
        } else {
            (axes, built_for)
        };
        let prelu = PReLU::new().with_shared_axes(&axes);
        if let Some(built) = &built_for {
            let n = keras_alpha_shape(built, &axes).and_then(|a| element_count(&a).ok());
            // Legal but huge alphas are not built (see above).
            if n.is_some_and(|n| n <= 4096) {
                match prelu.build(built) {
                    Ok(()) => prelu.set_alpha(&spread(n.unwrap(), -2.0, 2.0, seed.into())).unwrap(),
                    Err(e) => refused(&e, &format!("PReLU{axes:?}.build({built:?})"), input.valid),
                }
            }
        }
        check_layer(&prelu, &input, Bound::Elementwise(Tolerance::Exact));
    }

    /// Softmax with every mapping, unmasked and masked. Valid inputs take
    /// axes in range and masks that broadcast; wild ones any axes, and
    /// masks of any shape and length.
    #[test]
    fn softmax_forwards_match_the_reference(
        input in input(1..=5),
        axes in prop_oneof![3 => prop::collection::vec(-3i64..3, 1..3), 1 => wild_axes()],
        mapping in mapping(),
        mask_shape in prop::option::weighted(0.5, prop_oneof![small_shape(), wild_shape()]),
        bits in any::<u64>(),
    ) {
        let axes = if input.valid { axes_in_range(&axes, input.shape.len()) } else { axes };
        let layer = Softmax::axes(&axes).with_mapping(mapping);
        prop_assert_eq!(layer.axis_list(), axes.as_slice());
        let Some(other_shape) = mask_shape else {
            check_layer(&layer, &input, Bound::Softmax { extra: 0 });
            return Ok(());
        };
        // Half the wild masks broadcast too, so the input decides.
        let (mask_shape, len) = if input.valid || bits & 1 == 0 {
            let shape = broadcast_mask_shape(&input.shape, bits);
            let len = match input.valid {
                true => element_count(&shape).unwrap(),
                false => data_len(&shape, bits as usize),
            };
            (shape, len)
        } else {
            let len = data_len(&other_shape, bits as usize);
            (other_shape, len)
        };
        let keep = mask_values(len, bits);
        let mask = GpuTensor::from_mask(ctx(), &mask_shape, &keep);
        let Some(mask) = uploaded(mask, &mask_shape, len, input.valid) else { return Ok(()) };
        let m = mask_f32(&keep);
        check_forward(
            &format!("Softmax{axes:?} on {:?} masked by {mask_shape:?}", input.shape),
            &input,
            |x| layer.forward_masked(ctx(), x, Some(&mask)),
            || cpu::softmax(&layer, &input.shape, &input.data, Some((&mask_shape, &m))),
            Bound::Softmax { extra: 0 },
        );
    }

    /// Chains of random layers: one submission, equal to the chained references.
    #[test]
    fn sequential_chains_match_the_reference(
        input in input(1..=5),
        picks in prop::collection::vec(0usize..6, 0..5),
        slope in wild_f32(),
    ) {
        let slope = if input.valid { finite(slope) } else { slope };
        let mut chain = Sequential::new();
        for &pick in &picks {
            chain.push(match pick {
                0 => AnyLayer::from(ReLU::new(Some(6.0), 0.1, 0.0).unwrap()),
                1 => AnyLayer::from(LeakyReLU::new(slope.abs()).unwrap_or_default()),
                2 => AnyLayer::from(ELU::default()),
                3 => AnyLayer::from(ThresholdedReLU::default()),
                4 => AnyLayer::from(PReLU::new().with_initializer(Initializer::Constant(0.25))),
                _ => AnyLayer::from(Softmax::new(-1)),
            });
        }
        let elus = picks.iter().filter(|&&p| p == 2).count() as u32;
        let bound = match picks.iter().rposition(|&p| p == 5) {
            Some(last) => Bound::Softmax {
                extra: (2.0 * chain_error(&picks[..last], slope)).ceil() as u64,
            },
            // Without a softmax, relative errors only add up.
            None if elus > 0 => Bound::Elementwise(Tolerance::Ulps(4 * elus + 2)),
            None => Bound::Elementwise(Tolerance::Exact),
        };
        check_layer(&chain, &input, bound);
    }
}

proptest! {
    #![proptest_config(config(BACKWARD_CASES))]

    /// The elementwise layers' backward passes, and chains of the exact ones.
    #[test]
    fn elementwise_backwards_match_the_reference(
        case in grad_case(0..=4, grad_value(), grad_value(), false),
        which in 0usize..7,
        p in prop::array::uniform3(grad_param()),
        negative_alpha in any::<bool>(),
        picks in prop::collection::vec(0usize..3, 0..4),
        pick in any::<usize>(),
    ) {
        let relu = || AnyLayer::from(ReLU::new(Some(p[0]), p[1], p[2]).unwrap());
        let alpha = if negative_alpha { -p[0] } else { p[0] };
        // celu's alpha: normal.
        let (function, _, backward_ulps) =
            transcendental(pick, if alpha.abs() < f32::MIN_POSITIVE { 1.0 } else { alpha });
        let function = function.unwrap();
        let layer = match which {
            0 => relu(),
            1 => AnyLayer::from(ReLU::new(None, p[1], 0.0).unwrap()),
            2 => AnyLayer::from(LeakyReLU::new(p[0]).unwrap()),
            3 => AnyLayer::from(ELU::new(alpha).unwrap()),
            4 => AnyLayer::from(ThresholdedReLU::new(p[0]).unwrap()),
            6 => AnyLayer::from(function.clone()),
            _ => {
                let mut chain = Sequential::new();
                for &pick in &picks {
                    chain.push(match pick {
                        0 => relu(),
                        1 => AnyLayer::from(LeakyReLU::new(p[1]).unwrap()),
                        _ => AnyLayer::from(ThresholdedReLU::new(p[2]).unwrap()),
                    });
                }
                AnyLayer::from(chain)
            }
        };
        let (x, dy) = grad_tensors(&case);
        check_grad(
            &format!("{} backward on {:?}", layer.class_name(), case.shape),
            case.flaw,
            layer.backward(ctx(), &x, &dy),
            layer.reference_backward(&case.shape, &case.saved, &case.dy),
            |i, g, w| match which {
                3 => elu_grad_close(g, w, case.saved[i], case.dy[i], alpha),
                6 => transcendental_grad_close(
                    &function,
                    backward_ulps,
                    g,
                    w,
                    case.saved[i],
                    case.dy[i],
                ),
                _ => close(g, w, Tolerance::Exact),
            },
        );
    }

    /// PReLU's dx (`backward` and `gradients`) and its alpha gradient
    /// (`alpha_gradient` and `gradients`), with shared axes in range.
    #[test]
    fn prelu_backwards_match_the_reference(
        case in grad_case(1..=4, moderate(), moderate(), true),
        axes in prop::collection::vec(any::<i64>(), 0..3),
        seed in any::<u64>(),
    ) {
        let prelu = PReLU::new().with_shared_axes(&shared_axes_in_range(&axes, case.shape.len()));
        let mut built = case.shape.clone();
        if case.flaw == Flaw::Layer {
            built.push(2);
        }
        prelu.build(&built).unwrap();
        let alpha_shape = prelu.alpha_shape().unwrap();
        prelu.set_alpha(&spread(element_count(&alpha_shape).unwrap(), -2.0, 2.0, seed)).unwrap();
        let (x, dy) = grad_tensors(&case);
        let what = format!("PReLU{:?} on {:?}", prelu.shared_axes(), case.shape);
        let dx = || prelu.reference_backward(&case.shape, &case.saved, &case.dy);
        let d_alpha =
            || cpu::prelu_alpha_gradient(&case.shape, &case.saved, &case.dy, &alpha_shape);
        let scale = alpha_scale(&case, &alpha_shape).unwrap_or_default();
        let exact = |_: usize, g: f32, w: f32| close(g, w, Tolerance::Exact);
        let summed = |i: usize, g: f32, w: f32| sum_close(g, w, scale[i]);
        let check = |part: &str, got, want, close: &dyn Fn(usize, f32, f32) -> bool| {
            check_grad(&format!("{what}: {part}"), case.flaw, got, want, close)
        };
        check("backward", Layer::backward(&prelu, ctx(), &x, &dy), dx(), &exact);
        check("alpha_gradient", prelu.alpha_gradient(ctx(), &x, &dy), d_alpha(), &summed);
        match prelu.gradients(ctx(), &x, &dy) {
            Ok(both) => {
                check("gradients' dx", Ok(both.dx), dx(), &exact);
                check("gradients' d_alpha", Ok(both.d_alpha), d_alpha(), &summed);
            }
            Err(e) => check("gradients", Err(e), dx(), &exact),
        }
    }

    /// Softmax's backward pass from y, with every mapping, unmasked and
    /// masked, within `softmax_backward_close` of each element's own row.
    #[test]
    fn softmax_backwards_match_the_reference(
        case in grad_case(
            1..=4,
            prop_oneof![0.0f32..=1.0, Just(0.0), Just(1.0)],
            prop_oneof![
                20 => -4.0f32..4.0,
                10 => -1e30f32..1e30,
                10 => Just(0.0),
                1 => Just(f32::NAN),
            ],
            true,
        ),
        axes in prop::collection::vec(-4i64..4, 1..3),
        mapping in mapping(),
        bits in prop::option::of(any::<u64>()),
    ) {
        let rank = case.shape.len();
        let mut axes = axes_in_range(&axes, rank);
        let flawed = case.flaw == Flaw::Layer;
        if flawed && bits.is_none() {
            axes.push(rank as i64);
        }
        // A flawed mask has one dim, neither 1 nor the input's last.
        let mask = bits.map(|bits| {
            let shape = if flawed {
                vec![case.shape[rank - 1] + 2]
            } else {
                broadcast_mask_shape(&case.shape, bits)
            };
            let keep = mask_values(element_count(&shape).unwrap(), bits);
            (shape, keep)
        });
        let softmax = Softmax::axes(&axes).with_mapping(mapping);
        let (y, dy) = grad_tensors(&case);
        let got = match &mask {
            None => Layer::backward(&softmax, ctx(), &y, &dy),
            Some((shape, keep)) => GpuTensor::from_mask(ctx(), shape, keep)
                .and_then(|m| softmax.backward_masked(ctx(), &y, &dy, Some(&m))),
        };
        let values = mask.as_ref().map(|(shape, keep)| (shape, mask_f32(keep)));
        let values = values.as_ref().map(|(shape, v)| (shape.as_slice(), v.as_slice()));
        let want = cpu::softmax_backward(&softmax, &case.shape, &case.saved, &case.dy, values);
        let scales = match case.flaw {
            Flaw::None => row_scales(&softmax, &case, mask.as_ref()),
            _ => vec![],
        };
        check_grad(
            &format!("Softmax{axes:?} backward on {:?}, mask {mask:?}", case.shape),
            case.flaw,
            got,
            want,
            |i, g, w| {
                close(g, w, Tolerance::Exact)
                    || softmax_backward_close(g, w, case.saved[i], case.dy[i], scales[i])
            },
        );
    }
}

/// Inputs these properties and the `cargo fuzz` target found that panicked,
/// aborted, exhausted memory or were accepted wrongly before the fixes in
/// src/shape.rs and src/activations/prelu/layer.rs.
#[test]
fn regressions_found_by_fuzzing() {
    // `axis - 1` overflowed for i64::MIN (a panic in debug builds).
    let err = PReLU::new()
        .with_shared_axes(&[i64::MIN])
        .build(&[2, 3])
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidArgument {
                argument: "shared_axes",
                ..
            }
        ),
        "{err}"
    );
    // An empty shape whose other dims overflow was accepted, and strides
    // computed from it overflowed in the softmax and PReLU plans.
    for shape in [&[0, usize::MAX, 2][..], &[0, 5, usize::MAX, usize::MAX]] {
        let err = GpuTensor::from_slice(ctx(), shape, &[]).unwrap_err();
        assert!(
            matches!(&err, Error::Shape(m) if m.contains("usize")),
            "{err}"
        );
        assert!(PReLU::new().reference(shape, &[]).is_err());
        assert!(Softmax::new(-1).reference(shape, &[]).is_err());
    }
    // Empty tensors with large (but not overflowing) dims still work.
    let x = GpuTensor::from_slice(ctx(), &[0, 1 << 20, 3], &[]).unwrap();
    let y = Softmax::new(-1).forward(ctx(), &x).unwrap();
    assert_eq!(y.to_vec_blocking(ctx()).unwrap(), Vec::<f32>::new());
    // A NaN constant initializer gave a NaN alpha, poisoning every output.
    let err = PReLU::new()
        .with_initializer(Initializer::Constant(f32::NAN))
        .build(&[2, 3])
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidArgument {
                argument: "alpha_initializer",
                ..
            }
        ),
        "{err}"
    );
    // A forward on an empty input built (and filled) an alpha of 16 GiB.
    let prelu = PReLU::new().with_initializer(Initializer::Constant(0.25));
    let x = GpuTensor::from_slice(ctx(), &[0, u32::MAX as usize], &[]).unwrap();
    let err = prelu.forward(ctx(), &x).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                limit_name: "max_storage_buffer_binding_size",
                ..
            }
        ),
        "{err}"
    );
    assert!(!prelu.is_built());
    // An alpha beyond u32 indexing was allocated (32 GiB: the process aborted).
    let err = PReLU::new().build(&[1, 1 << 33]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                limit_name: "u32::MAX elements",
                ..
            }
        ),
        "{err}"
    );
}
