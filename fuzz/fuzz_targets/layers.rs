//! `cargo fuzz run layers`: the fuzz bytes choose a layer and its
//! parameters (any f32 bit pattern), a shape (rank 0..=9, zero dims, dims
//! that overflow u32 or usize), axes, a mask, alpha and data, then construct
//! the layer and run it on one shared GPU context.
//!
//! A crash is: a panic anywhere; a rejection that is not a clear error about
//! the input (a wgpu validation error means the input reached the GPU
//! unchecked); or an accepted forward that differs from the CPU reference
//! beyond the test suite's tolerances.

#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wgpu_activations::shape::element_count;
use wgpu_activations::{
    Error, GpuContext, GpuTensor, Initializer, Layer, LeakyReLU, PReLU, ReLU, Sequential, Softmax,
    SoftmaxMapping, ThresholdedReLU, ELU,
};

/// The most elements a fuzzed tensor may hold when it reaches the GPU, so
/// each execution stays short on a software adapter.
const MAX_ELEMENTS: usize = 512;

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
    data: Vec<F>,
}

/// How close a forward must be to its reference.
enum Bound {
    Ulps(u64),
    Softmax { row_len: usize, extra: u64 },
}

fn ordinal(v: f32) -> i64 {
    let bits = i64::from(v.to_bits() as i32);
    if bits < 0 {
        i64::from(i32::MIN) - bits
    } else {
        bits
    }
}

fn close(got: f32, want: f32, bound: &Bound) -> bool {
    if got.is_nan() || want.is_nan() {
        return got.is_nan() && want.is_nan();
    }
    // WGSL may flush subnormals.
    if want.abs() < f32::MIN_POSITIVE && got.abs() < f32::MIN_POSITIVE {
        return true;
    }
    let ulps = ordinal(got).abs_diff(ordinal(want));
    match *bound {
        Bound::Ulps(n) => ulps <= n,
        Bound::Softmax { row_len, extra } => {
            let t = if want > 0.0 {
                -f64::from(want).ln()
            } else {
                0.0
            };
            ulps <= extra.saturating_add(
                4 + (2.0 * t.max(0.0) + (row_len as f64).sqrt() / 2.0).ceil() as u64,
            )
        }
    }
}

/// A rejection must be about the input, and say what was wrong.
fn check_clear(e: &Error, what: &str) {
    match e {
        Error::InvalidArgument { argument, message } => {
            assert!(message.contains(argument), "{what}: {message}")
        }
        Error::Shape(message) => assert!(
            message.chars().any(|c| c.is_ascii_digit() || c == '[') || message.contains("build("),
            "{what}: {message}"
        ),
        Error::TooLarge { limit_name, .. } => {
            assert!(e.to_string().contains(limit_name), "{what}: {e}")
        }
        other => panic!("{what}: input must be rejected before the GPU, got {other:?}"),
    }
}

/// Uploads `data`, runs `forward` on it and compares with `reference`.
fn check(
    what: &str,
    shape: &[usize],
    data: &[f32],
    forward: impl FnOnce(&GpuTensor) -> Result<GpuTensor, Error>,
    reference: impl FnOnce() -> Result<Vec<f32>, Error>,
    bound: Bound,
) {
    let what = format!("{what} on {shape:?}");
    let gpu = GpuTensor::from_slice(ctx(), shape, data)
        .and_then(|x| forward(&x))
        .and_then(|y| y.to_vec_blocking(ctx()));
    let gpu = match gpu {
        Ok(v) => v,
        Err(e) => return check_clear(&e, &what),
    };
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
}

fn run(layer: &dyn Layer, shape: &[usize], data: &[f32], bound: Bound) {
    check(
        layer.class_name(),
        shape,
        data,
        |x| layer.forward(ctx(), x),
        || layer.reference(shape, data),
        bound,
    );
}

fn row_len(shape: &[usize], axes: &[i64]) -> usize {
    let rank = shape.len() as i64;
    axes.iter()
        .filter_map(|&a| {
            let r = if a < 0 { a.checked_add(rank)? } else { a };
            shape.get(usize::try_from(r).ok()?).copied()
        })
        .fold(1usize, usize::saturating_mul)
        .max(1)
}

