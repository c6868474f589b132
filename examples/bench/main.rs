//! The benchmark: every layer at several sizes, beside the adapter's own
//! `copy_buffer_to_buffer` speed measured in the same run (the ceiling for a
//! memory-bound op) and the CPU reference's speed.
//!
//! `cargo run --release --example bench [-- FLAGS]`; `-- --help` lists the
//! flags (options.rs): `--quick`, `--out DIR`, `--filter NAME`, `--targets`
//! (BENCHMARKS.md's "Against the targets" rows and the table itself),
//! `--sweep identity,vec4s,workgroup` with `--vec4s LIST` and
//! `--workgroup-sizes LIST` (the measurements behind "What limits them",
//! once made by editing src/; probe.rs).
//!
//! Sizes: 1K, 64K, 1M, 16M and, where the adapter's `max_buffer_size` allows,
//! 64M elements, f32 and f16; Softmax at 16M in four shapes (`--quick`: 1K
//! and 64K, Softmax at 64K).
//!
//! Before a configuration is timed, its output is checked against the CPU
//! reference within the documented bounds (check.rs); a mismatch stops the run
//! with the element, the values and the bound, and no figure is reported.
//!
//! GB/s counts one read and one write of the tensor for every op (softmax
//! included), so every ratio compares with the same copy ceiling. "gpu" is
//! the GPU time between timestamps written before and after the work, where
//! the adapter has TIMESTAMP_QUERY; "submit+wait" is the host's time for
//! `forward_into` a reused output on GPU-resident tensors, submission and
//! wait included. GB/s and the ratio use "gpu" where it exists. All are
//! medians of repeated runs after warm-up; "round trip" adds the upload and
//! the readback. Results go to stdout and DIR (default `target/bench`):
//! `bench.csv` and `bench.svg`, `targets.md` (and `targets.csv` under
//! `--targets`), `sweep.csv` under `--sweep`.

// Native only (blocking calls, threads, timers): on wasm the example is
// empty, so `cargo test --target wasm32-unknown-unknown` builds; examples/web
// is the browser's.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

mod check;
mod options;
mod probe;
mod svg;
mod targets;
mod timer;

use std::error::Error;
use std::time::{Duration, Instant};

use check::Tolerance;
use options::{Command, Options, Sweep};
use probe::Probe;
use wgpu_activations::half::f16;
use wgpu_activations::{
    internals::{self, vec4s_per_invocation},
    wgpu, Activation, DType, GpuContext, GpuTensor, Layer, LeakyReLU, PReLU, ReLU, Sequential,
    Softmax, ThresholdedReLU, ELU,
};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The elementwise layers of the main table, in its order.
const ELEMENTWISE: [&str; 5] = ["ReLU", "LeakyReLU", "ELU", "ThresholdedReLU", "PReLU"];

/// `keras.activations` functions left out of the main table: glu halves its
/// axis (the table's operands keep the shape), and sparsemax's bound is
/// absolute, not in ulps (tests/axis_functions.rs).
const NOT_IN_TABLE: [&str; 2] = ["glu", "sparsemax"];

/// LeakyReLU's slope in the main table and in the sweeps' probes, so a probe
/// at the library's settings times the same computation as the layer.
const LEAKY_SLOPE: f32 = 0.3;

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

/// What a row measures.
#[derive(Clone, Copy)]
enum Subject<'a> {
    /// A library layer, run as a user runs it.
    Layer(&'a dyn Layer),
    /// A kernel the bench launches itself with a knob set by hand (sweeps).
    Probe(&'a Probe),
}

impl Subject<'_> {
    fn encode(
        self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        out: &GpuTensor,
    ) -> Result<()> {
        match self {
            Subject::Layer(layer) => Ok(layer.encode(ctx, encoder, x, out)?),
            Subject::Probe(probe) => probe.encode(ctx, encoder, x, out),
        }
    }

    /// Submits the work and waits for it.
    fn run(self, ctx: &GpuContext, x: &GpuTensor, out: &GpuTensor) -> Result<()> {
        match self {
            Subject::Layer(layer) => {
                layer.forward_into(ctx, x, out)?;
                wait(ctx);
                Ok(())
            }
            Subject::Probe(probe) => probe.run(ctx, x, out),
        }
    }

    fn reference(self, shape: &[usize], x: &[f32]) -> Result<Vec<f32>> {
        match self {
            Subject::Layer(layer) => Ok(layer.reference(shape, x)?),
            Subject::Probe(probe) => probe.reference(shape, x),
        }
    }
}

