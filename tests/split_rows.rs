//! Rows longer than one workgroup should take (`dispatch::row_segments`) run
//! as the split kernels: segments of a workgroup each, partial results in a
//! scratch buffer, a second dispatch to finish. Checked against the CPU
//! reference like the single-workgroup kernels: softmax forward and backward
//! (one axis, unmerged axes, masks, non-finite rows, f16) and PReLU's alpha
//! gradient, on rows a few segments long.
//!
//! Softmax tolerance as in tests/softmax.rs; backward as in
//! tests/backward.rs; the alpha gradient within 1e-5 relative of the f64
//! sum (f32 partial sums over a million terms).

// Native: blocks on the GPU.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{assert_each, assert_tensor_close, ctx, softmax_backward_close, spread, SOFTMAX};
use wgpu_activations::internals::{row_segments, workgroup_size};
use wgpu_activations::{DType, GpuTensor, PReLU, Softmax};

/// The split softmax kernel's workgroup size on this device.
fn parts_workgroup_size() -> u32 {
    let parts = wgpu_activations::internals::softmax_parts_kernel();
    workgroup_size(ctx(), parts)
}

/// A row this long is cut into at least `segments` segments on this device.
fn assert_split(row_len: usize, reduced_rank: u32, segments: u32) {
    let wg = parts_workgroup_size();
    let (parts, _) = row_segments(row_len as u32, reduced_rank, wg)
        .unwrap_or_else(|| panic!("a row of {row_len} is not split at workgroup size {wg}"));
    assert!(parts >= segments, "{parts} segments");
}

/// The segment length for one merged reduced axis on this device.
fn segment_len() -> usize {
    parts_workgroup_size() as usize * 1024
}

#[track_caller]
fn check_forward(layer: &Softmax, shape: &[usize], x: &[f32], mask: Option<(&[usize], &[f32])>) {
    let t = GpuTensor::from_slice(ctx(), shape, x).unwrap();
    let y = match mask {
        Some((ms, m)) => layer.forward_masked(
            ctx(),
            &t,
            Some(&GpuTensor::from_slice(ctx(), ms, m).unwrap()),
        ),
        None => layer.forward(ctx(), &t),
    }
    .unwrap();
    let want = wgpu_activations::cpu::softmax(layer, shape, x, mask).unwrap();
    let what = format!(
        "{layer:?} on {shape:?}{}",
        if mask.is_some() { " (masked)" } else { "" }
    );
    assert_tensor_close(&what, &y, shape, x, &want, SOFTMAX);
}

#[test]
fn softmax_over_long_rows_matches_the_reference() {
    // Three rows of 2.5 segments, values spread so the max moves.
    let n = segment_len() * 5 / 2;
    assert_split(n, 1, 3);
    let x = spread(3 * n, -30.0, 30.0, 1);
    check_forward(&Softmax::new(-1), &[3, n], &x, None);
    // The same rows over axis 0 of the transpose: strided rows.
    let xt: Vec<f32> = (0..3 * n).map(|i| x[(i % 3) * n + i / 3]).collect();
    check_forward(&Softmax::new(0), &[n, 3], &xt, None);
}

#[test]
fn softmax_over_unmerged_axes_and_with_a_mask() {
    // Axes 0 and 2 of [300, 3, 40] cannot merge (axis 1 is kept between):
    // rows of 12,000 over two reduced axes, cut into segments of 128 per lane.
    let shape = [300, 3, 40];
    let n = 300 * 40;
    assert_split(n, 2, 2);
    let x = spread(300 * 3 * 40, -5.0, 5.0, 2);
    let layer = Softmax::axes(&[0, 2]);
    check_forward(&layer, &shape, &x, None);
    // A mask broadcast over the kept axis, masking about a third.
    let mask: Vec<f32> = spread(300 * 40, 0.0, 1.0, 3)
        .iter()
        .map(|&v| if v < 0.33 { 0.0 } else { 1.0 })
        .collect();
    check_forward(&layer, &shape, &x, Some((&[300, 1, 40], &mask)));
    // Fully masked: zeros.
    let none = vec![0.0f32; 300 * 40];
    check_forward(&layer, &shape, &x, Some((&[300, 1, 40], &none)));
}

#[test]
fn non_finite_values_in_one_segment_poison_or_vanish_across_the_row() {
    let n = segment_len() * 3;
    let mut x = spread(4 * n, -3.0, 3.0, 4);
    x[n - 1] = f32::NAN; // row 0, last segment: the whole row is NaN
    x[n + 5] = f32::INFINITY; // row 1, first segment: NaN
    x[2 * n + n / 2] = f32::NEG_INFINITY; // row 2: that entry is 0
    x[3 * n + 7] = 80.0; // row 3: one dominant value in the first segment
    check_forward(&Softmax::new(-1), &[4, n], &x, None);
    // A row of -inf: NaN throughout.
    let minus = vec![f32::NEG_INFINITY; n];
    check_forward(&Softmax::new(-1), &[1, n], &minus, None);
}

