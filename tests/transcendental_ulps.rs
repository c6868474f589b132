//! The worst-case error of every transcendental `keras.activations`
//! function against its f64 CPU twin, forward and backward, over a dense
//! sweep: every 1000th f32 bit pattern in [-1e4, 1e4] (normal values and
//! ±0), the float neighbourhoods of the roots of the derivatives, and the
//! edges (±88.72, ±87.34, ±1e4, ±3e38, ±f32::MAX, ±inf). Prints a table; it
//! is the measurement behind docs/KERAS.md's accuracy table, not a check, so
//! it is ignored by default:
//!
//! ```text
//! cargo test --test transcendental_ulps -- --ignored --nocapture
//! ```
//!
//! `STEP=100` sweeps every 100th pattern instead; `ONLY=gelu` one function.
//! Backward runs with `dy = 1` (so `dx` is `f'(x)` itself) and with
//! `dy = -0.7109375` (a rounding product). Columns: the worst distance in
//! ulps and the input where it is. A derivative with a root (silu, mish,
//! gelu) is a sum of two terms that cancel near it: where their size
//! (`derivative_terms`) is over twice the result's, the error is measured
//! in `eps |dy| terms` instead ("cancel", the floor the tests allow there)
//! and not in ulps. Then, per function, how many inputs were more than 1, 2
//! and 3 ulps off (cancelling ones not counted).

#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{ctx, derivative_terms, is_flushed, ulps};
use serde_json::{json, Value};
use wgpu_activations::{Activation, GpuTensor, Layer};

/// The sweep's inputs.
fn sweep(step: u32) -> Vec<f32> {
    let top = 1e4f32.to_bits();
    let mut xs = vec![0.0, -0.0];
    let mut bits = f32::MIN_POSITIVE.to_bits();
    while bits <= top {
        let x = f32::from_bits(bits);
        xs.push(x);
        xs.push(-x);
        bits += step;
    }
    // Float neighbourhoods of the derivatives' roots (silu, mish, gelu and
    // its tanh form), of tanh's and tanh_shrink's switch at 0.55 and 2, of
    // the exponentials' overflow and underflow.
    for centre in [
        -1.278_464_5f32,
        -1.192_4,
        -0.751_791_5,
        -0.753_5,
        0.55,
        2.0,
        88.722_84,
        -87.336_55,
        -103.97,
        1.25,
        1.767_767,
    ] {
        let mut x = centre;
        for _ in 0..2000 {
            x = x.next_down();
        }
        for _ in 0..4000 {
            xs.push(x);
            xs.push(-x);
            x = x.next_up();
        }
    }
    xs.extend([
        f32::MAX,
        -f32::MAX,
        3e38,
        -3e38,
        f32::INFINITY,
        f32::NEG_INFINITY,
        88.722_84,
        88.722_83,
        -100.0,
        -1e4,
        1e4,
    ]);
    xs
}

/// Worst error of `got` against `want`, in ulps; for a derivative with a
/// root (`terms` given: the size of its two terms, `derivative_terms`),
/// where those terms cancel (their size is over twice the result's), in
/// units of `eps |dy| terms` instead ("cancelling").
#[derive(Default)]
struct Worst {
    ulps: u64,
    at: f32,
    cancelling: f64,
    at_cancelling: f32,
    bad_nan: usize,
    /// Inputs measured in ulps, and how many were more than 1, 2, 3 ulps off.
    count: usize,
    over: [usize; 3],
}

impl Worst {
    fn add(&mut self, x: f32, dy: f32, got: f32, want: f32, terms: Option<f64>) {
        if got.is_nan() || want.is_nan() {
            if got.is_nan() != want.is_nan() {
                self.bad_nan += 1;
            }
            return;
        }
        if is_flushed(got, want) {
            return;
        }
        if let Some(terms) = terms.filter(|t| *t > 2.0 * f64::from(want / dy).abs()) {
            let scale = f64::from(f32::EPSILON) * f64::from(dy).abs() * terms;
            let error = (f64::from(got) - f64::from(want)).abs() / scale;
            if error > self.cancelling {
                self.cancelling = error;
                self.at_cancelling = x;
            }
            return;
        }
        let u = if got.is_infinite() || want.is_infinite() {
            if got == want {
                0
            } else {
                u64::MAX
            }
        } else {
            ulps(got, want)
        };
        self.count += 1;
        for (n, over) in self.over.iter_mut().enumerate() {
            if u > n as u64 + 1 {
                *over += 1;
            }
        }
        if u > self.ulps {
            self.ulps = u;
            self.at = x;
        }
    }
}

