//! The bench's command line: the flags, their values, and the usage text
//! that `--help` prints (the module doc of main.rs says the same).

use std::path::PathBuf;

pub const USAGE: &str = "\
cargo run --release --example bench [-- FLAGS]

Every layer at 1K, 64K, 1M, 16M and (where max_buffer_size allows) 64M
elements, f32 and f16, then Softmax at 16M in four shapes, beside
copy_buffer_to_buffer of the same tensor (the ceiling). Each configuration's
output is checked against the CPU reference (README's bounds) before it is
timed; a mismatch stops the run before any figure is reported.

FLAGS
  --quick              1K and 64K elements (Softmax and sweeps at 64K), 50 ms
                       per figure instead of 800: a smoke test (CI runs it)
  --out DIR            where the CSV, SVG and tables go (default target/bench)
  --filter NAME        only ops whose name contains NAME (the copy ceiling
                       always runs)
  --targets            only the rows of BENCHMARKS.md's \"Against the targets\"
                       table (f32 layers at 1K and 16M, the six-layer chain,
                       Softmax[4096x4096] axis -1 and 0), and the table itself,
                       printed and written to DIR/targets.md
  --sweep KIND[,KIND]  instead of the main table, at 16M elements (64K with
                       --quick), kernels launched by the bench itself:
                         identity   LeakyReLU's kernel with `apply` replaced
                                    by the identity (a vec4 copy through the
                                    library's launch path), beside LeakyReLU
                                    and ThresholdedReLU as the library runs them
                         vec4s      LeakyReLU at each --vec4s value
                         workgroup  LeakyReLU, PReLU and Softmax[4096x4096]
                                    axis -1 (a workgroup per row) at each
                                    --workgroup-sizes value
                       Probe rows read e.g. \"LeakyReLU (bench) wg64 v4\":
                       64 invocations per workgroup, 4 vec4s per invocation;
                       unswept knobs keep the library's value on this adapter.
                       Rows go to DIR/sweep.csv.
  --vec4s LIST         vec4s per invocation for --sweep vec4s
                       (default 1,2,4,8,16)
  --workgroup-sizes LIST
                       invocations per workgroup for --sweep workgroup: powers
                       of two up to 256 (default 64,128,256)
  --help               this text

Outputs: DIR/bench.csv and DIR/bench.svg (main table), DIR/targets.csv and
DIR/targets.md (--targets; a full run writes targets.md too), DIR/sweep.csv
(--sweep).
";

/// A sweep of a knob the library fixes per adapter type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sweep {
    /// The identity kernel beside the library's cheapest layers.
    Identity,
    /// vec4s per invocation of an elementwise kernel.
    Vec4s,
    /// Invocations per workgroup.
    Workgroup,
}

pub struct Options {
    pub quick: bool,
    pub out: PathBuf,
    /// Only ops whose name contains this (the copy ceiling always runs).
    pub filter: Option<String>,
    /// Only the rows of the "Against the targets" table.
    pub targets: bool,
    /// Sweeps to run instead of the main table.
    pub sweeps: Vec<Sweep>,
    pub vec4s: Vec<u32>,
    pub workgroup_sizes: Vec<u32>,
}

impl Options {
    pub fn wants(&self, op: &str) -> bool {
        self.filter.as_ref().is_none_or(|f| op.contains(f.as_str()))
    }
}

/// What the command line asks for.
pub enum Command {
    Help,
    Run(Options),
}

/// Parses the flags after the program name. Unknown flags are errors: a
/// misspelt flag silently ignored would cost a whole full run.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut opts = Options {
        quick: false,
        out: "target/bench".into(),
        filter: None,
        targets: false,
        sweeps: Vec::new(),
        vec4s: vec![1, 2, 4, 8, 16],
        workgroup_sizes: vec![64, 128, 256],
    };
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{flag} needs a value (see --help)"))
        };
        match flag.as_str() {
            "--help" | "-h" => return Ok(Command::Help),
            "--quick" => opts.quick = true,
            "--targets" => opts.targets = true,
            "--out" => opts.out = value()?.into(),
            "--filter" => opts.filter = Some(value()?),
            "--sweep" => {
                for kind in value()?.split(',') {
                    opts.sweeps.push(match kind {
                        "identity" => Sweep::Identity,
                        "vec4s" => Sweep::Vec4s,
                        "workgroup" => Sweep::Workgroup,
                        _ => {
                            return Err(format!(
                                "--sweep {kind}: expected identity, vec4s or workgroup"
                            ))
                        }
                    });
                }
            }
            "--vec4s" => opts.vec4s = numbers(&flag, &value()?, |n| (1..=64).contains(&n))?,
            "--workgroup-sizes" => {
                // 256 sizes the kernels' workgroup arrays (MAX_WORKGROUP_SIZE
                // in shaders/common.wgsl); the softmax tree needs a power of two.
                opts.workgroup_sizes = numbers(&flag, &value()?, |n| {
                    n.is_power_of_two() && n <= wgpu_activations::internals::WORKGROUP_SIZE
                })?;
            }
            _ => return Err(format!("unknown argument {flag:?} (see --help)")),
        }
    }
    if opts.targets && !opts.sweeps.is_empty() {
        return Err("--targets and --sweep are separate runs; give one".into());
    }
    Ok(Command::Run(opts))
}

/// A comma-separated list of numbers that each pass `valid`.
fn numbers(flag: &str, list: &str, valid: impl Fn(u32) -> bool) -> Result<Vec<u32>, String> {
    list.split(',')
        .map(|s| match s.trim().parse::<u32>() {
            Ok(n) if valid(n) => Ok(n),
            _ => Err(format!(
                "{flag} {list}: {s:?} is not an allowed value (see --help)"
            )),
        })
        .collect()
}
