//! Rows long enough to overrun llvmpipe's loop budget (65,535 iterations per
//! invocation, shared by every loop; src/loop_budget.rs): on lavapipe and
//! llvmpipe GL the row kernels either stay inside it (another mapping, rows
//! cut into segments) or are refused with `Error::Unsupported`, and never
//! return a row cut short. On adapters without the budget the same calls
//! must simply be right.
//!
//! Before the budget was counted, softmax over axis 0 of [33000, 256] ran one
//! invocation per row on lavapipe and left most of each row's outputs 0.

// Native: blocks on the GPU.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{
    assert_all_close, assert_each, assert_tensor_close, ctx, softmax_backward_close, spread,
    Tolerance, SOFTMAX,
};
use wgpu_activations::training::Constraint;
use wgpu_activations::training::Regularizer;
use wgpu_activations::SoftmaxMapping;
use wgpu_activations::{GpuTensor, Layer, PReLU, Softmax};

/// Axis 0 of [33000, 256]: 256 rows of 33,000 (more rows than a workgroup, so
/// `Auto` prefers an invocation per row, which needs 66,000 iterations).
#[test]
fn softmax_over_a_long_outer_axis_writes_every_output() {
    let shape = [33_000, 256];
    let x = spread(shape[0] * shape[1], -8.0, 8.0, 1);
    let layer = Softmax::new(0);
    let t = GpuTensor::from_slice(ctx(), &shape, &x).unwrap();
    let y = layer.forward(ctx(), &t).unwrap();
    let cpu = wgpu_activations::cpu::softmax(&layer, &shape, &x, None).unwrap();
    assert_tensor_close("softmax over axis 0", &y, &shape, &x, &cpu, SOFTMAX);

    // Its backward, dx = y * (dy - sum(dy * y)) per column.
    let dy = spread(x.len(), -1.0, 1.0, 2);
    let yt = GpuTensor::from_slice(ctx(), &shape, &cpu).unwrap();
    let dyt = GpuTensor::from_slice(ctx(), &shape, &dy).unwrap();
    let dx = layer.backward(ctx(), &yt, &dyt).unwrap();
    assert_eq!(dx.shape(), shape, "dx: shape");
    let dx = dx.to_vec_blocking(ctx()).unwrap();
    let want = wgpu_activations::cpu::softmax_backward(&layer, &shape, &cpu, &dy, None).unwrap();
    let mut column_scale = vec![0.0f64; shape[1]];
    for (i, (&y, &d)) in cpu.iter().zip(&dy).enumerate() {
        column_scale[i % shape[1]] += f64::from(y * d).abs();
    }
    assert_each("dx over axis 0", &dx, &want, |i, g, w| {
        softmax_backward_close(g, w, cpu[i], dy[i], column_scale[i % shape[1]])
    });
}

/// One invocation for a row of 40,000, asked for explicitly: where the
/// budget would cut it short, a workgroup shares the row instead (it was
/// refused before), so the result is right everywhere, forward and backward.
#[test]
fn an_explicit_invocation_per_long_row_is_right() {
    let x = spread(40_000, -4.0, 4.0, 3);
    let layer = Softmax::new(-1).with_mapping(SoftmaxMapping::InvocationPerRow);
    let t = GpuTensor::from_slice(ctx(), &[x.len()], &x).unwrap();
    let y = layer.forward(ctx(), &t).unwrap();
    let want = wgpu_activations::cpu::softmax(&layer, &[x.len()], &x, None).unwrap();
    assert_tensor_close("an invocation per row", &y, &[x.len()], &x, &want, SOFTMAX);
    let dy = spread(x.len(), -1.0, 1.0, 5);
    let dy_t = GpuTensor::from_slice(ctx(), &[x.len()], &dy).unwrap();
    let dx = layer
        .backward(ctx(), &y, &dy_t)
        .unwrap()
        .to_vec_blocking(ctx())
        .unwrap();
    let want_dx = layer.reference_backward(&[x.len()], &want, &dy).unwrap();
    // The row's scale, sum |y dy| (tests/common/compare.rs).
    let scale: f64 = want
        .iter()
        .zip(&dy)
        .map(|(&y, &d)| f64::from(y * d).abs())
        .sum();
    assert_each(
        "dx, an invocation per long row",
        &dx,
        &want_dx,
        |i, g, w| softmax_backward_close(g, w, want[i], dy[i], scale),
    );
}

/// A row of 4.3M elements: past what one workgroup of 64 invocations can
/// cover inside the budget (2 passes x 67,188 elements each), so it is cut
/// into segments (tests/split_rows.rs) and right everywhere.
#[test]
fn a_row_longer_than_one_workgroup_can_cover_is_right() {
    let n = 4_300_000;
    let x = spread(n, -4.0, 4.0, 4);
    let layer = Softmax::new(-1);
    let t = GpuTensor::from_slice(ctx(), &[n], &x).unwrap();
    let y = layer.forward(ctx(), &t).unwrap();
    let want = wgpu_activations::cpu::softmax(&layer, &[n], &x, None).unwrap();
    assert_tensor_close("a row of 4.3M", &y, &[n], &x, &want, SOFTMAX);
}