fn measure(layer: &Activation, xs: &[f32], approximate: bool) -> (Worst, Worst, Worst) {
    let n = xs.len();
    let x = GpuTensor::from_slice(ctx(), &[n], xs).unwrap();
    let got = layer
        .forward(ctx(), &x)
        .unwrap()
        .to_vec_blocking(ctx())
        .unwrap();
    let want = layer.reference(&[n], xs).unwrap();
    let mut forward = Worst::default();
    for i in 0..n {
        forward.add(xs[i], 1.0, got[i], want[i], None);
    }
    let mut backward = [Worst::default(), Worst::default()];
    for (dy_value, worst) in [1.0f32, -0.710_937_5].into_iter().zip(&mut backward) {
        let dy = vec![dy_value; n];
        let g = GpuTensor::from_slice(ctx(), &[n], &dy).unwrap();
        let got = layer
            .backward(ctx(), &x, &g)
            .unwrap()
            .to_vec_blocking(ctx())
            .unwrap();
        let want = layer.reference_backward(&[n], xs, &dy).unwrap();
        for i in 0..n {
            let terms = derivative_terms(layer.name(), approximate, xs[i]);
            worst.add(xs[i], dy_value, got[i], want[i], terms);
        }
    }
    let [one, other] = backward;
    (forward, one, other)
}

#[test]
#[ignore = "a measurement: prints the table (see the module docs)"]
fn worst_ulps_against_the_f64_twins() {
    let step: u32 = std::env::var("STEP").map_or(1000, |s| s.parse().unwrap());
    let only = std::env::var("ONLY").ok();
    let xs = sweep(step);
    let functions: Vec<(&str, Value)> = vec![
        ("sigmoid", json!({})),
        ("tanh", json!({})),
        ("softplus", json!({})),
        ("log_sigmoid", json!({})),
        ("silu", json!({})),
        ("mish", json!({})),
        ("selu", json!({})),
        ("celu", json!({})),
        ("celu", json!({"alpha": 0.7})),
        ("celu", json!({"alpha": -1.5})),
        ("gelu", json!({})),
        ("gelu", json!({"approximate": true})),
        ("exponential", json!({})),
        ("tanh_shrink", json!({})),
    ];
    println!("{} inputs (every {step}th pattern)", xs.len());
    println!(
        "{:<28} {:>9} {:>14} | {:>9} {:>14} {:>9} | {:>9} {:>14} {:>9}",
        "function", "fwd ulps", "at", "bwd ulps", "at", "cancel", "bwd(-.71)", "at", "cancel"
    );
    let mut histograms = Vec::new();
    for (name, kwargs) in functions {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let Ok(layer) = Activation::with_kwargs(name, &kwargs) else {
            println!("{name}: not run yet");
            continue;
        };
        let approximate = kwargs["approximate"] == true;
        let (f, b, c) = measure(&layer, &xs, approximate);
        histograms.push(format!(
            "{:<28} forward {:?} backward {:?} {:?} of {}",
            format!("{name} {kwargs}"),
            f.over,
            b.over,
            c.over,
            f.count
        ));
        println!(
            "{:<28} {:>9} {:>14e} | {:>9} {:>14e} {:>9.2} | {:>9} {:>14e} {:>9.2}{}",
            format!("{name} {kwargs}"),
            f.ulps,
            f.at,
            b.ulps,
            b.at,
            b.cancelling,
            c.ulps,
            c.at,
            c.cancelling,
            if f.bad_nan + b.bad_nan + c.bad_nan > 0 {
                format!(
                    "  NaN mismatches: {} {} {}",
                    f.bad_nan, b.bad_nan, c.bad_nan
                )
            } else {
                String::new()
            }
        );
    }
    println!("inputs more than 1, 2, 3 ulps off:");
    for line in histograms {
        println!("{line}");
    }
}
