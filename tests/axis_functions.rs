//! The `keras.activations` functions over an axis (sparsemax, log_softmax,
//! glu; softmax is tests/softmax.rs), GPU against the CPU twin (f64) over random
//! shapes, axes and values, forward and backward.
//!
//! log_softmax: within LOG_SOFTMAX_ULPS of the twin forward; backward,
//! dy - exp(y) sum(dy) within 8 eps (|dy| + exp(y) sum |dy|) of it.
//!
//! sparsemax's bound: per row, |got - want| <= 16 eps (1 + max |x|) over the
//! row's finite entries, as the golden file's "cancel" class states it
//! (entries are taken relative to the row's max, whose rounding is eps |x|).
//! Backward: 8 eps (|dy| + sum |dy|) over the row; rows whose support is a
//! matter of rounding (an entry within an ulp of tau) are left out, and
//! must be rare.

// Native: blocks on the GPU; the browser runs tests/browser.rs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{close, ctx, Tolerance};
use proptest::prelude::*;
use wgpu_activations::{Activation, GpuTensor, Layer};

/// A shape of rank 1..=5 (at most ~2000 elements) and an axis in range,
/// negative half the time.
fn shape_and_axis() -> impl Strategy<Value = (Vec<usize>, i64)> {
    prop::collection::vec(
        prop_oneof![1 => Just(1usize), 4 => 1usize..9, 1 => 9usize..40],
        1..=5,
    )
    .prop_filter("small enough", |s| s.iter().product::<usize>() <= 2000)
    .prop_flat_map(|s| {
        let rank = s.len() as i64;
        (Just(s), -rank..rank)
    })
}

/// Values with ties, equal rows, ±1e4, ±3e38, NaN and ±inf among ordinary ones.
fn value() -> impl Strategy<Value = f32> {
    prop_oneof![
        8 => -4.0f32..4.0,
        1 => prop::sample::select(vec![0.0, 0.5, 1.0, -1.0, 1e4, -1e4, 3e38, -3e38]),
        1 => prop::sample::select(vec![f32::NAN, f32::INFINITY, f32::NEG_INFINITY]),
    ]
}

/// The flat indices of every row along `axis` of `shape`.
fn rows(shape: &[usize], axis: i64) -> Vec<Vec<usize>> {
    let axis = axis.rem_euclid(shape.len() as i64) as usize;
    let inner: usize = shape[axis + 1..].iter().product();
    let len = shape[axis];
    let n: usize = shape.iter().product();
    (0..n)
        .filter(|start| (start / inner).is_multiple_of(len))
        .map(|start| (0..len).map(|k| start + k * inner).collect())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn sparsemax_matches_cpu(
        ((shape, axis), x) in shape_and_axis().prop_flat_map(|(s, a)| {
            let n: usize = s.iter().product();
            (Just((s, a)), prop::collection::vec(value(), n))
        }),
        dy_seed in any::<u32>(),
    ) {
        let layer = Activation::with_kwargs("sparsemax", &serde_json::json!({"axis": axis})).unwrap();
        let input = GpuTensor::from_slice(ctx(), &shape, &x).unwrap();
        let y = layer.forward(ctx(), &input).unwrap().to_vec_blocking(ctx()).unwrap();
        let want = layer.reference(&shape, &x).unwrap();
        let dy: Vec<f32> = (0..x.len())
            .map(|i| ((i as u32).wrapping_mul(2654435761).wrapping_add(dy_seed) % 2001) as f32 / 1000.0 - 1.0)
            .collect();
        let upstream = GpuTensor::from_slice(ctx(), &shape, &dy).unwrap();
        let dx = layer.backward(ctx(), &input, &upstream).unwrap().to_vec_blocking(ctx()).unwrap();
        let want_dx = layer.reference_backward(&shape, &x, &dy).unwrap();
        let eps = f64::from(f32::EPSILON);
        let all_rows = rows(&shape, axis);
        let mut ambiguous = 0;
        for row in &all_rows {
            let scale = row.iter().map(|&i| f64::from(x[i])).filter(|v| v.is_finite()).fold(0.0, |m: f64, v| m.max(v.abs()));
            for &i in row {
                let (g, w) = (y[i], want[i]);
                prop_assert!(
                    (g.is_nan() && w.is_nan()) || (f64::from(g) - f64::from(w)).abs() <= 16.0 * eps * (1.0 + scale),
                    "y[{}] = {} vs {} (x = {}, row {:?})", i, g, w, x[i], row.iter().map(|&j| x[j]).collect::<Vec<_>>()
                );
            }
            if row.iter().any(|&i| (y[i] > 0.0) != (want[i] > 0.0)) {
                ambiguous += 1;
                continue;
            }
            let total: f64 = row.iter().map(|&i| f64::from(dy[i]).abs()).sum();
            for &i in row {
                let (g, w) = (dx[i], want_dx[i]);
                prop_assert!(
                    (g.is_nan() && w.is_nan()) || (f64::from(g) - f64::from(w)).abs() <= 8.0 * eps * (f64::from(dy[i]).abs() + total),
                    "dx[{}] = {} vs {} (x = {})", i, g, w, x[i]
                );
            }
        }
        prop_assert!(ambiguous * 10 <= all_rows.len().max(10), "{} of {} rows had a rounding-tie support", ambiguous, all_rows.len());
    }
}

