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

use common::{assert_each, assert_tensor_close, ctx, softmax_backward_close, spread, SOFTMAX};
use wgpu_activations::training::Constraint;
use wgpu_activations::SoftmaxMapping;
use wgpu_activations::{Error, GpuTensor, PReLU, Softmax};

#[track_caller]
fn assert_unsupported_by_loop_budget(result: Result<GpuTensor, Error>) {
    match result {
        Err(e @ Error::Unsupported { .. }) => {
            assert!(e.to_string().contains("LP_MAX_TGSI_LOOP_ITERATIONS"), "{e}");
        }
        Err(e) => panic!("expected Unsupported (loop budget), got {e}"),
        Ok(_) => panic!("expected Unsupported (loop budget), got a tensor"),
    }
}

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

/// One invocation for a row of 40,000, asked for explicitly: refused where
/// the budget would cut it short, right elsewhere.
#[test]
fn an_explicit_invocation_per_long_row_is_refused_or_right() {
    let x = spread(40_000, -4.0, 4.0, 3);
    let layer = Softmax::new(-1).with_mapping(SoftmaxMapping::InvocationPerRow);
    let t = GpuTensor::from_slice(ctx(), &[x.len()], &x).unwrap();
    let result = layer.forward(ctx(), &t);
    if ctx().loop_budget().is_some() {
        assert_unsupported_by_loop_budget(result);
        // The context is still usable, and Auto maps the same row within budget.
        let y = Softmax::new(-1).forward(ctx(), &t).unwrap();
        let want = wgpu_activations::cpu::softmax(&Softmax::new(-1), &[x.len()], &x, None).unwrap();
        assert_tensor_close("Auto after the refusal", &y, &[x.len()], &x, &want, SOFTMAX);
    } else {
        let y = result.unwrap();
        let want = wgpu_activations::cpu::softmax(&layer, &[x.len()], &x, None).unwrap();
        assert_tensor_close("an invocation per row", &y, &[x.len()], &x, &want, SOFTMAX);
    }
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

/// A unit-norm constraint over 40,000 alpha elements: the update kernel runs
/// an invocation per norm (80,000 iterations), refused where the budget
/// would cut it short, right elsewhere.
#[test]
fn a_constraint_norm_over_too_many_elements_is_refused_or_right() {
    let n = 40_000;
    let alpha = spread(n, -1.0, 1.0, 6);
    let prelu = PReLU::new().with_constraint(Constraint::UnitNorm { axis: vec![0] });
    prelu.build(&[1, n]).unwrap();
    prelu.set_alpha(&alpha).unwrap();
    let result = prelu.apply_constraint(ctx());
    if ctx().loop_budget().is_some() {
        match result {
            Err(e @ Error::Unsupported { .. }) => {
                assert!(e.to_string().contains("LP_MAX_TGSI_LOOP_ITERATIONS"), "{e}");
            }
            other => panic!("expected Unsupported (loop budget), got {other:?}"),
        }
    } else {
        result.unwrap();
        let got = prelu.read_alpha_blocking(ctx()).unwrap();
        let norm = alpha
            .iter()
            .map(|&a| f64::from(a).powi(2))
            .sum::<f64>()
            .sqrt();
        let unit = |a: f32| f64::from(a) / (1e-7 + norm);
        let want: Vec<f32> = alpha.iter().map(|&a| unit(a) as f32).collect();
        assert_each("unit-norm alpha (1e-6 absolute)", &got, &want, |i, g, _| {
            (f64::from(g) - unit(alpha[i])).abs() < 1e-6
        });
    }
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