fuzz_target!(|input: Input| {
    let shape: Vec<usize> = input.shape.iter().take(9).map(|d| d.0).collect();
    let mut data: Vec<f32> = input.data.iter().map(|f| f.0).collect();
    if input.fit {
        if let Ok(n) = element_count(&shape) {
            if n <= MAX_ELEMENTS {
                data.resize(n, 0.5);
            }
        }
    }
    if data.len() > MAX_ELEMENTS {
        return;
    }
    let layer: Box<dyn Layer> = match input.choice {
        Choice::Relu {
            max,
            slope,
            threshold,
        } => match ReLU::new(max.map(|m| m.0), slope.0, threshold.0) {
            Ok(l) => Box::new(l),
            Err(e) => return check_clear(&e, "ReLU::new"),
        },
        Choice::Leaky(s) => match LeakyReLU::new(s.0) {
            Ok(l) => Box::new(l),
            Err(e) => return check_clear(&e, "LeakyReLU::new"),
        },
        Choice::LeakyAlpha(s) => match LeakyReLU::from_alpha(s.0) {
            Ok(l) => Box::new(l),
            Err(e) => return check_clear(&e, "LeakyReLU::from_alpha"),
        },
        Choice::Elu(a) => match ELU::new(a.0) {
            Ok(l) => {
                run(&l, &shape, &data, Bound::Ulps(4));
                return;
            }
            Err(e) => return check_clear(&e, "ELU::new"),
        },
        Choice::Thresholded(t) => match ThresholdedReLU::new(t.0) {
            Ok(l) => Box::new(l),
            Err(e) => return check_clear(&e, "ThresholdedReLU::new"),
        },
        Choice::Prelu {
            shared_axes,
            init,
            built_for,
            alpha,
        } => {
            let prelu = PReLU::new()
                .with_shared_axes(&shared_axes)
                .with_initializer(Initializer::Constant(init.0));
            if let Some(built_for) = built_for {
                let built_for: Vec<usize> = built_for.iter().take(9).map(|d| d.0).collect();
                // Legal alphas of gigabytes are allocated, as in Keras; skip those.
                let n = wgpu_activations::shape::prelu_alpha_shape(&built_for, &shared_axes)
                    .ok()
                    .and_then(|a| element_count(&a).ok());
                if n.is_some_and(|n| n > 1 << 20 && n <= u32::MAX as usize) {
                    return;
                }
                if let Err(e) = prelu.build(&built_for) {
                    check_clear(&e, "PReLU::build");
                }
                let alpha: Vec<f32> = alpha.iter().map(|f| f.0).collect();
                if let Err(e) = prelu.set_alpha(&alpha) {
                    check_clear(&e, "PReLU::set_alpha");
                }
            }
            Box::new(prelu)
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
            let softmax = Softmax::axes(&axes).with_mapping(mapping);
            let bound = Bound::Softmax {
                row_len: row_len(&shape, &axes),
                extra: 0,
            };
            match mask {
                Some((mshape, bits)) => {
                    let mshape: Vec<usize> = mshape.iter().take(9).map(|d| d.0).collect();
                    let n = element_count(&mshape).unwrap_or(0).min(MAX_ELEMENTS);
                    let m: Vec<f32> = (0..n)
                        .map(|i| f32::from(u8::from(bits >> (i % 64) & 1 == 1)))
                        .collect();
                    check(
                        "masked Softmax",
                        &shape,
                        &data,
                        |x| {
                            let mask = GpuTensor::from_slice(ctx(), &mshape, &m)?;
                            softmax.forward_masked(ctx(), x, &mask)
                        },
                        || {
                            wgpu_activations::cpu::softmax(
                                &softmax,
                                &shape,
                                &data,
                                Some((&mshape, &m)),
                            )
                        },
                        bound,
                    );
                }
                None => run(&softmax, &shape, &data, bound),
            }
            return;
        }
        Choice::Chain(picks) => {
            let mut chain = Sequential::new();
            let row_len = shape.last().copied().unwrap_or(1) as f64;
            let mut elus = 0;
            // Absolute error (units of 2^-24) of the values entering the
            // last softmax: ELU adds 4 (its negative outputs are under 1,
            // LeakyReLU's slope 0.3 and the rest do not grow it); a softmax
            // turns e into 2e ulps, and its outputs (<= 1) carry twice its bound.
            let mut error = 0.0f64;
            let mut before_softmax = None;
            for p in picks.iter().take(6) {
                match p % 6 {
                    0 => chain.push(Box::new(ReLU::new(Some(6.0), 0.1, 0.0).unwrap())),
                    1 => chain.push(Box::new(LeakyReLU::default())),
                    2 => {
                        elus += 1;
                        error += 4.0;
                        chain.push(Box::new(ELU::default()));
                    }
                    3 => chain.push(Box::new(ThresholdedReLU::default())),
                    4 => chain.push(Box::new(
                        PReLU::new().with_initializer(Initializer::Constant(0.25)),
                    )),
                    _ => {
                        before_softmax = Some(error);
                        error = 2.0 * (2.0 * error + 5.0 + row_len.sqrt() / 2.0);
                        chain.push(Box::new(Softmax::new(-1)));
                    }
                }
            }
            let bound = if let Some(error) = before_softmax {
                Bound::Softmax {
                    row_len: row_len as usize,
                    extra: (2.0 * error).ceil() as u64,
                }
            } else if elus > 0 {
                Bound::Ulps(4 * elus + 2)
            } else {
                Bound::Ulps(0)
            };
            run(&chain, &shape, &data, bound);
            return;
        }
    };
    run(layer.as_ref(), &shape, &data, Bound::Ulps(0));
});
