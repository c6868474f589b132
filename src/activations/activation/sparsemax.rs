//! `keras.activations.sparsemax(x, axis=-1)`, as Keras means it (Martins &
//! Astudillo): per row along `axis`, `max(x - tau, 0)` with `tau` such that
//! the outputs sum to 1. Keras 3.15.1 computes `tau` wrongly (it sums the
//! cumulative sums; upstream PR 23469 fixes it); this is the corrected
//! algorithm, the golden file's `output_upstream_fix`. On the row
//! machinery: shaders/rows/sparsemax.wgsl and sparsemax_grad.wgsl.

use serde_json::{json, Value};

use crate::activations::function::KerasFunction;
use crate::activations::softmax::kernels::{row_kernel, REDUCTIONS};
use crate::context::GpuContext;
use crate::error::{Error, Result};
use crate::keras_json::fields::Fields;
use crate::kernels::spec::{Binding, BindingKind, Kernel, KernelSpec, WORKGROUP_SIZE};
use crate::launch_rows::{row_params, Rows};
use crate::shape::{check_len, element_count, normalize_axes, rows};
use crate::tensor::GpuTensor;

/// Sparsemax over one axis (Keras takes an int only).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Sparsemax {
    axis: i64,
}

/// The threshold's rounds, shared by both kernels, after the workgroup max
/// and count they use.
const THRESHOLD: &[&str] = &[
    REDUCTIONS,
    include_str!("../../../shaders/rows/sparsemax_tau.wgsl"),
];

/// partial_sums (rows.wgsl), reduce_max and reduce_count (reductions.wgsl).
const WORKGROUP_MEMORY: u32 = 12 * WORKGROUP_SIZE;

/// One workgroup per row: Michelot's rounds, each a pass over the row.
const FORWARD: Kernel = Kernel(&KernelSpec {
    includes: THRESHOLD,
    // No mask: Keras's sparsemax takes none.
    bindings: &[],
    workgroup_memory: WORKGROUP_MEMORY,
    ..row_kernel(
        "sparsemax",
        include_str!("../../../shaders/rows/sparsemax.wgsl"),
    )
});

/// `dx` from `x` and `dy` (the threshold again), one workgroup per row.
const GRADIENT: Kernel = Kernel(&KernelSpec {
    includes: THRESHOLD,
    bindings: &[Binding::new("upstream", 5, BindingKind::Storage)],
    workgroup_memory: WORKGROUP_MEMORY,
    ..row_kernel(
        "sparsemax_grad",
        include_str!("../../../shaders/rows/sparsemax_grad.wgsl"),
    )
});

impl KerasFunction for Sparsemax {
    const NAME: &'static str = "sparsemax";
    const ARGUMENTS: &'static [&'static str] = &["axis"];

    /// `axis` an int (Keras's tuple and list raise there, and so do they here).
    fn from_kwargs(kwargs: &Fields<'_>) -> Result<Self> {
        Ok(Self {
            axis: kwargs.one_axis()?,
        })
    }

    fn kwargs(&self) -> Value {
        json!({ "axis": self.axis })
    }
}

impl Sparsemax {
    /// The axis for a tensor of `shape`, checked against its rank.
    fn axis(&self, shape: &[usize]) -> Result<usize> {
        if shape.is_empty() {
            return Err(Error::Shape(
                "sparsemax needs an input of rank 1 or more; got a scalar".into(),
            ));
        }
        Ok(normalize_axes(&[self.axis], shape.len())?[0])
    }

    /// The rows of `shape` as the row kernels take them.
    fn rows(&self, shape: &[usize], kernel: Kernel) -> Result<Rows<'static>> {
        let (params, _) = row_params(shape, &[self.axis(shape)?], None)?;
        Ok(Rows {
            kernel,
            params,
            mask: None,
        })
    }
}

/// A row's threshold in f64 (`None` for a NaN row: one with `+inf`, or
/// without a finite entry): its max, `tau` relative to the max, and the
/// support's size. Sorted descending, the support is the longest prefix with
/// `1 + k z_k > z_1 + ... + z_k`, and `tau = (that sum - 1) / k`; NaN
/// entries are left out.
fn threshold(row: &[f64]) -> Option<(f64, f64, usize)> {
    let finite: Vec<f64> = row.iter().copied().filter(|v| !v.is_nan()).collect();
    if finite.contains(&f64::INFINITY) || finite.iter().all(|&v| v == f64::NEG_INFINITY) {
        return None;
    }
    let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // Relative to the max, as the kernel takes them.
    let mut z: Vec<f64> = finite.iter().map(|v| v - max).collect();
    z.sort_by(|a, b| b.total_cmp(a));
    let (mut sum, mut tau, mut size) = (0.0, 0.0, 0);
    for (k, &zk) in z.iter().enumerate() {
        let count = (k + 1) as f64;
        if zk == f64::NEG_INFINITY || 1.0 + count * zk <= sum + zk {
            break;
        }
        sum += zk;
        tau = (sum - 1.0) / count;
        size = k + 1;
    }
    Some((max, tau, size))
}