/// An input on the GPU, the values it holds, and an output of its shape and type.
struct Operands {
    shape: Vec<usize>,
    x: GpuTensor,
    /// What `x` holds, widened to f32: the CPU reference's input (for f16,
    /// the f32 data as the upload rounded it).
    held: Vec<f32>,
    out: GpuTensor,
}

/// The device, the timer and the time each figure may take.
struct Bench {
    ctx: GpuContext,
    timer: Option<timer::GpuTimer>,
    budget: Duration,
}

fn main() {
    let opts = match options::parse(std::env::args().skip(1)) {
        Ok(Command::Run(opts)) => opts,
        Ok(Command::Help) => {
            print!("{}", options::USAGE);
            return;
        }
        Err(message) => {
            eprintln!("bench: {message}");
            std::process::exit(2);
        }
    };
    if let Err(error) = run(&opts) {
        eprintln!("\nbench: {error}");
        std::process::exit(1);
    }
}

fn run(opts: &Options) -> Result<()> {
    let ctx = GpuContext::new_blocking()?;
    let info = ctx.adapter_info().clone();
    println!(
        "adapter: {} ({:?}, {:?}), driver {} {}",
        info.name, info.backend, info.device_type, info.driver, info.driver_info
    );
    let timer = timer::GpuTimer::new(&ctx);
    println!(
        "kernel time: {}",
        if timer.is_some() {
            "GPU timestamps (column gpu), beside submit + wait"
        } else {
            "submit + wait (no TIMESTAMP_QUERY)"
        }
    );
    let bench = Bench {
        ctx,
        timer,
        budget: Duration::from_millis(if opts.quick { 50 } else { 800 }),
    };
    // Empty submit + wait: the floor under every "kernel" time at small sizes.
    let overhead = median(bench.budget, || {
        bench.ctx.queue().submit([bench
            .ctx
            .device()
            .create_command_encoder(&Default::default())
            .finish()]);
        wait(&bench.ctx);
    });
    println!("empty submit + wait: {overhead:?}");
    println!("(each configuration is checked against the CPU reference, then timed; progress on stderr)\n");
    std::fs::create_dir_all(&opts.out)?;

    if !opts.sweeps.is_empty() {
        let rows = bench.sweeps(opts)?;
        print_table(&rows);
        write_csv(&opts.out.join("sweep.csv"), &rows, &info)?;
        println!("\nwrote {}/sweep.csv", opts.out.display());
        return Ok(());
    }
    let (rows, chain_submissions) = bench.main_table(opts)?;
    print_table(&rows);
    let table = targets::table(&rows, chain_submissions);
    println!("\n{table}");
    std::fs::write(opts.out.join("targets.md"), &table)?;
    let written = if opts.targets {
        write_csv(&opts.out.join("targets.csv"), &rows, &info)?;
        "targets.csv and targets.md"
    } else {
        write_csv(&opts.out.join("bench.csv"), &rows, &info)?;
        std::fs::write(opts.out.join("bench.svg"), svg::plot(&plot_series(&rows)))?;
        "bench.csv, bench.svg and targets.md"
    };
    println!("wrote {written} in {}", opts.out.display());
    Ok(())
}

