//! The main job: print the adapter, run every layer on a small sample, compare
//! each with the CPU reference, and exit non-zero on any mismatch.
//!
//! `cargo run --release --example demo`

// Native only (blocking calls, threads, timers): on wasm the example is
// empty, so `cargo test --target wasm32-unknown-unknown` builds; examples/web
// is the browser's.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use std::process::ExitCode;

use wgpu_activations::{
    Activation, GpuContext, GpuTensor, Layer, LeakyReLU, PReLU, ReLU, ThresholdedReLU, ELU,
};

/// Allowed difference to the CPU reference, in f32 ulps (ELU's expm1 is a polynomial).
const MAX_ULPS: u32 = 4;

fn main() -> ExitCode {
    match run() {
        Ok(0) => {
            println!("all layers match the CPU reference");
            ExitCode::SUCCESS
        }
        Ok(mismatches) => {
            eprintln!("{mismatches} layer(s) differ from the CPU reference");
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
    let layers: Vec<(String, Box<dyn Layer>)> = vec![
        (
            "ReLU(max_value=6, negative_slope=0.1, threshold=0.5)".into(),
            Box::new(ReLU::new(Some(6.0), 0.1, 0.5)?),
        ),
        (
            "LeakyReLU(negative_slope=0.3)".into(),
            Box::new(LeakyReLU::new(0.3)?),
        ),
        ("ELU(alpha=1)".into(), Box::new(ELU::new(1.0)?)),
        (
            "ThresholdedReLU(theta=1)".into(),
            Box::new(ThresholdedReLU::new(1.0)?),
        ),
        ("PReLU(shared_axes=[1])".into(), Box::new(prelu)),
        (
            "Activation('relu6')".into(),
            Box::new(Activation::new("relu6")?),
        ),
    ];

    let x = GpuTensor::from_slice(&ctx, &shape, &data)?;
    println!("input {shape:?}: {}", compact(&data));
    let mut mismatches = 0;
    for (name, layer) in &layers {
        let gpu = layer.forward(&ctx, &x)?.to_vec_blocking(&ctx)?;
        let cpu = layer.reference(&shape, &data)?;
        let (max_diff, worst_ulps) = difference(&gpu, &cpu);
        let ok = worst_ulps <= MAX_ULPS;
        mismatches += usize::from(!ok);
        println!(
            "{name}\n  output: {}\n  max |gpu - cpu| = {max_diff:e} ({worst_ulps} ulp) {}",
            compact(&gpu),
            if ok { "ok" } else { "MISMATCH" }
        );
    }
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
