//! Reliability: one context shared by 8 threads running mixed layers and
//! shapes (every result checked against the CPU), a lost device reported as
//! an error, and a readback that times out and leaves the context usable.
//!
//! `WGPU_ACTIVATIONS_SOAK=1000 cargo test --release --test reliability`
//! runs the longer soak (forwards per thread); CI runs 100.

// Native: blocks on the GPU; the browser runs tests/browser.rs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::time::Duration;

use common::{assert_all_close, assert_each, assert_tensor_close, ctx, Tolerance};
use wgpu_activations::{
    Error, GpuContext, GpuTensor, Layer, LeakyReLU, PReLU, ReLU, Sequential, Softmax,
    ThresholdedReLU, ELU,
};

fn forwards_per_thread() -> usize {
    std::env::var("WGPU_ACTIVATIONS_SOAK")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
}

/// The i-th layer of the mix and its tolerance against the CPU.
fn layer(i: usize) -> (Box<dyn Layer>, Tolerance) {
    match i % 6 {
        0 => (
            Box::new(ReLU::new(Some(3.0), 0.1, 0.25).unwrap()),
            Tolerance::Exact,
        ),
        1 => (Box::new(LeakyReLU::new(0.2).unwrap()), Tolerance::Exact),
        2 => (Box::new(ELU::new(0.7).unwrap()), Tolerance::Ulps(4)),
        3 => (
            Box::new(ThresholdedReLU::new(0.5).unwrap()),
            Tolerance::Exact,
        ),
        4 => {
            let prelu = PReLU::new().with_shared_axes(&[1]);
            (Box::new(prelu), Tolerance::Exact)
        }
        _ => (
            Box::new(
                Sequential::new()
                    .with(LeakyReLU::new(0.1).unwrap())
                    .with(ReLU::default()),
            ),
            Tolerance::Exact,
        ),
    }
}