impl Bench {
    /// The main table (or, under `--targets`, the rows of the targets
    /// table), and the submissions one `forward_into` of the chain took.
    fn main_table(&self, opts: &Options) -> Result<(Vec<Row>, Option<u64>)> {
        let ctx = &self.ctx;
        // --targets: 1K and 16M f32, Softmax over 4096 columns only.
        let mut sizes = match (opts.quick, opts.targets) {
            (true, _) => vec![1 << 10, 1 << 16],
            (false, true) => vec![1 << 10, 1 << 24],
            (false, false) => vec![1 << 10, 1 << 16, 1 << 20, 1 << 24],
        };
        if !opts.quick && !opts.targets && (1u64 << 26) <= ctx.limits().max_buffer_size / 4 {
            sizes.push(1 << 26);
        }
        let with_f16 = ctx.supports_f16() && !opts.targets;
        let mut rows = Vec::new();
        let mut chain_submissions = None;
        for &n in &sizes {
            let host = data(n);
            let shape = [n / 64, 64];
            let (copy, ops) = self.copy_row(&shape, &host)?;
            let ceiling = copy.ceiling_gbps;
            rows.push(copy);
            let layers = elementwise_layers(&shape)?;
            let named = || {
                ELEMENTWISE
                    .iter()
                    .zip(&layers)
                    .filter(|(n, _)| opts.wants(n))
            };
            for (name, layer) in named() {
                rows.push(self.layer(name, layer.as_ref(), &ops, ceiling, n <= 1 << 20)?);
            }
            // Every keras.activations function (`Activation(name)`; threshold
            // needs its two arguments), over rows of 64 for those over an axis.
            let functions = Activation::names();
            let functions = functions
                .iter()
                .filter(|n| !NOT_IN_TABLE.contains(n) && opts.wants(n));
            for name in functions {
                let function =
                    Activation::new(name).or_else(|_| Activation::threshold(0.5, 0.0))?;
                rows.push(self.layer(name, &function, &ops, ceiling, n <= 1 << 20)?);
            }
            // The same layers on f16 storage: half the bytes per element.
            if with_f16 {
                let ops16 = self.operands(&shape, &host, DType::F16)?;
                // On f16 tensors the layers' arguments act rounded to f16
                // (as Keras casts them): the same layers built with the
                // rounded values give the CPU reference those outputs.
                let layers16 = elementwise_layers_as(&shape, |v| f16::from_f32(v).to_f32())?;
                for (name, layer) in ELEMENTWISE
                    .iter()
                    .zip(&layers16)
                    .filter(|(n, _)| opts.wants(n))
                {
                    let name = format!("{name} f16");
                    rows.push(self.layer(&name, layer.as_ref(), &ops16, ceiling, false)?);
                }
            }
            if opts.wants("Sequential") {
                let chain = Sequential::new()
                    .with(LeakyReLU::new(0.2)?)
                    .with(ELU::new(1.0)?)
                    .with(ReLU::new(Some(6.0), 0.0, 0.0)?)
                    .with(ThresholdedReLU::new(0.1)?)
                    .with(LeakyReLU::new(0.1)?)
                    .with(ReLU::default());
                let tolerance = Tolerance::loosest(chain.layers());
                let name = "Sequential(6 layers)";
                let mut row = self.measure(
                    name,
                    Subject::Layer(&chain),
                    tolerance,
                    &ops,
                    ceiling,
                    false,
                )?;
                row.elements *= 6; // six reads and writes of the tensor
                rows.push(row);
                // The chain's promise: one submission for six layers.
                let before = ctx.submissions();
                chain.forward_into(ctx, &ops.x, &ops.out)?;
                chain_submissions = Some(ctx.submissions() - before);
                wait(ctx);
            }
        }

        // Softmax at [rows x cols] with 16M elements (64K in --quick), axis -1 and 0.
        let total = if opts.quick { 1 << 16 } else { 1 << 24 };
        let columns: &[usize] = if opts.targets {
            &[4096]
        } else {
            &[16, 256, 4096, 65536]
        };
        let host = data(total);
        for &cols in columns {
            if cols > total || !opts.wants("Softmax") {
                continue;
            }
            let shape = [total / cols, cols];
            let (copy, ops) = self.copy_row(&shape, &host)?;
            let ceiling = copy.ceiling_gbps;
            for axis in [-1i64, 0] {
                let name = format!("Softmax[{}x{cols}] axis {axis}", total / cols);
                let softmax = Softmax::new(axis);
                let with_cpu = total <= 1 << 20;
                rows.push(self.layer(&name, &softmax, &ops, ceiling, with_cpu)?);
            }
            if with_f16 {
                let ops16 = self.operands(&shape, &host, DType::F16)?;
                let name = format!("Softmax[{}x{cols}] axis -1 f16", total / cols);
                let softmax = Softmax::new(-1);
                rows.push(self.layer(&name, &softmax, &ops16, ceiling, false)?);
            }
        }
        Ok((rows, chain_submissions))
    }

