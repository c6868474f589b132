//! Threads sharing one adapter while the crate runs long work on it.
//!
//! wgpu-hal's GL backend serialises every call on one context lock and
//! panics ("Could not lock adapter context") when a thread waits more than
//! 6 s for it (wgpu issue 5299); llvmpipe runs compute work inside
//! `Queue::submit`, under that lock. A chain of 40 softmaxes over a
//! 4096 × 4096 tensor was one submission of more than 6 s, and a second
//! thread uploading, reading back and freeing a 4-element tensor meanwhile
//! panicked inside wgpu-hal. The crate now cuts long GL submissions into
//! pieces (`GpuContext::split_gl_submission`). These tests run on every
//! backend; the lock, and so the failure they guard against, is GL's
//! (`WGPU_BACKEND=gl`, as CI runs them, with the default test threads).

// Native: threads and blocking readbacks.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{assert_all_close, assert_tensor_close, ctx, spread, Tolerance, SOFTMAX};
use wgpu_activations::{GpuTensor, Layer, LeakyReLU, ReLU, Sequential, Softmax, ELU};

/// A chain of `n` softmaxes over the last axis.
fn softmaxes(n: usize) -> Sequential {
    (0..n).fold(Sequential::new(), |chain, _| chain.with(Softmax::new(-1)))
}

/// Uploads, reads back and frees small tensors every 20 ms until `stop`.
fn small_round_trips(stop: &AtomicBool) {
    let mut i = 0;
    while !stop.load(Ordering::Acquire) {
        let x = [-1.0, 0.5, i as f32, -0.0];
        let t = GpuTensor::from_slice(ctx(), &[4], &x).unwrap();
        let y = t.to_vec_blocking(ctx()).unwrap();
        assert_all_close("small round trip", &x, &y, &x, Tolerance::Exact);
        i += 1;
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn small_round_trips_beside_a_long_chain() {
    let (rows, cols) = (4096, 4096);
    let x = spread(rows * cols, -4.0, 4.0, 11);
    let input = GpuTensor::from_slice(ctx(), &[rows, cols], &x).unwrap();
    let stop = AtomicBool::new(false);
    let got = std::thread::scope(|s| {
        s.spawn(|| small_round_trips(&stop));
        let y = softmaxes(40).forward(ctx(), &input);
        let got = y.and_then(|y| y.to_vec_blocking(ctx()));
        stop.store(true, Ordering::Release);
        got.unwrap()
    });
    // The reference on a few rows: a chain of softmaxes is rowwise.
    let few = 3 * cols;
    let want = softmaxes(40).reference(&[3, cols], &x[..few]).unwrap();
    assert_all_close(
        "rows 0..3 of 40 softmaxes",
        &x[..few],
        &got[..few],
        &want,
        SOFTMAX,
    );
}

#[test]
fn eight_threads_mixing_heavy_and_light_work() {
    // Heavy: chains over 4M elements; light: small layers. Every result is
    // checked; on GL, no thread may wait long enough for wgpu-hal to panic.
    let heavy = |seed: u64| {
        let (rows, cols) = (1024, 4096);
        let x = spread(rows * cols, -3.0, 3.0, seed);
        let t = GpuTensor::from_slice(ctx(), &[rows, cols], &x).unwrap();
        let chain = Sequential::new()
            .with(LeakyReLU::new(0.2).unwrap())
            .with(Softmax::new(-1))
            .with(ELU::default())
            .with(Softmax::new(0));
        let y = chain.forward(ctx(), &t).unwrap();
        assert_eq!(y.shape(), [rows, cols]);
        let got = y.to_vec_blocking(ctx()).unwrap();
        // Softmax over axis 0 last: every column sums to 1.
        for c in (0..cols).step_by(512) {
            let sum: f64 = (0..rows).map(|r| f64::from(got[r * cols + c])).sum();
            assert!((sum - 1.0).abs() < 1e-4, "column {c} sums to {sum}");
        }
    };
    let light = |i: usize| {
        let x: Vec<f32> = (0..64)
            .map(|k| (k as f32 - 32.0) * 0.25 + i as f32)
            .collect();
        let t = GpuTensor::from_slice(ctx(), &[8, 8], &x).unwrap();
        let relu = ReLU::new(Some(6.0), 0.1, 0.5).unwrap();
        let want = relu.reference(&[8, 8], &x).unwrap();
        assert_tensor_close(
            "light ReLU",
            &relu.forward(ctx(), &t).unwrap(),
            &[8, 8],
            &x,
            &want,
            Tolerance::Exact,
        );
    };
    std::thread::scope(|s| {
        for thread in 0..8 {
            s.spawn(move || {
                for round in 0..6 {
                    if (thread + round) % 3 == 0 {
                        heavy((thread * 10 + round) as u64);
                    } else {
                        for i in 0..10 {
                            light(i);
                        }
                    }
                }
            });
        }
    });
}