#[test]
fn eight_threads_share_one_context() {
    let n = forwards_per_thread();
    let shapes: [&[usize]; 4] = [&[3, 5], &[2, 7, 4], &[1, 1000], &[4, 1, 9]];
    let done = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..8 {
            let done = &done;
            s.spawn(move || {
                for i in 0..n {
                    let shape = shapes[(i + t) % shapes.len()];
                    let len: usize = shape.iter().product();
                    let input: Vec<f32> = (0..len)
                        .map(|k| ((k * 31 + i * 7 + t * 13) % 97) as f32 * 0.1 - 4.8)
                        .collect();
                    let (layer, tol) = layer(i + t);
                    let x = GpuTensor::from_slice(ctx(), shape, &input).unwrap();
                    let got = if i % 2 == 0 {
                        // Round trip through a fresh output.
                        layer.forward(ctx(), &x).unwrap()
                    } else {
                        // Resident: into a reused output, twice, then read.
                        let out = GpuTensor::from_slice(ctx(), shape, &vec![0.0; len]).unwrap();
                        layer.forward_into(ctx(), &x, &out).unwrap();
                        layer.forward_into(ctx(), &x, &out).unwrap();
                        out
                    };
                    let want = layer.reference(shape, &input).unwrap();
                    assert_tensor_close(
                        &format!("thread {t} forward {i} {}", layer.class_name()),
                        &got,
                        shape,
                        &input,
                        &want,
                        tol,
                    );
                    done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });
    assert_eq!(done.into_inner(), 8 * n);
    // Softmax too, from several threads at once.
    std::thread::scope(|s| {
        for t in 0..8 {
            s.spawn(move || {
                let input: Vec<f32> = (0..600)
                    .map(|k| ((k * 17 + t) % 53) as f32 * 0.2 - 5.0)
                    .collect();
                let layer = Softmax::new(if t % 2 == 0 { -1 } else { 0 });
                let x = GpuTensor::from_slice(ctx(), &[20, 30], &input).unwrap();
                let got = layer.forward(ctx(), &x).unwrap();
                let want = layer.reference(&[20, 30], &input).unwrap();
                assert_tensor_close(
                    &format!("thread {t} softmax"),
                    &got,
                    &[20, 30],
                    &input,
                    &want,
                    Tolerance::Ulps(64),
                );
            });
        }
    });
}

#[test]
fn a_lost_device_is_an_error_not_a_panic_or_hang() {
    let ctx = GpuContext::new_blocking().unwrap();
    let x = GpuTensor::from_slice(&ctx, &[4], &[1.0, -1.0, 2.0, -2.0]).unwrap();
    ctx.device().destroy();
    let forward = ReLU::default().forward(&ctx, &x);
    assert!(
        forward.is_err(),
        "forward on a destroyed device: {forward:?}"
    );
    let readback = x.to_vec_blocking(&ctx);
    assert!(
        readback.is_err(),
        "readback on a destroyed device: {readback:?}"
    );
    let upload = GpuTensor::from_slice(&ctx, &[2], &[1.0, 2.0]);
    assert!(upload.is_err(), "upload on a destroyed device");
    match ctx.check_device() {
        Err(Error::DeviceLost { reason }) => assert!(reason.contains("Destroyed"), "{reason}"),
        other => panic!("the loss was not recorded: {other:?}"),
    }
    assert!(matches!(
        ReLU::default().forward(&ctx, &x),
        Err(Error::DeviceLost { .. })
    ));
}

#[test]
fn a_readback_past_its_timeout_is_an_error_and_the_context_survives() {
    let ctx = GpuContext::new_blocking().unwrap();
    let n = 1 << 22;
    let x = GpuTensor::from_slice(&ctx, &[n / 256, 256], &vec![0.5; n]).unwrap();
    ctx.set_readback_timeout(Some(Duration::from_nanos(1)));
    // wgpu's GL backend runs the work inside submit, so a readback there has
    // nothing left to wait for; elsewhere at least one of a few attempts must
    // time out (the adapter may, rarely, finish first).
    let gl = ctx.adapter_info().backend == wgpu_activations::wgpu::Backend::Gl;
    let mut timed_out = false;
    for _ in 0..5 {
        // A dozen heavy softmaxes queued, then a readback that should not
        // finish within 1 ns.
        let mut y = Softmax::new(0).forward(&ctx, &x).unwrap();
        for _ in 0..11 {
            y = Softmax::new(0).forward(&ctx, &y).unwrap();
        }
        assert_eq!(y.shape(), [n / 256, 256], "shape");
        match y.to_vec_blocking(&ctx) {
            Err(Error::Readback(message)) => {
                assert!(message.contains("timeout"), "{message}");
                timed_out = true;
                break;
            }
            Ok(values) => {
                // Columns of 16,384 equal values: each softmax gives 1/16384.
                let want = vec![1.0f32 / 16384.0; n];
                assert_each("softmax of constant columns", &values, &want, |_, v, w| {
                    (v - w).abs() < 1e-9
                });
            }
            Err(other) => panic!("expected a timeout, got {other}"),
        }
    }
    assert!(gl || timed_out, "no readback timed out in 5 attempts");
    if gl {
        common::not_exercised(
            "reliability::a_readback_past_its_timeout_is_an_error_and_the_context_survives",
            "GL runs the work inside submit, so no readback can time out",
        );
    }
    ctx.set_readback_timeout(Some(Duration::from_secs(60)));
    let input = [-1.0, 0.0, 1.0];
    let small = GpuTensor::from_slice(&ctx, &[3], &input).unwrap();
    let y = ReLU::default().forward(&ctx, &small).unwrap();
    assert_eq!(y.shape(), [3], "ReLU after the timeout: shape");
    let got = y.to_vec_blocking(&ctx).unwrap();
    let want = [0.0, 0.0, 1.0];
    assert_all_close(
        "ReLU after the timeout",
        &input,
        &got,
        &want,
        Tolerance::Exact,
    );
}

/// A host's device (`from_device`) keeps the host's lost callback: chained
/// through `set_device_lost_callback`, the host's runs and the context
/// reports the loss as `DeviceLost` at its next call.
#[test]
fn a_host_devices_loss_reaches_the_host_and_the_context() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let (device, queue) = common::device_with(|_| {});
    let ctx = GpuContext::from_device(device, queue);
    let x = GpuTensor::from_slice(&ctx, &[4], &[1.0, -1.0, 2.0, -2.0]).unwrap();
    let host_saw = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&host_saw);
    ctx.set_device_lost_callback(move |_, _| seen.store(true, Ordering::SeqCst));
    ctx.device().destroy();
    let forward = ReLU::default().forward(&ctx, &x);
    assert!(
        matches!(forward, Err(Error::DeviceLost { .. })),
        "{forward:?}"
    );
    assert!(host_saw.load(Ordering::SeqCst), "the host's callback ran");
}
