//! `cargo fuzz run layers`: the fuzz bytes choose a layer and its
//! parameters (any f32 bit pattern), a shape (rank 0..=9, zero dims, dims
//! that overflow u32 or usize), axes, a mask, alpha and data, then construct
//! the layer and run it on one shared GPU context: forward, and backward
//! when the bytes ask. When they set `valid`, every choice is first made
//! valid (rank 1..=6, small dims, data of the shape's length, finite
//! parameters, axes in range, a mask that broadcasts, PReLU built for the
//! input, dy of the input's shape), and the layer must then run.
//!
//! A crash is: a panic anywhere; a valid input refused; a rejection that is
//! not a clear error about the input (a wgpu validation error means the
//! input reached the GPU unchecked); an accepted forward that differs from
//! the CPU reference beyond tests/fuzz.rs's tolerances (exact, ELU 4 ulps,
//! Softmax 4 ulps plus what earlier layers of a chain add); or a valid
//! backward that differs beyond tests/backward.rs's (exact, ELU 6 ulps,
//! Softmax 8 eps |y| (|dy| + the row's sum of |dy y|)).

#![no_main]

mod common;
#[path = "../../tests/common/oracles.rs"]
#[allow(dead_code, reason = "the targets use a subset")]
mod oracles;

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use common::check_clear;
use libfuzzer_sys::fuzz_target;
use oracles::{element_count, keras_alpha_shape, reduced_axes, rows};
use wgpu_activations::{
    cpu, Activation, Error, GpuContext, GpuTensor, Initializer, Layer, LeakyReLU, PReLU, ReLU,
    Saved, Sequential, Softmax, SoftmaxMapping, ThresholdedReLU, ELU,
};

/// The most elements a fuzzed tensor may hold when it reaches the GPU, so
/// each execution stays short on a software adapter.
const MAX_ELEMENTS: usize = 512;
/// Softmax's tolerance in ulps (tests/common/mod.rs, docs/ACCURACY.md).
const SOFTMAX_ULPS: u64 = 4;

fn ctx() -> &'static GpuContext {
    static CTX: OnceLock<GpuContext> = OnceLock::new();
    CTX.get_or_init(|| {
        GpuContext::new_blocking().unwrap_or_else(|e| panic!("fuzzing needs a wgpu adapter: {e}"))
    })
}

/// A dimension: mostly small, sometimes huge.
#[derive(Debug, Clone, Copy)]
struct Dim(usize);

impl<'a> Arbitrary<'a> for Dim {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let b: u8 = u.arbitrary()?;
        Ok(Dim(match b {
            0..=249 => usize::from(b % 8),
            250 => u32::MAX as usize,
            251 => u32::MAX as usize + 1,
            252 => 1 << 33,
            253 => usize::MAX / 2,
            _ => usize::MAX,
        }))
    }
}

/// Any f32, from its bits (NaN payloads, subnormals, infinities included).
#[derive(Debug, Clone, Copy)]
struct F(f32);

impl<'a> Arbitrary<'a> for F {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(F(f32::from_bits(u.arbitrary()?)))
    }
}

#[derive(Debug, Arbitrary)]
enum Choice {
    Relu {
        max: Option<F>,
        slope: F,
        threshold: F,
    },
    Leaky(F),
    LeakyAlpha(F),
    Elu(F),
    Thresholded(F),
    /// `Activation(name)`: `relu6` when valid, any text otherwise.
    Activation(String),
    Prelu {
        shared_axes: Vec<i64>,
        init: F,
        built_for: Option<Vec<Dim>>,
        alpha: Vec<F>,
    },
    Softmax {
        axes: Vec<i64>,
        mapping: u8,
        mask: Option<(Vec<Dim>, u64)>,
    },
    Chain(Vec<u8>),
}

#[derive(Debug, Arbitrary)]
struct Input {
    choice: Choice,
    shape: Vec<Dim>,
    /// Resize the data to the shape's element count (when small), so most
    /// inputs get past the length check.
    fit: bool,
    /// Make every choice valid, and require the layer to run.
    valid: bool,
    data: Vec<F>,
    /// Run the backward pass too, with dy (the data reversed) of the
    /// input's shape or, unless `valid`, of this one.
    backward: Option<Option<Vec<Dim>>>,
}

