//! The benchmark: every layer at several sizes, beside the adapter's own
//! `copy_buffer_to_buffer` speed measured in the same run (the ceiling for a
//! memory-bound op) and the CPU reference's speed.
//!
//! `cargo run --release --example bench [-- --quick] [--out DIR] [--filter NAME]`
//!
//! Sizes: 1K, 64K, 1M, 16M and, where the adapter's `max_buffer_size` allows,
//! 64M elements (`--quick`: 1K and 64K).
//!
//! GB/s counts one read and one write of the tensor for every op (softmax
//! included), so every ratio compares with the same copy ceiling. "gpu" is
//! the GPU time between timestamps written before and after the work, where
//! the adapter has TIMESTAMP_QUERY; "submit+wait" is the host's time for
//! `forward_into` a reused output on GPU-resident tensors, submission and
//! wait included. GB/s and the ratio use "gpu" where it exists. All are
//! medians of repeated runs after warm-up; "round trip" adds the upload and
//! the readback. Results go to stdout, `DIR/bench.csv` and
//! `DIR/bench.svg` (default `target/bench`).

// Native only (blocking calls, threads, timers): on wasm the example is
// empty, so `cargo test --target wasm32-unknown-unknown` builds; examples/web
// is the browser's.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

mod svg;
mod timer;

use std::time::{Duration, Instant};

use wgpu_activations::{
    wgpu, DType, GpuContext, GpuTensor, Layer, LeakyReLU, PReLU, ReLU, Sequential, Softmax,
    ThresholdedReLU, ELU,
};

/// One measured row of the results.
struct Row {
    op: String,
    elements: usize,
    /// Bytes per element moved (4 for f32, 2 for f16).
    element_bytes: usize,
    /// GPU time from timestamps, where available.
    gpu: Option<Duration>,
    /// Host time of submit + wait.
    kernel: Duration,
    ceiling_gbps: f64,
    cpu: Option<Duration>,
    round_trip: Option<Duration>,
}

impl Row {
    /// The time GB/s is computed from: GPU time where measured.
    fn best(&self) -> Duration {
        self.gpu.unwrap_or(self.kernel)
    }

    fn gbps(&self, time: Duration) -> f64 {
        gbps(self.elements * self.element_bytes / 4, time)
    }
}

struct Options {
    quick: bool,
    out: std::path::PathBuf,
    /// Only ops whose name contains this (the copy ceiling always runs).
    filter: Option<String>,
}

impl Options {
    fn wants(&self, op: &str) -> bool {
        self.filter.as_ref().is_none_or(|f| op.contains(f.as_str()))
    }
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map_or_else(|| "target/bench".into(), Into::into);
    let filter = args
        .iter()
        .position(|a| a == "--filter")
        .and_then(|i| args.get(i + 1))
        .cloned();
    Options {
        filter,
        quick: args.iter().any(|a| a == "--quick"),
        out,
    }
}

fn wait(ctx: &GpuContext) {
    ctx.device()
        .poll(wgpu::PollType::wait_indefinitely())
        .expect("device poll");
}