/// Sparsemax of one row in f64: `max(x - tau, 0)`; NaN entries give NaN,
/// a NaN row ([`threshold`]) is NaN.
fn sparsemax_row(row: &[f64]) -> Vec<f64> {
    match threshold(row) {
        None => vec![f64::NAN; row.len()],
        Some((max, tau, _)) => row
            .iter()
            .map(|&v| {
                if v.is_nan() {
                    v
                } else {
                    (v - max - tau).max(0.0)
                }
            })
            .collect(),
    }
}

impl crate::layer::Layer for Sparsemax {
    fn class_name(&self) -> &'static str {
        "Activation"
    }

    fn encode(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        out: &GpuTensor,
    ) -> Result<()> {
        self.rows(x.shape(), FORWARD)?.encode(ctx, encoder, x, out)
    }

    /// In f64 per row, rounded once.
    fn reference(&self, shape: &[usize], x: &[f32]) -> Result<Vec<f32>> {
        check_len(shape, x)?;
        let axis = self.axis(shape)?;
        let mut out = vec![0.0f32; element_count(shape)?];
        for members in rows(shape, &[axis]) {
            let row: Vec<f64> = members.iter().map(|&i| f64::from(x[i])).collect();
            for (&i, y) in members.iter().zip(sparsemax_row(&row)) {
                out[i] = y as f32;
            }
        }
        Ok(out)
    }

    fn encode_backward(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        y: &GpuTensor,
        dy: &GpuTensor,
        dx: &GpuTensor,
    ) -> Result<()> {
        self.rows(y.shape(), GRADIENT)?
            .encode_gradient(ctx, encoder, y, dy, dx)
    }

    /// JAX's derivative of the corrected algorithm, in f64: with `g` 1 on
    /// the support, ½ at an entry exactly at `tau` (`max` splits the tie)
    /// and 0 below, `dx = g dy - [on the support] sum(g dy) / size`; NaN
    /// where `x` is NaN and over a NaN row.
    fn reference_backward(&self, shape: &[usize], x: &[f32], dy: &[f32]) -> Result<Vec<f32>> {
        check_len(shape, x)?;
        check_len(shape, dy)?;
        let axis = self.axis(shape)?;
        let mut dx = vec![0.0f32; element_count(shape)?];
        for members in rows(shape, &[axis]) {
            let row: Vec<f64> = members.iter().map(|&i| f64::from(x[i])).collect();
            let Some((max, tau, size)) = threshold(&row) else {
                members.iter().for_each(|&i| dx[i] = f32::NAN);
                continue;
            };
            let share = |v: f64| {
                let d = v - max;
                if d > tau {
                    1.0
                } else if d == tau {
                    0.5
                } else {
                    0.0
                }
            };
            let sum: f64 = members
                .iter()
                .map(|&i| share(f64::from(x[i])) * f64::from(dy[i]))
                .filter(|term| *term != 0.0)
                .sum();
            let mean = sum / size as f64;
            for &i in &members {
                let v = f64::from(x[i]);
                dx[i] = if v.is_nan() {
                    f32::NAN
                } else if v - max > tau {
                    (f64::from(dy[i]) - mean) as f32
                } else {
                    (share(v) * f64::from(dy[i])) as f32
                };
            }
        }
        Ok(dx)
    }
}

impl crate::activations::Kernels for Sparsemax {
    fn kernels() -> Vec<Kernel> {
        vec![FORWARD, GRADIENT]
    }
}

#[cfg(test)]
mod tests {
    use super::sparsemax_row;

    /// Rows Keras gets wrong or leaves at +inf, and the policy rows.
    #[test]
    fn rows_follow_the_corrected_algorithm_and_the_policy() {
        assert_eq!(sparsemax_row(&[0.0, 0.5, 1.0]), vec![0.0, 0.25, 0.75]);
        assert_eq!(sparsemax_row(&[3e38, -3e38, 0.0]), vec![1.0, 0.0, 0.0]);
        assert_eq!(
            sparsemax_row(&[f64::NEG_INFINITY, 0.0, 1.0]),
            vec![0.0, 0.0, 1.0]
        );
        let nan = sparsemax_row(&[f64::NAN, 0.0, 1.0]);
        assert!(nan[0].is_nan() && nan[1..] == [0.0, 1.0]);
        assert!(sparsemax_row(&[f64::INFINITY, 0.0])
            .iter()
            .all(|v| v.is_nan()));
        assert!(sparsemax_row(&[f64::NEG_INFINITY; 2])
            .iter()
            .all(|v| v.is_nan()));
    }
}