    /// The sweeps asked for, at 16M elements (64K with --quick): each
    /// probe's knob at every value given, beside the copy ceiling and the
    /// library's own layer at its own settings.
    fn sweeps(&self, opts: &Options) -> Result<Vec<Row>> {
        let ctx = &self.ctx;
        let n = if opts.quick { 1 << 16 } else { 1 << 24 };
        let host = data(n);
        let shape = [n / 64, 64];
        let (copy, ops) = self.copy_row(&shape, &host)?;
        let ceiling = copy.ceiling_gbps;
        let mut rows = vec![copy];
        // The library's choices on this adapter, which the probes vary.
        let wg = internals::workgroup_size(ctx, internals::kernels::LEAKY_RELU);
        let v = vec4s_per_invocation(ctx.adapter_info().device_type);
        let mut elementwise = |name: String, body: probe::Body, wg: u32, v: u32| -> Result<()> {
            // Sweeps share their point at the library's settings: time it once.
            if rows.iter().any(|r| r.op == name) {
                return Ok(());
            }
            let probe = Probe::elementwise(ctx, &shape, DType::F32, body, wg, v)?;
            let subject = Subject::Probe(&probe);
            rows.push(self.measure(&name, subject, check::EXACT, &ops, ceiling, false)?);
            Ok(())
        };
        let leaky = || probe::Body::LeakyRelu(LEAKY_SLOPE);
        // The library's own layers each sweep compares with.
        let mut library = vec!["LeakyReLU"];
        for sweep in &opts.sweeps {
            match sweep {
                Sweep::Identity => {
                    let identity = probe::Body::Identity;
                    elementwise(format!("identity (bench) wg{wg} v{v}"), identity, wg, v)?;
                    elementwise(format!("LeakyReLU (bench) wg{wg} v{v}"), leaky(), wg, v)?;
                    library.push("ThresholdedReLU");
                }
                Sweep::Vec4s => {
                    for &v in &opts.vec4s {
                        elementwise(format!("LeakyReLU (bench) wg{wg} v{v}"), leaky(), wg, v)?;
                    }
                }
                Sweep::Workgroup => {
                    for &wg in &opts.workgroup_sizes {
                        elementwise(format!("LeakyReLU (bench) wg{wg} v{v}"), leaky(), wg, v)?;
                    }
                    for &wg in &opts.workgroup_sizes {
                        let prelu = probe::Body::Prelu(alpha(64));
                        elementwise(format!("PReLU (bench) wg{wg} v{v}"), prelu, wg, v)?;
                    }
                    library.push("PReLU");
                }
            }
        }
        let layers = elementwise_layers(&shape)?;
        for (name, layer) in ELEMENTWISE.iter().zip(&layers) {
            if library.contains(name) {
                rows.push(self.layer(name, layer.as_ref(), &ops, ceiling, false)?);
            }
        }
        if opts.sweeps.contains(&Sweep::Workgroup) {
            // A workgroup per row over 4096 columns, the case BENCHMARKS.md swept.
            let cols = 4096;
            let shape = [n / cols, cols];
            let (copy, ops) = self.copy_row(&shape, &host)?;
            let ceiling = copy.ceiling_gbps;
            rows.push(copy);
            for &wg in &opts.workgroup_sizes {
                let probe = Probe::softmax_rows(ctx, n / cols, cols, DType::F32, wg)?;
                let name = format!("Softmax[{}x{cols}] axis -1 (bench) wg{wg}", n / cols);
                let subject = Subject::Probe(&probe);
                rows.push(self.measure(&name, subject, check::ROUNDED, &ops, ceiling, false)?);
            }
            let name = format!("Softmax[{}x{cols}] axis -1", n / cols);
            rows.push(self.layer(&name, &Softmax::new(-1), &ops, ceiling, false)?);
        }
        Ok(rows)
    }

