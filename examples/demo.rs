//! The main job: print the adapter, run every layer on a small sample
//! (Softmax along the last axis, along axis 0 and with a mask), one backward
//! pass and a few PReLU training steps with the loss going down, each timed
//! and compared with the CPU reference; exit non-zero on any mismatch.
//!
//! `cargo run --release --example demo`

// Native only (blocking calls, threads, timers): on wasm the example is
// empty, so `cargo test --target wasm32-unknown-unknown` builds; examples/web
// is the browser's.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use std::process::ExitCode;
use std::time::Instant;

use wgpu_activations::training::{mean_squared_error_gradient, Sgd};
use wgpu_activations::{
    Activation, GpuContext, GpuTensor, Initializer, Layer, LeakyReLU, PReLU, ReLU, Softmax,
    ThresholdedReLU, ELU,
};

/// Allowed difference to the CPU reference, in f32 ulps (ELU's expm1 and
/// Softmax's exp and sum round; the piecewise-linear layers are exact).
const MAX_ULPS: u32 = 4;

fn main() -> ExitCode {
    match run() {
        Ok(0) => {
            println!("all layers match the CPU reference");
            ExitCode::SUCCESS
        }
        Ok(mismatches) => {
            eprintln!("{mismatches} check(s) differ from the CPU reference");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> wgpu_activations::Result<usize> {
    let ctx = GpuContext::new_blocking()?;
    let info = ctx.adapter_info();
    println!(
        "adapter: {} ({:?}, {:?})",
        info.name, info.backend, info.device_type
    );

    let shape = [2, 2, 4];
    let data: Vec<f32> = (0..16).map(|i| (i as f32 - 7.5) * 0.75).collect();
    let prelu = PReLU::new().with_shared_axes(&[1]);
    prelu.build(&shape)?;
    prelu.set_alpha(&[0.1, 0.25, 0.5, 1.5])?;
    let layers: Vec<(&str, Box<dyn Layer>)> = vec![
        (
            "ReLU(max_value=6, negative_slope=0.1, threshold=0.5)",
            Box::new(ReLU::new(Some(6.0), 0.1, 0.5)?),
        ),
        (
            "LeakyReLU(negative_slope=0.3)",
            Box::new(LeakyReLU::new(0.3)?),
        ),
        ("ELU(alpha=1)", Box::new(ELU::new(1.0)?)),
        (
            "ThresholdedReLU(theta=1)",
            Box::new(ThresholdedReLU::new(1.0)?),
        ),
        ("PReLU(shared_axes=[1])", Box::new(prelu)),
        ("Softmax(axis=-1)", Box::new(Softmax::new(-1))),
        ("Softmax(axis=0)", Box::new(Softmax::new(0))),
        ("Activation('gelu')", Box::new(Activation::new("gelu")?)),
    ];

    let x = GpuTensor::from_slice(&ctx, &shape, &data)?;
    println!("input {shape:?}: {}", compact(&data));
    println!("[times: one call and its readback, after a warm-up that compiles]");
    let mut mismatches = 0;
    let mut check = |name: &str, gpu: &[f32], cpu: &[f32], took: f64| {
        let (max_diff, worst_ulps) = difference(gpu, cpu);
        let ok = worst_ulps <= MAX_ULPS && gpu.len() == cpu.len();
        mismatches += usize::from(!ok);
        println!(
            "{name}  [{took:.2} ms]\n  output: {}\n  max |gpu - cpu| = {max_diff:e} ({worst_ulps} ulp) {}",
            compact(gpu),
            if ok { "ok" } else { "MISMATCH" }
        );
    };
    for (name, layer) in &layers {
        // Compiled on first use: a warm-up first, so the time is the layer's.
        layer.forward(&ctx, &x)?.to_vec_blocking(&ctx)?;
        let start = Instant::now();
        let gpu = layer.forward(&ctx, &x)?.to_vec_blocking(&ctx)?;
        let took = start.elapsed().as_secs_f64() * 1e3;
        check(name, &gpu, &layer.reference(&shape, &data)?, took);
    }

    // A masked softmax: positions where the mask is false get 0, and each
    // row's kept positions sum to 1.
    let keep: Vec<bool> = (0..16).map(|i| i % 4 != 3).collect();
    let mask = GpuTensor::from_mask(&ctx, &shape, &keep)?;
    let softmax = Softmax::new(-1);
    softmax
        .forward_masked(&ctx, &x, Some(&mask))?
        .to_vec_blocking(&ctx)?; // compiles
    let start = Instant::now();
    let gpu = softmax
        .forward_masked(&ctx, &x, Some(&mask))?
        .to_vec_blocking(&ctx)?;
    let took = start.elapsed().as_secs_f64() * 1e3;
    let mask_values: Vec<f32> = keep.iter().map(|&k| f32::from(u8::from(k))).collect();
    let cpu =
        wgpu_activations::cpu::softmax(&softmax, &shape, &data, Some((&shape, &mask_values)))?;
    check(
        "Softmax(axis=-1) with a mask (every 4th position masked)",
        &gpu,
        &cpu,
        took,
    );

    // One backward pass: ELU's dx for an upstream gradient of ones.
    let elu = ELU::new(1.0)?;
    let dy = GpuTensor::from_slice(&ctx, &shape, &[1.0; 16])?;
    elu.backward(&ctx, &x, &dy)?.to_vec_blocking(&ctx)?; // compiles
    let start = Instant::now();
    let gpu = elu.backward(&ctx, &x, &dy)?.to_vec_blocking(&ctx)?;
    let took = start.elapsed().as_secs_f64() * 1e3;
    check(
        "ELU(alpha=1) backward (dy = 1)",
        &gpu,
        &elu.reference_backward(&shape, &data, &[1.0; 16])?,
        took,
    );

    // PReLU learning alpha = [0.1, 0.25, 0.5, 1.5] from zeros: MSE loss,
    // its gradient, alpha's gradient and an SGD step, all on the GPU.
    let teacher = PReLU::new().with_shared_axes(&[1]);
    teacher.build(&shape)?;
    teacher.set_alpha(&[0.1, 0.25, 0.5, 1.5])?;
    let target = teacher.forward(&ctx, &x)?;
    let target_host = target.to_vec_blocking(&ctx)?;
    let student = PReLU::new()
        .with_shared_axes(&[1])
        .with_initializer(Initializer::by_name("zeros")?);
    student.build(&shape)?;
    // Under 2 / (the loss's curvature in alpha), 2/16 of the sum of the
    // negative inputs' squares per alpha (about 5): the steps converge.
    let sgd = Sgd::new(0.1)?;
    let mut losses = Vec::new();
    let start = Instant::now();
    for _ in 0..8 {
        let y = student.forward(&ctx, &x)?;
        let y_host = y.to_vec_blocking(&ctx)?;
        let loss = y_host
            .iter()
            .zip(&target_host)
            .map(|(a, b)| f64::from(a - b).powi(2))
            .sum::<f64>()
            / y_host.len() as f64;
        losses.push(loss);
        let dy = mean_squared_error_gradient(&ctx, &y, &target)?;
        sgd.step(&ctx, &student, &student.alpha_gradient(&ctx, &x, &dy)?)?;
    }
    let took = start.elapsed().as_secs_f64() * 1e3;
    let falling = losses.windows(2).all(|w| w[1] < w[0]);
    mismatches += usize::from(!falling);
    println!(
        "PReLU training, 8 SGD steps (lr 0.1)  [{took:.2} ms]\n  loss: {}\n  alpha: {} {}",
        losses
            .iter()
            .map(|l| format!("{l:.5}"))
            .collect::<Vec<_>>()
            .join(" > "),
        compact(&student.read_alpha_blocking(&ctx)?),
        if falling {
            "ok: the loss falls"
        } else {
            "MISMATCH: the loss did not fall"
        }
    );
    Ok(mismatches)
}

fn compact(values: &[f32]) -> String {
    let shown: Vec<String> = values.iter().map(|v| format!("{v:.4}")).collect();
    format!("[{}]", shown.join(", "))
}

/// Largest absolute difference and largest distance in ulps (NaN equals NaN).
fn difference(a: &[f32], b: &[f32]) -> (f32, u32) {
    a.iter()
        .zip(b)
        .fold((0.0f32, 0u32), |(diff, ulps), (&x, &y)| {
            if x.is_nan() && y.is_nan() {
                return (diff, ulps);
            }
            if x.is_nan() != y.is_nan() {
                return (f32::NAN, u32::MAX);
            }
            (diff.max((x - y).abs()), ulps.max(ulp_distance(x, y)))
        })
}

fn ulp_distance(a: f32, b: f32) -> u32 {
    // Map the float line onto integers monotonically, ±0 to the same point.
    let key = |v: f32| {
        let bits = v.to_bits() as i32;
        if bits < 0 {
            i32::MIN.wrapping_sub(bits)
        } else {
            bits
        }
    };
    key(a).abs_diff(key(b))
}