/// log_softmax's forward bound in ulps of the f64 twin (docs/KERAS.md,
/// "Activation functions").
const LOG_SOFTMAX_ULPS: u32 = 4;

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn log_softmax_matches_cpu(
        ((shape, axis), x) in shape_and_axis().prop_flat_map(|(s, a)| {
            let n: usize = s.iter().product();
            (Just((s, a)), prop::collection::vec(value(), n))
        }),
        dy_seed in any::<u32>(),
    ) {
        let layer = Activation::with_kwargs("log_softmax", &serde_json::json!({"axis": axis})).unwrap();
        let input = GpuTensor::from_slice(ctx(), &shape, &x).unwrap();
        let y = layer.forward(ctx(), &input).unwrap().to_vec_blocking(ctx()).unwrap();
        let want = layer.reference(&shape, &x).unwrap();
        for (i, (&g, &w)) in y.iter().zip(&want).enumerate() {
            prop_assert!(close(g, w, Tolerance::Ulps(LOG_SOFTMAX_ULPS)), "y[{}] = {} vs {} (x = {})", i, g, w, x[i]);
        }
        let dy: Vec<f32> = (0..x.len())
            .map(|i| ((i as u32).wrapping_mul(2654435761).wrapping_add(dy_seed) % 2001) as f32 / 1000.0 - 1.0)
            .collect();
        let saved = GpuTensor::from_slice(ctx(), &shape, &y).unwrap();
        let upstream = GpuTensor::from_slice(ctx(), &shape, &dy).unwrap();
        let dx = layer.backward(ctx(), &saved, &upstream).unwrap().to_vec_blocking(ctx()).unwrap();
        let want_dx = layer.reference_backward(&shape, &y, &dy).unwrap();
        let eps = f64::from(f32::EPSILON);
        for row in rows(&shape, axis) {
            let total: f64 = row.iter().map(|&i| f64::from(dy[i]).abs()).sum();
            for &i in &row {
                let (g, w) = (dx[i], want_dx[i]);
                let bound = 8.0 * eps * (f64::from(dy[i]).abs() + f64::from(y[i]).exp() * total);
                prop_assert!(
                    (g.is_nan() && w.is_nan()) || (f64::from(g) - f64::from(w)).abs() <= bound,
                    "dx[{}] = {} vs {} (y = {})", i, g, w, y[i]
                );
            }
        }
    }
}