/// Median time of `f` (which must finish its GPU work), after warm-up,
/// repeated until about `budget` has passed (at least 3, at most 50 runs).
fn median(budget: Duration, mut f: impl FnMut()) -> Duration {
    for _ in 0..2 {
        f();
    }
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 3 || (times.len() < 50 && start.elapsed() < budget) {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

fn data(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| ((i * 7919) % 2003) as f32 * 0.005 - 5.0)
        .collect()
}

/// Median of `samples` calls of `f`, each returning its own measurement.
fn median_of(budget: Duration, mut f: impl FnMut() -> Duration) -> Duration {
    let mut times = Vec::new();
    for _ in 0..2 {
        f();
    }
    let start = Instant::now();
    while times.len() < 3 || (times.len() < 50 && start.elapsed() < budget) {
        times.push(f());
    }
    times.sort();
    times[times.len() / 2]
}

/// `copy_buffer_to_buffer` of the tensor: (GPU time, submit + wait time).
fn copy_times(
    ctx: &GpuContext,
    timer: Option<&timer::GpuTimer>,
    x: &GpuTensor,
    out: &GpuTensor,
    budget: Duration,
) -> (Option<Duration>, Duration) {
    let bytes = x.byte_len();
    let copy = |encoder: &mut wgpu::CommandEncoder| {
        encoder.copy_buffer_to_buffer(x.buffer(), 0, out.buffer(), 0, bytes)
    };
    let gpu = timer.map(|t| median_of(budget, || t.time(ctx, copy)));
    let host = median(budget, || {
        let mut encoder = ctx.device().create_command_encoder(&Default::default());
        copy(&mut encoder);
        ctx.queue().submit([encoder.finish()]);
        wait(ctx);
    });
    (gpu, host)
}

fn main() -> wgpu_activations::Result<()> {
    let opts = options();
    let ctx = GpuContext::new_blocking()?;
    let info = ctx.adapter_info();
    println!(
        "adapter: {} ({:?}, {:?}), driver {} {}",
        info.name, info.backend, info.device_type, info.driver, info.driver_info
    );
    let budget = Duration::from_millis(if opts.quick { 50 } else { 800 });
    let timer = timer::GpuTimer::new(&ctx);
    println!(
        "kernel time: {}",
        if timer.is_some() {
            "GPU timestamps (column gpu), beside submit + wait"
        } else {
            "submit + wait (no TIMESTAMP_QUERY)"
        }
    );
    let mut sizes = if opts.quick {
        vec![1 << 10, 1 << 16]
    } else {
        vec![1 << 10, 1 << 16, 1 << 20, 1 << 24]
    };
    let max_elements = ctx.limits().max_buffer_size / 4;
    if !opts.quick && (1u64 << 26) <= max_elements {
        sizes.push(1 << 26);
    }

    // Empty submit + wait: the floor under every "kernel" time at small sizes.
    let overhead = median(budget, || {
        ctx.queue().submit([ctx
            .device()
            .create_command_encoder(&Default::default())
            .finish()]);
        wait(&ctx);
    });
    println!("empty submit + wait: {overhead:?}\n");

    let mut rows: Vec<Row> = Vec::new();
    for &n in &sizes {
        let host = data(n);
        let shape = [n / 64, 64];
        let x = GpuTensor::from_slice(&ctx, &shape, &host)?;
        let out = GpuTensor::from_slice(&ctx, &shape, &vec![0.0; n])?;
        let (copy_gpu, copy_host) = copy_times(&ctx, timer.as_ref(), &x, &out, budget);
        let ceiling = gbps(n, copy_gpu.unwrap_or(copy_host));
        let prelu = PReLU::new().with_shared_axes(&[]);
        prelu.build(&shape)?;
        prelu.set_alpha(&data(64).iter().map(|a| a * 0.1).collect::<Vec<_>>())?;
        let layers: Vec<(&str, Box<dyn Layer>)> = vec![
            ("ReLU", Box::new(ReLU::new(Some(6.0), 0.1, 0.5)?)),
            ("LeakyReLU", Box::new(LeakyReLU::new(0.3)?)),
            ("ELU", Box::new(ELU::new(1.0)?)),
            ("ThresholdedReLU", Box::new(ThresholdedReLU::new(1.0)?)),
            ("PReLU", Box::new(prelu)),
        ];
        rows.push(Row {
            op: "copy_buffer_to_buffer".into(),
            elements: n,
            element_bytes: 4,
            gpu: copy_gpu,
            kernel: copy_host,
            ceiling_gbps: ceiling,
            cpu: None,
            round_trip: None,
        });
        for (name, layer) in layers.iter().filter(|(name, _)| opts.wants(name)) {
            rows.push(measure(
                &ctx,
                timer.as_ref(),
                name,
                layer.as_ref(),
                &shape,
                &host,
                &x,
                &out,
                ceiling,
                budget,
                n <= 1 << 20,
            )?);
        }
        // The same layers on f16 storage: half the bytes per element.
        if ctx.supports_f16() {
            let x16 = GpuTensor::from_slice_as(&ctx, &shape, &host, DType::F16)?;
            let out16 = GpuTensor::from_slice_as(&ctx, &shape, &vec![0.0; n], DType::F16)?;
            for (name, layer) in layers.iter().filter(|(name, _)| opts.wants(name)) {
                rows.push(measure(
                    &ctx,
                    timer.as_ref(),
                    &format!("{name} f16"),
                    layer.as_ref(),
                    &shape,
                    &host,
                    &x16,
                    &out16,
                    ceiling,
                    budget,
                    false,
                )?);
            }
        }
        let chain = Sequential::new()
            .with(LeakyReLU::new(0.2)?)
            .with(ELU::new(1.0)?)
            .with(ReLU::new(Some(6.0), 0.0, 0.0)?)
            .with(ThresholdedReLU::new(0.1)?)
            .with(LeakyReLU::new(0.1)?)
            .with(ReLU::default());
        if opts.wants("Sequential") {
            let mut chain_row = measure(
                &ctx,
                timer.as_ref(),
                "Sequential(6 layers)",
                &chain,
                &shape,
                &host,
                &x,
                &out,
                ceiling,
                budget,
                false,
            )?;
            chain_row.elements *= 6; // six reads and writes of the tensor
            rows.push(chain_row);
        }
    }

    // Softmax at [rows x cols] with 16M elements (64K in --quick), axis -1 and 0.
    let total = if opts.quick { 1 << 16 } else { 1 << 24 };
    let host = data(total);
    for cols in [16usize, 256, 4096, 65536] {
        if cols > total || !opts.wants("Softmax") {
            continue;
        }
        let shape = [total / cols, cols];
        let x = GpuTensor::from_slice(&ctx, &shape, &host)?;
        let out = GpuTensor::from_slice(&ctx, &shape, &vec![0.0; total])?;
        let (copy_gpu, copy_host) = copy_times(&ctx, timer.as_ref(), &x, &out, budget);
        let ceiling = gbps(total, copy_gpu.unwrap_or(copy_host));
        for axis in [-1i64, 0] {
            let name = format!("Softmax[{}x{cols}] axis {axis}", total / cols);
            rows.push(measure(
                &ctx,
                timer.as_ref(),
                &name,
                &Softmax::new(axis),
                &shape,
                &host,
                &x,
                &out,
                ceiling,
                budget,
                total <= 1 << 20,
            )?);
        }
        if ctx.supports_f16() {
            let x16 = GpuTensor::from_slice_as(&ctx, &shape, &host, DType::F16)?;
            let out16 = GpuTensor::from_slice_as(&ctx, &shape, &vec![0.0; total], DType::F16)?;
            rows.push(measure(
                &ctx,
                timer.as_ref(),
                &format!("Softmax[{}x{cols}] axis -1 f16", total / cols),
                &Softmax::new(-1),
                &shape,
                &host,
                &x16,
                &out16,
                ceiling,
                budget,
                false,
            )?);
        }
    }

    print_table(&rows);
    std::fs::create_dir_all(&opts.out).expect("create the output folder");
    write_csv(&opts.out.join("bench.csv"), &rows, info);
    std::fs::write(opts.out.join("bench.svg"), svg::plot(&plot_series(&rows)))
        .expect("write bench.svg");
    println!(
        "\nwrote {0}/bench.csv and {0}/bench.svg",
        opts.out.display()
    );
    Ok(())
}

#[expect(
    clippy::too_many_arguments,
    reason = "one call per measured row; a struct would only rename them"
)]
fn measure(
    ctx: &GpuContext,
    timer: Option<&timer::GpuTimer>,
    name: &str,
    layer: &dyn Layer,
    shape: &[usize],
    host: &[f32],
    x: &GpuTensor,
    out: &GpuTensor,
    ceiling: f64,
    budget: Duration,
    with_cpu: bool,
) -> wgpu_activations::Result<Row> {
    layer.forward_into(ctx, x, out)?;
    let gpu = timer.map(|t| {
        median_of(budget, || {
            t.time(ctx, |encoder| {
                layer.encode(ctx, encoder, x, out).expect("encode")
            })
        })
    });
    let kernel = median(budget, || {
        layer.forward_into(ctx, x, out).expect("forward");
        wait(ctx);
    });
    let cpu = with_cpu.then(|| {
        let t = Instant::now();
        let y = layer.reference(shape, host).expect("reference");
        std::hint::black_box(y);
        t.elapsed()
    });
    let round_trip = median(budget, || {
        let x = GpuTensor::from_slice_as(ctx, shape, host, x.dtype()).expect("upload");
        let y = layer.forward(ctx, &x).expect("forward");
        std::hint::black_box(y.to_vec_blocking(ctx).expect("readback"));
    });
    // A figure for a wrong result is worse than none: the output timed above
    // must match the CPU reference (f32 rows; loosely, since only a wrong
    // kernel is being caught here, the tests hold the tolerances).
    if x.dtype() == DType::F32 {
        let got = out.to_vec_blocking(ctx)?;
        let want = layer.reference(shape, host)?;
        if let Some(i) = (0..want.len()).find(|&i| {
            let (g, w) = (got[i], want[i]);
            !(g.to_bits() == w.to_bits()
                || (g.is_nan() && w.is_nan())
                || (g - w).abs() <= 1e-5 * w.abs() + 1e-35)
        }) {
            panic!(
                "{name}: element {i} is {} on the GPU but {} on the CPU",
                got[i], want[i]
            );
        }
    }
    Ok(Row {
        op: name.to_string(),
        elements: host.len(),
        element_bytes: x.dtype().size() as usize,
        gpu,
        kernel,
        ceiling_gbps: ceiling,
        cpu,
        round_trip: Some(round_trip),
    })
}