    /// Uploads `host` as `dtype` and reads back what the tensor holds.
    fn operands(&self, shape: &[usize], host: &[f32], dtype: DType) -> Result<Operands> {
        let x = GpuTensor::from_slice_as(&self.ctx, shape, host, dtype)?;
        Ok(Operands {
            shape: shape.to_vec(),
            held: x.to_vec_blocking(&self.ctx)?,
            out: GpuTensor::from_slice_as(&self.ctx, shape, &vec![0.0; host.len()], dtype)?,
            x,
        })
    }

    /// f32 operands of `shape` and the `copy_buffer_to_buffer` row over
    /// them, whose GB/s is the ceiling for every op at that shape.
    fn copy_row(&self, shape: &[usize], host: &[f32]) -> Result<(Row, Operands)> {
        let ops = self.operands(shape, host, DType::F32)?;
        let bytes = ops.x.byte_len();
        let copy = |encoder: &mut wgpu::CommandEncoder| {
            encoder.copy_buffer_to_buffer(ops.x.buffer(), 0, ops.out.buffer(), 0, bytes)
        };
        let gpu = self
            .timer
            .as_ref()
            .map(|t| median_of(self.budget, || t.time(&self.ctx, copy)));
        let host_time = median(self.budget, || {
            let mut encoder = self
                .ctx
                .device()
                .create_command_encoder(&Default::default());
            copy(&mut encoder);
            self.ctx.queue().submit([encoder.finish()]);
            wait(&self.ctx);
        });
        let row = Row {
            op: "copy_buffer_to_buffer".into(),
            elements: host.len(),
            element_bytes: 4,
            gpu,
            kernel: host_time,
            ceiling_gbps: gbps(host.len(), gpu.unwrap_or(host_time)),
            cpu: None,
            round_trip: None,
        };
        Ok((row, ops))
    }

    /// [`Bench::measure`] of a library layer, within docs/ACCURACY.md's bound for it.
    fn layer(
        &self,
        name: &str,
        layer: &dyn Layer,
        ops: &Operands,
        ceiling: f64,
        with_cpu: bool,
    ) -> Result<Row> {
        let tolerance = Tolerance::of(layer);
        self.measure(
            name,
            Subject::Layer(layer),
            tolerance,
            ops,
            ceiling,
            with_cpu,
        )
    }

    /// Checks `subject`'s output on `ops` against the CPU reference, then
    /// times it. With `with_cpu`, the reference's own time is the CPU column.
    fn measure(
        &self,
        name: &str,
        subject: Subject,
        tolerance: Tolerance,
        ops: &Operands,
        ceiling: f64,
        with_cpu: bool,
    ) -> Result<Row> {
        let ctx = &self.ctx;
        let (x, out, dtype) = (&ops.x, &ops.out, ops.x.dtype());
        // First the check: a figure for a wrong result is worse than none.
        subject.run(ctx, x, out)?;
        let start = Instant::now();
        let want = subject.reference(&ops.shape, &ops.held)?;
        let cpu = with_cpu.then(|| start.elapsed());
        let what = format!("{name} on {:?} {dtype}", ops.shape);
        let passed = check::output(ctx, &what, out, &ops.held, &want, tolerance)?;
        eprintln!("checked {what}: {passed}; timing");
        drop(want);

        let gpu = self.timer.as_ref().map(|t| {
            median_of(self.budget, || {
                t.time(ctx, |encoder| {
                    subject.encode(ctx, encoder, x, out).expect("encode")
                })
            })
        });
        let kernel = median(self.budget, || subject.run(ctx, x, out).expect("run"));
        // Upload + forward + readback, for the library's layers.
        let round_trip = match subject {
            Subject::Layer(layer) => Some(median(self.budget, || {
                let x =
                    GpuTensor::from_slice_as(ctx, &ops.shape, &ops.held, dtype).expect("upload");
                let y = layer.forward(ctx, &x).expect("forward");
                std::hint::black_box(y.to_vec_blocking(ctx).expect("readback"));
            })),
            Subject::Probe(_) => None,
        };
        Ok(Row {
            op: name.to_string(),
            elements: ops.held.len(),
            element_bytes: dtype.size() as usize,
            gpu,
            kernel,
            ceiling_gbps: ceiling,
            cpu,
            round_trip,
        })
    }
}

