//! BENCHMARKS.md's "Against the targets" table, computed from this run's
//! rows, so that it always quotes the kernels just timed (the copy in
//! BENCHMARKS.md kept softmax figures from before the 4-ulp kernels).
//!
//! Targets (the project's): elementwise layers at ≥ 50% of the copy ceiling;
//! softmax over 4096 columns at ≥ 35% along axis −1 and ≥ 25% along axis 0;
//! a 1K-element layer on a resident tensor under 100 µs; the six-layer chain
//! in one submission with no readback between.

use std::time::Duration;

use super::{Row, ELEMENTWISE};

const ELEMENTWISE_TARGET: f64 = 50.0;
const SOFTMAX_LAST_AXIS_TARGET: f64 = 35.0;
const SOFTMAX_FIRST_AXIS_TARGET: f64 = 25.0;
const SMALL_LAYER_LIMIT: Duration = Duration::from_micros(100);

/// The markdown table, from `rows` (f32 rows only are read) and the number
/// of submissions one `forward_into` of the six-layer chain took. Rows
/// absent from the run (e.g. under `--filter`) read "not run". The large
/// size is 16M where it ran (the size BENCHMARKS.md quotes), else the
/// largest elementwise size (`--quick`).
pub fn table(rows: &[Row], chain_submissions: Option<u64>) -> String {
    let f32_row = |op: &str, elements: usize| {
        rows.iter()
            .find(|r| r.op == op && r.elements == elements && r.element_bytes == 4)
    };
    let sizes: Vec<usize> = rows
        .iter()
        .filter(|r| ELEMENTWISE.contains(&r.op.as_str()) && r.element_bytes == 4)
        .map(|r| r.elements)
        .collect();
    let large = if sizes.contains(&(1 << 24)) {
        1 << 24
    } else {
        sizes.iter().copied().max().unwrap_or(0)
    };
    let mut out = format!(
        "### Against the targets ({} f32, ratios from this run)\n\n\
         | target | result | verdict |\n|---|---|---|\n",
        size_name(large)
    );

    // Elementwise, best first.
    let mut shares: Vec<(&str, f64)> = ELEMENTWISE
        .iter()
        .filter_map(|&op| f32_row(op, large).map(|r| (op, percent(r))))
        .collect();
    shares.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (result, verdict) = if shares.is_empty() {
        ("not run".into(), "-".into())
    } else {
        let result = shares
            .iter()
            .map(|(op, p)| format!("{op} {p:.0}%"))
            .collect::<Vec<_>>()
            .join(", ");
        (
            result,
            shortfall(shares.iter().map(|s| s.1), ELEMENTWISE_TARGET),
        )
    };
    out += &format!("| elementwise ≥ {ELEMENTWISE_TARGET:.0}% of copy | {result} | {verdict} |\n");

    // Softmax over 4096 columns, both axes.
    for (axis, axis_name, target) in [
        ("-1", "−1", SOFTMAX_LAST_AXIS_TARGET),
        ("0", "0", SOFTMAX_FIRST_AXIS_TARGET),
    ] {
        let row = rows.iter().find(|r| {
            r.element_bytes == 4
                && r.op.starts_with("Softmax[")
                && r.op.ends_with(&format!("x4096] axis {axis}"))
        });
        let (result, verdict) = match row {
            Some(r) => (
                format!("{}: {:.2} GB/s, {:.1}%", r.op, r.gbps(r.best()), percent(r)),
                shortfall([percent(r)].into_iter(), target),
            ),
            None => ("not run".into(), "-".into()),
        };
        out += &format!(
            "| softmax axis {axis_name}, 4096 columns ≥ {target:.0}% | {result} | {verdict} |\n"
        );
    }

    // A 1K-element layer on a resident tensor.
    let small: Vec<&Row> = ELEMENTWISE
        .iter()
        .filter_map(|op| f32_row(op, 1 << 10))
        .collect();
    let (result, verdict) = if small.is_empty() {
        ("not run".into(), "-".into())
    } else {
        let gpu: Vec<Duration> = small.iter().filter_map(|r| r.gpu).collect();
        let host: Vec<Duration> = small.iter().map(|r| r.kernel).collect();
        let mut result = Vec::new();
        if !gpu.is_empty() {
            result.push(format!("{} GPU", micros_range(&gpu)));
        }
        result.push(format!("{} submit + wait", micros_range(&host)));
        let worst = gpu.iter().chain(&host).max().copied().unwrap_or_default();
        let verdict = if worst < SMALL_LAYER_LIMIT {
            "met".into()
        } else {
            format!("missed: up to {:.0} µs", worst.as_secs_f64() * 1e6)
        };
        (result.join(", "), verdict)
    };
    out += &format!(
        "| 1K-element layer on a resident tensor < {} µs | {result} | {verdict} |\n",
        SMALL_LAYER_LIMIT.as_micros()
    );

    // The chain: one submission, and its time at the large size.
    let chain = f32_row("Sequential(6 layers)", 6 * large);
    let (result, verdict) = match chain_submissions {
        Some(n) => {
            let time = chain.map_or(String::new(), |r| {
                format!("; {:.1} ms at {}", millis(r.best()), size_name(large))
            });
            let plural = if n == 1 { "" } else { "s" };
            let verdict = if n == 1 { "met" } else { "missed" };
            (
                format!("{n} submission{plural} (`GpuContext::submissions`){time}"),
                verdict.to_string(),
            )
        }
        None => ("not run".into(), "-".into()),
    };
    out += &format!(
        "| six-layer chain: one submission, no readback between | {result} | {verdict} |\n"
    );
    out
}

/// The row's share of its copy ceiling, in percent.
fn percent(r: &Row) -> f64 {
    100.0 * r.gbps(r.best()) / r.ceiling_gbps
}

/// "met", or by how many points the shares below `target` miss it.
fn shortfall(shares: impl Iterator<Item = f64>, target: f64) -> String {
    let shares: Vec<f64> = shares.collect();
    let misses: Vec<f64> = shares
        .iter()
        .filter(|&&p| p < target)
        .map(|p| target - p)
        .collect();
    let (least, most) = misses
        .iter()
        .fold((f64::MAX, 0.0f64), |(a, b), &m| (a.min(m), b.max(m)));
    let by = if least.round() == most.round() {
        format!("{most:.0}")
    } else {
        format!("{least:.0} to {most:.0}")
    };
    match misses.len() {
        0 => "met".into(),
        n if n == shares.len() => format!("missed by {by} points"),
        n => format!(
            "{} of {} met; the rest missed by {by} points",
            shares.len() - n,
            shares.len()
        ),
    }
}

fn micros_range(times: &[Duration]) -> String {
    let us = |t: &Duration| t.as_secs_f64() * 1e6;
    let lo = times.iter().map(us).fold(f64::MAX, f64::min);
    let hi = times.iter().map(us).fold(0.0, f64::max);
    format!("{lo:.0}–{hi:.0} µs")
}

fn millis(t: Duration) -> f64 {
    t.as_secs_f64() * 1e3
}

/// 1024 → "1K", 1 << 24 → "16M".
fn size_name(n: usize) -> String {
    match n {
        _ if n >= 1 << 20 && n.is_multiple_of(1 << 20) => format!("{}M", n >> 20),
        _ if n >= 1 << 10 && n.is_multiple_of(1 << 10) => format!("{}K", n >> 10),
        _ => n.to_string(),
    }
}