/// glu's bounds in ulps of the f64 twin: `a * sigmoid(b)` rounded about
/// once forward; backward `dy * sigmoid(b)` and `dy * sigmoid'(b) * a`.
const GLU_ULPS: u32 = 4;
const GLU_BACKWARD_ULPS: u32 = 6;

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any even axis; the output halves it, in a chain too.
    #[test]
    fn glu_matches_cpu(
        ((shape, axis), x) in shape_and_axis()
            .prop_map(|(mut s, a)| {
                let axis = a.rem_euclid(s.len() as i64) as usize;
                s[axis] = 2 * s[axis].div_ceil(2);
                (s, a)
            })
            .prop_filter("small enough", |(s, _)| s.iter().product::<usize>() <= 4000)
            .prop_flat_map(|(s, a)| {
                let n: usize = s.iter().product();
                (Just((s, a)), prop::collection::vec(value(), n))
            }),
        dy_seed in any::<u32>(),
    ) {
        let layer = Activation::with_kwargs("glu", &serde_json::json!({"axis": axis})).unwrap();
        let out_shape = layer.output_shape(&shape).unwrap();
        let input = GpuTensor::from_slice(ctx(), &shape, &x).unwrap();
        let y = layer.forward(ctx(), &input).unwrap();
        prop_assert_eq!(y.shape(), out_shape.as_slice());
        let y = y.to_vec_blocking(ctx()).unwrap();
        let want = layer.reference(&shape, &x).unwrap();
        for (i, (&g, &w)) in y.iter().zip(&want).enumerate() {
            prop_assert!(close(g, w, Tolerance::Ulps(GLU_ULPS)), "y[{}] = {} vs {}", i, g, w);
        }
        let dy: Vec<f32> = (0..y.len())
            .map(|i| ((i as u32).wrapping_mul(2654435761).wrapping_add(dy_seed) % 2001) as f32 / 1000.0 - 1.0)
            .collect();
        let upstream = GpuTensor::from_slice(ctx(), &out_shape, &dy).unwrap();
        let dx = layer.backward(ctx(), &input, &upstream).unwrap();
        prop_assert_eq!(dx.shape(), shape.as_slice());
        let dx = dx.to_vec_blocking(ctx()).unwrap();
        let want_dx = layer.reference_backward(&shape, &x, &dy).unwrap();
        for (i, (&g, &w)) in dx.iter().zip(&want_dx).enumerate() {
            prop_assert!(close(g, w, Tolerance::Ulps(GLU_BACKWARD_ULPS)), "dx[{}] = {} vs {} (x = {})", i, g, w, x[i]);
        }
    }
}

/// glu in a chain: the shapes follow it (forward, CPU twin, backward).
#[test]
fn glu_changes_the_shape_in_a_chain() {
    use wgpu_activations::{ReLU, Sequential};
    let mut chain = Sequential::new();
    chain.push(ReLU::default());
    chain.push(Activation::with_kwargs("glu", &serde_json::json!({"axis": 1})).unwrap());
    chain.push(Activation::new("sigmoid").unwrap());
    let shape = [2, 6, 3];
    let x: Vec<f32> = (0..36).map(|i| (i as f32 - 17.0) / 5.0).collect();
    assert_eq!(chain.output_shape(&shape).unwrap(), vec![2, 3, 3]);
    let input = GpuTensor::from_slice(ctx(), &shape, &x).unwrap();
    let y = chain.forward(ctx(), &input).unwrap();
    assert_eq!(y.shape(), &[2, 3, 3]);
    let got = y.to_vec_blocking(ctx()).unwrap();
    let want = chain.reference(&shape, &x).unwrap();
    for (g, w) in got.iter().zip(&want) {
        assert!(close(*g, *w, Tolerance::Ulps(8)), "{g} vs {w}");
    }
    let dy = vec![0.5f32; 18];
    let upstream = GpuTensor::from_slice(ctx(), &[2, 3, 3], &dy).unwrap();
    let dx = chain.backward(ctx(), &input, &upstream).unwrap();
    assert_eq!(dx.shape(), &shape);
    let got = dx.to_vec_blocking(ctx()).unwrap();
    let want = chain.reference_backward(&shape, &x, &dy).unwrap();
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() <= 1e-6 * (1.0 + w.abs()), "{g} vs {w}");
    }
    // An odd axis is an error naming it.
    let odd = Activation::with_kwargs("glu", &serde_json::json!({"axis": 2})).unwrap();
    let e = odd.forward(ctx(), &input).unwrap_err().to_string();
    assert!(e.contains("odd") && e.contains("axis 2"), "{e}");
}