/// The main table's elementwise layers, in [`ELEMENTWISE`]'s order, for
/// inputs of `shape` (`[rows, 64]`: PReLU's alpha has 64 channels).
fn elementwise_layers(shape: &[usize]) -> Result<[Box<dyn Layer>; 5]> {
    elementwise_layers_as(shape, |v| v)
}

/// [`elementwise_layers`] with each float argument passed through `round`.
fn elementwise_layers_as(
    shape: &[usize],
    round: impl Fn(f32) -> f32,
) -> Result<[Box<dyn Layer>; 5]> {
    let prelu = PReLU::new().with_shared_axes(&[]);
    prelu.build(shape)?;
    prelu.set_alpha(&alpha(64))?;
    Ok([
        Box::new(ReLU::new(Some(6.0), round(0.1), 0.5)?),
        Box::new(LeakyReLU::new(round(LEAKY_SLOPE))?),
        Box::new(ELU::new(1.0)?),
        Box::new(ThresholdedReLU::new(1.0)?),
        Box::new(prelu),
    ])
}

fn wait(ctx: &GpuContext) {
    ctx.device()
        .poll(wgpu::PollType::wait_indefinitely())
        .expect("device poll");
}

/// Median time of `f` (which must finish its GPU work), after warm-up,
/// repeated until about `budget` has passed (at least 3, at most 50 runs).
fn median(budget: Duration, mut f: impl FnMut()) -> Duration {
    median_of(budget, || {
        let t = Instant::now();
        f();
        t.elapsed()
    })
}

/// Median of the measurements `f` returns, after two warm-up calls,
/// repeated until about `budget` has passed (at least 3, at most 50 runs).
fn median_of(budget: Duration, mut f: impl FnMut() -> Duration) -> Duration {
    for _ in 0..2 {
        f();
    }
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 3 || (times.len() < 50 && start.elapsed() < budget) {
        times.push(f());
    }
    times.sort();
    times[times.len() / 2]
}

/// Inputs in [-5, 5): both sides of every layer's kinks, no overflow in f16.
fn data(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| ((i * 7919) % 2003) as f32 * 0.005 - 5.0)
        .collect()
}

/// PReLU's alpha: multiples of 1/256 in [-0.5, 0.5), exact in f16, so the
/// f16 rows' reference is the same layer (the kernel rounds alpha to f16,
/// as Keras casts it; tests/f16.rs checks that rounding).
fn alpha(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| ((i * 37) % 256) as f32 / 256.0 - 0.5)
        .collect()
}

/// GB/s for one read and one write of `elements` f32s in `time` (f16 rows
/// pass half as many f32-equivalents).
fn gbps(elements: usize, time: Duration) -> f64 {
    (2 * 4 * elements) as f64 / time.as_secs_f64() / 1e9
}

fn print_table(rows: &[Row]) {
    // As wide as BENCHMARKS.md's tables, wider for the sweeps' long names.
    let width = rows.iter().map(|r| r.op.len()).max().unwrap_or(0).max(34);
    println!(
        "{:<width$} {:>10} {:>11} {:>12} {:>8} {:>8} {:>7} {:>9} {:>11}",
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
            "{:<width$} {:>10} {:>11} {:>12.3?} {:>8.2} {:>8.2} {:>6.0}% {:>9} {:>11}",
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

fn write_csv(
    path: &std::path::Path,
    rows: &[Row],
    info: &wgpu::AdapterInfo,
) -> std::io::Result<()> {
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
    std::fs::write(path, csv)
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