#[test]
fn f16_softmax_over_long_rows() {
    let n = segment_len() * 2 + 3;
    let x = spread(2 * n, -8.0, 8.0, 5);
    let layer = Softmax::new(-1);
    let t = GpuTensor::from_slice_as(ctx(), &[2, n], &x, DType::F16);
    if !ctx().supports_f16() {
        // e.g. WGPU_BACKEND=gl (tests/f16.rs checks the error itself).
        assert!(matches!(
            t,
            Err(wgpu_activations::Error::MissingFeature { .. })
        ));
        common::not_exercised(
            "split_rows::f16_softmax_over_long_rows",
            "no SHADER_F16, so only the MissingFeature error was checked",
        );
        return;
    }
    let t = t.unwrap();
    let y = layer.forward(ctx(), &t).unwrap();
    assert_eq!(y.shape(), [2, n], "f16 softmax: shape");
    let y = y.to_vec_blocking(ctx()).unwrap();
    let rounded: Vec<f32> = x.iter().map(|&v| half::f16::from_f32(v).to_f32()).collect();
    let want = wgpu_activations::cpu::softmax(&layer, &[2, n], &rounded, None).unwrap();
    assert_each("f16 softmax (1 f16 ulp)", &y, &want, |_, g, c| {
        let (g16, c16) = (half::f16::from_f32(g), half::f16::from_f32(c));
        let apart = (i32::from(g16.to_bits() as i16) - i32::from(c16.to_bits() as i16)).abs();
        apart <= 1 || (c < 6.1e-5 && g < 6.2e-5)
    });
}

#[test]
fn softmax_backward_over_long_rows() {
    let n = segment_len() * 2 + 100;
    let layer = Softmax::new(-1);
    let x = spread(2 * n, -10.0, 10.0, 6);
    let y = wgpu_activations::cpu::softmax(&layer, &[2, n], &x, None).unwrap();
    let dy = spread(2 * n, -1.0, 1.0, 7);
    let yt = GpuTensor::from_slice(ctx(), &[2, n], &y).unwrap();
    let dyt = GpuTensor::from_slice(ctx(), &[2, n], &dy).unwrap();
    let mask: Vec<f32> = spread(2 * n, 0.0, 1.0, 8)
        .iter()
        .map(|&v| if v < 0.2 { 0.0 } else { 1.0 })
        .collect();
    let mt = GpuTensor::from_mask(
        ctx(),
        &[2, n],
        &mask.iter().map(|&m| m > 0.5).collect::<Vec<_>>(),
    )
    .unwrap();
    // Σ|dy·y| over each row, the scale of its rounding.
    let scale: Vec<f64> = (0..2)
        .map(|row| {
            (row * n..(row + 1) * n)
                .map(|i| f64::from(y[i] * dy[i]).abs())
                .sum()
        })
        .collect();
    for masked in [false, true] {
        let dx = layer
            .backward_masked(ctx(), &yt, &dyt, masked.then_some(&mt))
            .unwrap();
        assert_eq!(dx.shape(), [2, n], "masked {masked}: dx shape");
        let dx = dx.to_vec_blocking(ctx()).unwrap();
        let want = wgpu_activations::cpu::softmax_backward(
            &layer,
            &[2, n],
            &y,
            &dy,
            masked.then_some((&[2, n][..], &mask[..])),
        )
        .unwrap();
        assert_each(&format!("masked {masked}: dx"), &dx, &want, |i, g, w| {
            softmax_backward_close(g, w, y[i], dy[i], scale[i / n])
        });
    }
}

#[test]
fn alpha_gradient_over_many_contributions() {
    // alpha of shape [2] shared over the spatial axis: each element sums
    // batch x 300,000 contributions, several segments.
    let shape = [4, 300_000, 2];
    let len = shape.iter().product();
    let x = spread(len, -1.0, 1.0, 9);
    let dy = spread(len, -1.0, 1.0, 10);
    let prelu = PReLU::new().with_shared_axes(&[1]);
    let xt = GpuTensor::from_slice(ctx(), &shape, &x).unwrap();
    let dyt = GpuTensor::from_slice(ctx(), &shape, &dy).unwrap();
    let got = prelu.alpha_gradient(ctx(), &xt, &dyt).unwrap();
    assert_eq!(got.shape(), [1, 2], "d_alpha: shape");
    let got = got.to_vec_blocking(ctx()).unwrap();
    let want = wgpu_activations::cpu::prelu_alpha_gradient(&shape, &x, &dy, &[1, 2]).unwrap();
    // The terms' magnitudes bound the f32 rounding of their sum.
    let magnitude: f64 = x
        .iter()
        .zip(&dy)
        .map(|(&a, &b)| f64::from(a.min(0.0) * b).abs())
        .sum::<f64>()
        / 2.0;
    assert_each(
        &format!("d_alpha (1e-5 of the terms' magnitude {magnitude})"),
        &got,
        &want,
        |_, g, w| (f64::from(g) - f64::from(w)).abs() <= 1e-5 * magnitude,
    );
}