/// PReLU's alpha gradient summing 4.3M contributions into one alpha element
/// (67,188 iterations for each of 64 invocations unsplit).
#[test]
fn an_alpha_gradient_over_millions_of_contributions_is_right() {
    let shape = [4_300_000, 1];
    let x = spread(shape[0], -1.0, 1.0, 5);
    let dy = vec![1.0f32; shape[0]];
    let prelu = PReLU::new();
    let xt = GpuTensor::from_slice(ctx(), &shape, &x).unwrap();
    let dyt = GpuTensor::from_slice(ctx(), &shape, &dy).unwrap();
    let got = prelu.alpha_gradient(ctx(), &xt, &dyt).unwrap();
    assert_eq!(got.shape(), [1], "d_alpha: shape");
    let got = got.to_vec_blocking(ctx()).unwrap();
    let want = wgpu_activations::cpu::prelu_alpha_gradient(&shape, &x, &dy, &[1]).unwrap();
    assert_each("d_alpha (1e-5 relative)", &got, &want, |_, g, w| {
        (f64::from(g) - f64::from(w)).abs() / f64::from(w).abs() < 1e-5
    });
}

/// Norm constraints over 40,000 alpha elements: one invocation per norm
/// would loop 80,000 times, past llvmpipe's budget, so the update runs the
/// row in chunks there (it was refused before); right everywhere, with an
/// SGD step before the constraint and without, unit norm and min-max norm.
#[test]
fn a_constraint_norm_over_many_elements_is_right() {
    let n = 40_000;
    let alpha = spread(n, -1.0, 1.0, 6);
    let grad = spread(n, -0.5, 0.5, 7);
    let lr = 0.25;
    for constraint in [
        Constraint::unit_norm(&[0]),
        Constraint::min_max_norm(0.5, 2.0, 0.75, &[0]).unwrap(),
    ] {
        for step in [false, true] {
            let prelu = PReLU::new().with_constraint(constraint.clone());
            prelu.build(&[1, n]).unwrap();
            prelu.set_alpha(&alpha).unwrap();
            let stepped: Vec<f32> = if step {
                let sgd = wgpu_activations::training::Sgd::new(lr).unwrap();
                let g = GpuTensor::from_slice(ctx(), &[n], &grad).unwrap();
                sgd.step(ctx(), &prelu, &g).unwrap();
                alpha.iter().zip(&grad).map(|(&a, &g)| a - lr * g).collect()
            } else {
                prelu.apply_constraint(ctx()).unwrap();
                alpha.clone()
            };
            let got = prelu.read_alpha_blocking(ctx()).unwrap();
            // The kernel's own order: the squares summed in f32 from the
            // first element on (the chunks continue one sum), which the
            // f64 reference would miss by up to n eps; then each element
            // scaled, within a few ulps.
            let norm = stepped.iter().fold(0.0f32, |s, &w| s + w * w).sqrt();
            let (lo, hi, rate) = match constraint {
                Constraint::MinMaxNorm {
                    min_value,
                    max_value,
                    rate,
                    ..
                } => (min_value, max_value, rate),
                _ => (0.0, 0.0, 0.0),
            };
            let scale = (rate * norm.max(lo).min(hi) + (1.0 - rate) * norm) / (1e-7 + norm);
            let want: Vec<f32> = stepped
                .iter()
                .map(|&w| match constraint {
                    Constraint::UnitNorm { .. } => w / (1e-7 + norm),
                    _ => w * scale,
                })
                .collect();
            assert_all_close(
                &format!("{constraint:?}, step {step}"),
                &stepped,
                &got,
                &want,
                Tolerance::Ulps(4),
            );
        }
    }
}

/// A regularizer's penalty over 17M alpha elements: one workgroup striding
/// over all of them would loop past llvmpipe's budget (it was refused), so
/// it sums in chunks there; within 1e-5 of the f64 sum everywhere.
#[test]
fn a_penalty_over_many_elements_is_right() {
    let n = 17_000_000;
    let alpha = spread(n, -1.0, 1.0, 8);
    let prelu = PReLU::new().with_regularizer(Regularizer::l1_l2(0.5, 0.25).unwrap());
    prelu.build(&[1, n]).unwrap();
    prelu.set_alpha(&alpha).unwrap();
    let got = prelu
        .regularization_penalty(ctx())
        .unwrap()
        .to_vec_blocking(ctx())
        .unwrap();
    let want: f64 = alpha
        .iter()
        .map(|&a| 0.5 * f64::from(a).abs() + 0.25 * f64::from(a).powi(2))
        .sum();
    assert_eq!(got.len(), 1);
    assert!(
        (f64::from(got[0]) - want).abs() <= 1e-5 * want,
        "penalty {} vs {want}",
        got[0]
    );
}

/// The adapters these tests run on in CI are llvmpipe (lavapipe on Vulkan,
/// llvmpipe on GL): the budget must be known there, or the tests above
/// would only prove the unbounded case.
#[test]
fn llvmpipe_is_recognised() {
    let info = ctx().adapter_info();
    if info.name.contains("llvmpipe") || info.driver.contains("llvmpipe") {
        assert_eq!(ctx().loop_budget(), Some(65_535));
    }
}