/// How close a forward must be to its reference.
enum Bound {
    Ulps(u64),
    /// `SOFTMAX_ULPS` plus `extra` for inexact layers before it in a chain.
    Softmax {
        extra: u64,
    },
}

/// How close a valid backward must be to its reference.
enum Grad {
    Exact,
    Elu(f32),
    /// Over these axes, per element with its row's sum of |dy y|.
    Softmax(Vec<i64>),
    /// Not compared (chains).
    None,
}

fn ordinal(v: f32) -> i64 {
    let bits = i64::from(v.to_bits() as i32);
    if bits < 0 {
        i64::from(i32::MIN) - bits
    } else {
        bits
    }
}

fn ulps(a: f32, b: f32) -> u64 {
    ordinal(a).abs_diff(ordinal(b))
}

fn close(got: f32, want: f32, bound: &Bound) -> bool {
    if got.is_nan() || want.is_nan() {
        return got.is_nan() && want.is_nan();
    }
    // WGSL may flush subnormals.
    if want.abs() < f32::MIN_POSITIVE && got.abs() < f32::MIN_POSITIVE {
        return true;
    }
    match *bound {
        Bound::Ulps(n) => ulps(got, want) <= n,
        Bound::Softmax { extra } => ulps(got, want) <= extra.saturating_add(SOFTMAX_ULPS),
    }
}

/// A valid parameter: finite, and never subnormal (WGSL may flush it,
/// which a backward's dy can scale past the flush tolerance).
fn finite(v: F) -> f32 {
    if v.0.is_normal() {
        v.0
    } else {
        0.0
    }
}

/// `dims` made valid: rank 1..=6, dims under 8 (0 only when `empty`), at
/// most `MAX_ELEMENTS` elements.
fn valid_shape(dims: &[Dim], empty: bool) -> Vec<usize> {
    let mut shape: Vec<usize> = dims
        .iter()
        .take(6)
        .map(|d| match d.0 {
            0 if !empty => 1,
            d if d >= 8 => 3,
            d => d,
        })
        .collect();
    if shape.is_empty() {
        shape.push(2);
    }
    while element_count(&shape).unwrap() > MAX_ELEMENTS {
        let largest = (0..shape.len()).max_by_key(|&i| shape[i]).unwrap();
        shape[largest] /= 2;
    }
    shape
}

/// `axes` moved into range for `rank` (>= 1), without repeats; `[-1]` if
/// none is left.
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

/// The layer a constructor made; a refusal must be clear, and not of a
/// valid parameter.
fn made<L: Layer + 'static>(
    made: Result<L, Error>,
    what: &str,
    valid: bool,
) -> Option<Box<dyn Layer>> {
    match made {
        Ok(layer) => Some(Box::new(layer)),
        Err(e) => {
            assert!(!valid, "{what}: a valid parameter was refused: {e}");
            check_clear(&e, what);
            None
        }
    }
}

/// `result`, or None after checking its error: clear, and not for a valid input.
fn accepted<T>(result: Result<T, Error>, what: &str, valid: bool) -> Option<T> {
    result
        .map_err(|e| {
            assert!(!valid, "{what}: a valid input was refused: {e}");
            check_clear(&e, what)
        })
        .ok()
}

/// Uploads `data`, runs `forward` on it and compares with `reference`;
/// returns the result.
fn check(
    what: &str,
    shape: &[usize],
    data: &[f32],
    valid: bool,
    forward: impl FnOnce(&GpuTensor) -> Result<GpuTensor, Error>,
    reference: impl FnOnce() -> Result<Vec<f32>, Error>,
    bound: Bound,
) -> Option<Vec<f32>> {
    let what = format!("{what} on {shape:?}");
    let gpu = GpuTensor::from_slice(ctx(), shape, data)
        .and_then(|x| forward(&x))
        .and_then(|y| y.to_vec_blocking(ctx()));
    let gpu = accepted(gpu, &what, valid)?;
    let want = reference()
        .unwrap_or_else(|e| panic!("{what}: the GPU accepted what the reference rejects: {e}"));
    assert_eq!(gpu.len(), want.len(), "{what}");
    for (i, (&g, &w)) in gpu.iter().zip(&want).enumerate() {
        assert!(
            close(g, w, &bound),
            "{what}: element {i}, input {:e}: gpu {g:e} vs cpu {w:e}",
            data[i]
        );
    }
    Some(gpu)
}

