//! Measures each `keras.activations` function's worst error against its
//! CPU twin (f64 where the function is not piecewise linear), forward and
//! backward, over a dense sweep: every 4096th f32 in [-1e4, 1e4], plus the
//! edges ±3e38, ±1e30, ±100 and the smallest normals. Prints the figures
//! docs/KERAS.md's accuracy table states; the bounds themselves are asserted
//! by the proptests in tests/elementwise.rs and tests/backward.rs.
//!
//! `cargo test --release --test accuracy -- --ignored --nocapture`

// Native: blocks on the GPU.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{ctx, ulps};
use wgpu_activations::{Activation, GpuTensor, Layer, Saved};

/// The sweep: every 4096th f32 bit pattern of [-1e4, 1e4] and the edges.
fn sweep() -> Vec<f32> {
    let top = 1e4f32.to_bits();
    let mut x: Vec<f32> = (0..=top)
        .step_by(4096)
        .flat_map(|bits| [f32::from_bits(bits), -f32::from_bits(bits)])
        .collect();
    x.extend([
        3e38,
        -3e38,
        1e30,
        -1e30,
        100.0,
        -100.0,
        f32::MIN_POSITIVE,
        -f32::MIN_POSITIVE,
    ]);
    x
}

/// The worst distance in ulps between `got` and `want` (NaN matching NaN,
/// two subnormals of one sign counting as equal), and the input there.
fn worst(x: &[f32], got: &[f32], want: &[f32]) -> (u64, f32) {
    let mut worst = (0, 0.0);
    for ((&x, &g), &w) in x.iter().zip(got).zip(want) {
        let d = if g.is_nan() || w.is_nan() {
            if g.is_nan() == w.is_nan() {
                0
            } else {
                u64::MAX
            }
        } else if g.abs() < f32::MIN_POSITIVE && w.abs() < f32::MIN_POSITIVE {
            0
        } else {
            ulps(g, w)
        };
        if d > worst.0 {
            worst = (d, x);
        }
    }
    worst
}

#[test]
#[ignore = "a measurement: run with --ignored --nocapture"]
fn measure_every_function() {
    let x = sweep();
    let shape = [x.len()];
    let dy: Vec<f32> = (0..x.len()).map(|i| [1.0, -0.75, 3.3][i % 3]).collect();
    let input = GpuTensor::from_slice(ctx(), &shape, &x).unwrap();
    let upstream = GpuTensor::from_slice(ctx(), &shape, &dy).unwrap();
    let adapter = ctx().adapter_info();
    println!(
        "{} inputs on {} ({:?})",
        x.len(),
        adapter.name,
        adapter.backend
    );
    println!("| function | forward ulps (at x) | backward ulps (at x) |");
    for name in Activation::names() {
        // threshold has no defaults; softmax's rows have their own bounds
        // (docs/ACCURACY.md, "Accuracy").
        let Ok(function) = Activation::new(name) else {
            continue;
        };
        if function.backward_reads() == Saved::Output {
            continue;
        }
        let y = function.forward(ctx(), &input).unwrap();
        let forward = worst(
            &x,
            &y.to_vec_blocking(ctx()).unwrap(),
            &function.reference(&shape, &x).unwrap(),
        );
        let dx = function.backward(ctx(), &input, &upstream).unwrap();
        let backward = worst(
            &x,
            &dx.to_vec_blocking(ctx()).unwrap(),
            &function.reference_backward(&shape, &x, &dy).unwrap(),
        );
        println!(
            "| {name} | {} ({:e}) | {} ({:e}) |",
            forward.0, forward.1, backward.0, backward.1
        );
    }
}