/// A row longer than a workgroup's stride and sums of many small entries.
#[test]
fn sparsemax_long_rows_match_cpu() {
    let layer = Activation::new("sparsemax").unwrap();
    let n = 70_000;
    let x: Vec<f32> = (0..n).map(|i| ((i * 7919) % 1000) as f32 / 997.0).collect();
    let input = GpuTensor::from_slice(ctx(), &[2, n / 2], &x).unwrap();
    let y = layer
        .forward(ctx(), &input)
        .unwrap()
        .to_vec_blocking(ctx())
        .unwrap();
    let want = layer.reference(&[2, n / 2], &x).unwrap();
    for (i, (g, w)) in y.iter().zip(&want).enumerate() {
        assert!(
            (g - w).abs() <= 16.0 * f32::EPSILON * 2.0,
            "y[{i}] = {g} vs {w}"
        );
    }
    let sum: f32 = y[..n / 2].iter().sum();
    assert!((sum - 1.0).abs() < 1e-5, "row sums to {sum}");
}

/// log_softmax's two kernels: rows up to 1024 entries one invocation each,
/// longer ones a workgroup each (here 3000, over the last axis and over
/// the first), forward and backward against the twin.
#[test]
fn log_softmax_short_and_long_rows_match_cpu() {
    for (shape, axis) in [
        (vec![5, 1024], -1),
        (vec![2, 3000], -1),
        (vec![3000, 2], 0),
        (vec![4, 5, 6], 1),
    ] {
        let layer =
            Activation::with_kwargs("log_softmax", &serde_json::json!({"axis": axis})).unwrap();
        let n: usize = shape.iter().product();
        let x: Vec<f32> = (0..n)
            .map(|i| ((i * 7919) % 2003) as f32 / 97.0 - 10.0)
            .collect();
        let input = GpuTensor::from_slice(ctx(), &shape, &x).unwrap();
        let y = layer
            .forward(ctx(), &input)
            .unwrap()
            .to_vec_blocking(ctx())
            .unwrap();
        let want = layer.reference(&shape, &x).unwrap();
        for (i, (&g, &w)) in y.iter().zip(&want).enumerate() {
            assert!(
                close(g, w, Tolerance::Ulps(LOG_SOFTMAX_ULPS)),
                "{shape:?}: y[{i}] = {g} vs {w}"
            );
        }
        let dy: Vec<f32> = (0..n).map(|i| ((i % 13) as f32 - 6.0) / 8.0).collect();
        let saved = GpuTensor::from_slice(ctx(), &shape, &y).unwrap();
        let upstream = GpuTensor::from_slice(ctx(), &shape, &dy).unwrap();
        let dx = layer
            .backward(ctx(), &saved, &upstream)
            .unwrap()
            .to_vec_blocking(ctx())
            .unwrap();
        let want_dx = layer.reference_backward(&shape, &y, &dy).unwrap();
        let eps = f64::from(f32::EPSILON);
        for row in rows(&shape, axis) {
            let total: f64 = row.iter().map(|&i| f64::from(dy[i]).abs()).sum();
            for &i in &row {
                let bound = 8.0 * eps * (f64::from(dy[i]).abs() + f64::from(y[i]).exp() * total);
                assert!(
                    (f64::from(dx[i]) - f64::from(want_dx[i])).abs() <= bound,
                    "{shape:?}: dx[{i}] = {} vs {}",
                    dx[i],
                    want_dx[i]
                );
            }
        }
    }
}