/// The backward pass of `layer`, which ran forward from `x` to `y`, with dy
/// the data reversed (of `dy_shape`, unless `valid`): a valid one must run
/// and match the reference within `grad`; a wild one may be refused, clearly.
fn check_backward(
    layer: &dyn Layer,
    (shape, x, y): (&[usize], &[f32], &[f32]),
    dy_shape: Option<Vec<usize>>,
    valid: bool,
    grad: Grad,
) {
    let what = format!("{} backward on {shape:?}", layer.class_name());
    let saved = match layer.backward_reads() {
        Saved::Input => x,
        Saved::Output => y,
    };
    let dy_shape = dy_shape
        .filter(|_| !valid)
        .unwrap_or_else(|| shape.to_vec());
    let n = element_count(&dy_shape).map_or(0, |n| n.min(MAX_ELEMENTS));
    // Clamped for Softmax, so that no f32 sum of a row overflows where the
    // reference's f64 sum does not.
    let limit = match grad {
        Grad::Softmax(_) => 1e30,
        _ => f32::INFINITY,
    };
    let dy: Vec<f32> = x
        .iter()
        .rev()
        .map(|v| v.clamp(-limit, limit))
        .chain(std::iter::repeat(1.0))
        .take(n)
        .collect();
    let gpu = GpuTensor::from_slice(ctx(), shape, saved)
        .and_then(|s| Ok((s, GpuTensor::from_slice(ctx(), &dy_shape, &dy)?)))
        .and_then(|(s, d)| layer.backward(ctx(), &s, &d))
        .and_then(|dx| dx.to_vec_blocking(ctx()));
    let Some(gpu) = accepted(gpu, &what, valid) else {
        return;
    };
    if !valid {
        return;
    }
    let want = layer
        .reference_backward(shape, saved, &dy)
        .unwrap_or_else(|e| panic!("{what}: the reference refused: {e}"));
    let row_sums = match &grad {
        Grad::Softmax(axes) => row_sums(axes, shape, saved, &dy),
        _ => Vec::new(),
    };
    let eps = f64::from(f32::EPSILON);
    let min = f64::from(f32::MIN_POSITIVE);
    for (i, (&g, &w)) in gpu.iter().zip(&want).enumerate() {
        let err = (f64::from(g) - f64::from(w)).abs();
        let ok = close(g, w, &Bound::Ulps(0))
            || match grad {
                Grad::Exact => false,
                // Where exp(x) is subnormal in f32, WGSL may flush it.
                Grad::Elu(alpha) => {
                    close(g, w, &Bound::Ulps(6))
                        || (f64::from(x[i]).exp() < min
                            && err <= (f64::from(alpha) * f64::from(dy[i])).abs() * min)
                }
                Grad::Softmax(_) => {
                    let (y, dy) = (f64::from(saved[i]).abs(), f64::from(dy[i]).abs());
                    err <= 8.0 * eps * y * (dy + row_sums[i]) + 1e-30
                }
                Grad::None => true,
            };
        assert!(ok, "{what}: element {i}: gpu {g:e} vs cpu {w:e}");
    }
}

/// The sum of |dy y| over each element's softmax row.
fn row_sums(axes: &[i64], shape: &[usize], y: &[f32], dy: &[f32]) -> Vec<f64> {
    let axes = reduced_axes(axes, shape.len()).unwrap();
    let mut sums = vec![0.0; y.len()];
    for row in rows(shape, &axes) {
        let sum: f64 = row
            .iter()
            .map(|&i| (f64::from(dy[i]) * f64::from(y[i])).abs())
            .sum();
        for i in row {
            sums[i] = sum;
        }
    }
    sums
}