/// GB/s for one read and one write of `elements` f32s in `time` (f16 rows
/// pass half as many f32-equivalents).
fn gbps(elements: usize, time: Duration) -> f64 {
    (2 * 4 * elements) as f64 / time.as_secs_f64() / 1e9
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<34} {:>10} {:>11} {:>12} {:>8} {:>8} {:>7} {:>9} {:>11}",
        "op",
        "elements",
        "gpu",
        "submit+wait",
        "GB/s",
        "ceiling",
        "% ceil",
        "CPU GB/s",
        "round trip"
    );
    for r in rows {
        let gbps = r.gbps(r.best());
        println!(
            "{:<34} {:>10} {:>11} {:>12.3?} {:>8.2} {:>8.2} {:>6.0}% {:>9} {:>11}",
            r.op,
            r.elements,
            r.gpu.map_or("-".into(), |t| format!("{t:.3?}")),
            r.kernel,
            gbps,
            r.ceiling_gbps,
            100.0 * gbps / r.ceiling_gbps,
            r.cpu.map_or("-".into(), |t| format!("{:.2}", r.gbps(t))),
            r.round_trip.map_or("-".into(), |t| format!("{t:.3?}")),
        );
    }
}

fn write_csv(path: &std::path::Path, rows: &[Row], info: &wgpu::AdapterInfo) {
    let mut csv = String::from("adapter,backend,op,elements,gpu_us,submit_wait_us,gbps,ceiling_gbps,percent_of_ceiling,cpu_gbps,round_trip_us\n");
    for r in rows {
        let gbps = r.gbps(r.best());
        csv += &format!(
            "{},{:?},{},{},{},{:.1},{:.3},{:.3},{:.1},{},{}\n",
            info.name.replace(',', " "),
            info.backend,
            r.op,
            r.elements,
            r.gpu
                .map_or(String::new(), |t| format!("{:.1}", t.as_secs_f64() * 1e6)),
            r.kernel.as_secs_f64() * 1e6,
            gbps,
            r.ceiling_gbps,
            100.0 * gbps / r.ceiling_gbps,
            r.cpu.map_or(String::new(), |t| format!("{:.3}", r.gbps(t))),
            r.round_trip
                .map_or(String::new(), |t| format!("{:.1}", t.as_secs_f64() * 1e6)),
        );
    }
    std::fs::write(path, csv).expect("write bench.csv");
}

/// GB/s against element count for the elementwise layers and the ceiling.
fn plot_series(rows: &[Row]) -> Vec<svg::Series> {
    let mut series: Vec<svg::Series> = Vec::new();
    for r in rows
        .iter()
        .filter(|r| !r.op.starts_with("Softmax") && !r.op.starts_with("Sequential"))
    {
        let point = ((r.elements as f64).log2(), r.gbps(r.best()));
        match series.iter_mut().find(|s| s.name == r.op) {
            Some(s) => s.points.push(point),
            None => series.push(svg::Series {
                name: r.op.clone(),
                points: vec![point],
                dashed: r.op == "copy_buffer_to_buffer",
            }),
        }
    }
    series
}