fuzz_target!(|input: Input| {
    let valid = input.valid;
    let mut data: Vec<f32> = input.data.iter().map(|f| f.0).collect();
    let shape: Vec<usize> = if valid {
        valid_shape(&input.shape, data.is_empty())
    } else {
        input.shape.iter().take(9).map(|d| d.0).collect()
    };
    if valid || input.fit {
        if let Ok(n) = element_count(&shape) {
            if n <= MAX_ELEMENTS {
                data.resize(n, 0.5);
            }
        }
    }
    if data.len() > MAX_ELEMENTS {
        return;
    }
    // Valid parameters, and only where valid (WGSL may flush subnormals, which
    // moves them across a kink), normal data.
    let any = |v: F| if valid { finite(v) } else { v.0 };
    let non_negative = |v: F| if valid { finite(v).abs() } else { v.0 };
    if valid && input.backward.is_some() {
        data = data
            .iter()
            .map(|&v| if v.is_subnormal() { 0.0 } else { v })
            .collect();
    }
    let rank = shape.len();
    let (layer, bound, grad): (Box<dyn Layer>, Bound, Grad) = match input.choice {
        Choice::Relu {
            max,
            slope,
            threshold,
        } => {
            let relu = ReLU::new(
                max.map(non_negative),
                non_negative(slope),
                non_negative(threshold),
            );
            let Some(l) = made(relu, "ReLU::new", valid) else {
                return;
            };
            (l, Bound::Ulps(0), Grad::Exact)
        }
        Choice::Leaky(s) => {
            let Some(l) = made(LeakyReLU::new(non_negative(s)), "LeakyReLU::new", valid) else {
                return;
            };
            (l, Bound::Ulps(0), Grad::Exact)
        }
        Choice::LeakyAlpha(s) => {
            let leaky = LeakyReLU::from_alpha(non_negative(s));
            let Some(l) = made(leaky, "LeakyReLU::from_alpha", valid) else {
                return;
            };
            (l, Bound::Ulps(0), Grad::Exact)
        }
        Choice::Elu(a) => {
            let Some(l) = made(ELU::new(any(a)), "ELU::new", valid) else {
                return;
            };
            (l, Bound::Ulps(4), Grad::Elu(any(a)))
        }
        Choice::Thresholded(t) => {
            let thresholded = ThresholdedReLU::new(non_negative(t));
            let Some(l) = made(thresholded, "ThresholdedReLU::new", valid) else {
                return;
            };
            (l, Bound::Ulps(0), Grad::Exact)
        }
        Choice::Activation(name) => {
            let name = if valid { "relu6" } else { name.as_str() };
            let Some(l) = made(Activation::new(name), "Activation::new", valid) else {
                return;
            };
            (l, Bound::Ulps(0), Grad::Exact)
        }
        Choice::Prelu {
            shared_axes,
            init,
            built_for,
            alpha,
        } => {
            // Valid: axes 1..rank, built for the input's shape but its batch.
            let shared_axes: Vec<i64> = if valid {
                let mut axes: Vec<i64> = shared_axes
                    .iter()
                    .filter(|_| rank >= 2)
                    .map(|a| 1 + a.rem_euclid(rank as i64 - 1))
                    .collect();
                axes.sort_unstable();
                axes.dedup();
                axes
            } else {
                shared_axes
            };
            let built_for: Option<Vec<usize>> = match built_for {
                Some(_) if valid => Some([&[2], &shape[1..]].concat()),
                Some(dims) => Some(dims.iter().take(9).map(|d| d.0).collect()),
                None => None,
            };
            let prelu = PReLU::new()
                .with_shared_axes(&shared_axes)
                .with_initializer(Initializer::Constant(any(init)));
            if let Some(built_for) = built_for {
                // Legal alphas of gigabytes are allocated, as in Keras; skip those.
                let n = keras_alpha_shape(&built_for, &shared_axes)
                    .and_then(|a| element_count(&a).ok());
                if n.is_some_and(|n| n > 1 << 20 && n <= u32::MAX as usize) {
                    return;
                }
                accepted(prelu.build(&built_for), "PReLU::build", valid);
                let mut alpha: Vec<f32> = alpha.iter().map(|&f| any(f)).collect();
                if valid {
                    alpha.resize(n.unwrap(), 0.25);
                }
                accepted(prelu.set_alpha(&alpha), "PReLU::set_alpha", valid);
            }
            (Box::new(prelu), Bound::Ulps(0), Grad::Exact)
        }
        Choice::Softmax {
            axes,
            mapping,
            mask,
        } => {
            let mapping = match mapping % 3 {
                0 => SoftmaxMapping::Auto,
                1 => SoftmaxMapping::WorkgroupPerRow,
                _ => SoftmaxMapping::InvocationPerRow,
            };
            let axes = if valid {
                axes_in_range(&axes, rank)
            } else {
                axes
            };
            let softmax = Softmax::axes(&axes).with_mapping(mapping);
            match mask {
                None => (
                    Box::new(softmax),
                    Bound::Softmax { extra: 0 },
                    Grad::Softmax(axes),
                ),
                Some((mshape, bits)) => {
                    // Valid: a suffix of the input's shape, some dims 1.
                    let mshape: Vec<usize> = if valid {
                        let keep = bits as usize % (rank + 1);
                        shape[rank - keep..]
                            .iter()
                            .enumerate()
                            .map(|(i, &d)| if bits >> (8 + i) & 1 == 1 { 1 } else { d })
                            .collect()
                    } else {
                        mshape.iter().take(9).map(|d| d.0).collect()
                    };
                    let n = element_count(&mshape).unwrap_or(0).min(MAX_ELEMENTS);
                    let m: Vec<f32> = (0..n)
                        .map(|i| f32::from(u8::from(bits >> (i % 64) & 1 == 1)))
                        .collect();
                    check(
                        "masked Softmax",
                        &shape,
                        &data,
                        valid,
                        |x| {
                            let mask = GpuTensor::from_slice(ctx(), &mshape, &m)?;
                            softmax.forward_masked(ctx(), x, Some(&mask))
                        },
                        || cpu::softmax(&softmax, &shape, &data, Some((&mshape, &m))),
                        Bound::Softmax { extra: 0 },
                    );
                    return;
                }
            }
        }
        Choice::Chain(picks) => {
            let mut chain = Sequential::new();
            let mut elus = 0;
            // Absolute error (units of 2^-24) of the values entering the
            // last softmax: ELU adds 4 (its negative outputs are under 1;
            // LeakyReLU's slope 0.3 and the rest do not grow it); a softmax
            // turns e into 2e ulps, and its outputs (<= 1) carry twice its
            // bound (tests/fuzz.rs's chain_error).
            let mut error = 0.0f64;
            let mut before_softmax = None;
            for p in picks.iter().take(6) {
                match p % 6 {
                    0 => chain.push(ReLU::new(Some(6.0), 0.1, 0.0).unwrap()),
                    1 => chain.push(LeakyReLU::default()),
                    2 => {
                        elus += 1;
                        error += 4.0;
                        chain.push(ELU::default());
                    }
                    3 => chain.push(ThresholdedReLU::default()),
                    4 => chain.push(PReLU::new().with_initializer(Initializer::Constant(0.25))),
                    _ => {
                        before_softmax = Some(error);
                        error = 2.0 * (2.0 * error + SOFTMAX_ULPS as f64);
                        chain.push(Softmax::new(-1));
                    }
                }
            }
            let bound = match before_softmax {
                Some(error) => Bound::Softmax {
                    extra: (2.0 * error).ceil() as u64,
                },
                // Without a softmax, relative errors only add up.
                None => Bound::Ulps(4 * elus + if elus > 0 { 2 } else { 0 }),
            };
            (Box::new(chain), bound, Grad::None)
        }
    };
    let Some(y) = check(
        layer.class_name(),
        &shape,
        &data,
        valid,
        |x| layer.forward(ctx(), x),
        || layer.reference(&shape, &data),
        bound,
    ) else {
        return;
    };
    if let Some(dy_shape) = input.backward {
        let dy_shape = dy_shape.map(|dims| dims.iter().take(9).map(|d| d.0).collect());
        check_backward(layer.as_ref(), (&shape, &data, &y), dy_shape, valid, grad);
    }
});
