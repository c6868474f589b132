//! `keras.activations.log_softmax(x, axis=-1)`: per row along `axis` (an
//! int, or a tuple of axes), `(x - max) - ln(sum(exp(x - max)))`, within a
//! few ulps. On the row machinery: shaders/rows/log_softmax.wgsl and
//! log_softmax_grad.wgsl, with the softmax kernels' exp and math.wgsl's log.

use serde_json::{json, Value};

use crate::activations::function::KerasFunction;
use crate::activations::softmax::kernels::{row_kernel, REDUCTIONS};
use crate::context::GpuContext;
use crate::error::{Error, Result};
use crate::keras_json::fields::{ints_json, Fields};
use crate::kernels::spec::{
    Binding, BindingKind, Kernel, KernelSpec, LoopCost, Mapping, MATH, WORKGROUP_SIZE,
};
use crate::launch_rows::{row_params, Rows};
use crate::shape::{check_len, element_count, normalize_axes, rows};
use crate::tensor::GpuTensor;

/// log_softmax over a set of axes (Keras: an int, or a tuple).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LogSoftmax {
    axes: Vec<i64>,
}

/// Helpers both forward kernels share (after math.wgsl and reductions.wgsl).
const COMMON: &str = include_str!("../../../shaders/rows/log_softmax_common.wgsl");

/// Rows up to this long run one invocation each: a workgroup per short row
/// spends its time in barriers (lavapipe: 30x softmax's time on rows of
/// 64), and three passes over 1024 entries stay far inside llvmpipe's loop
/// budget.
const INVOCATION_MAX_ROW: u32 = 1024;

/// One workgroup per row: the max, the sum, the outputs.
const FORWARD: Kernel = Kernel(&KernelSpec {
    includes: &[MATH, REDUCTIONS, COMMON],
    // No mask: Keras's log_softmax takes none.
    bindings: &[],
    // partial_sums (rows.wgsl), reduce_max and reduce_count (reductions.wgsl).
    workgroup_memory: 12 * WORKGROUP_SIZE,
    ..row_kernel(
        "log_softmax",
        include_str!("../../../shaders/rows/log_softmax.wgsl"),
    )
});

/// One invocation per row, for short rows and rows over outer axes.
const FORWARD_INVOCATION: Kernel = Kernel(&KernelSpec {
    includes: &[MATH, COMMON],
    bindings: &[],
    mapping: Mapping::InvocationPerRow,
    cpu_workgroup_size: WORKGROUP_SIZE,
    loop_cost: LoopCost::WholeRowTwice,
    ..row_kernel(
        "log_softmax_invocation",
        include_str!("../../../shaders/rows/log_softmax_invocation.wgsl"),
    )
});

/// `dx` from `y` and `dy`, one workgroup per row.
const GRADIENT: Kernel = Kernel(&KernelSpec {
    bindings: &[Binding::new("upstream", 5, BindingKind::Storage)],
    // partial_sums (rows.wgsl).
    workgroup_memory: 4 * WORKGROUP_SIZE,
    ..row_kernel(
        "log_softmax_grad",
        include_str!("../../../shaders/rows/log_softmax_grad.wgsl"),
    )
});

/// `dx` from `y` and `dy`, one invocation per row.
const GRADIENT_INVOCATION: Kernel = Kernel(&KernelSpec {
    bindings: &[Binding::new("upstream", 5, BindingKind::Storage)],
    mapping: Mapping::InvocationPerRow,
    cpu_workgroup_size: WORKGROUP_SIZE,
    loop_cost: LoopCost::WholeRowTwice,
    ..row_kernel(
        "log_softmax_grad_invocation",
        include_str!("../../../shaders/rows/log_softmax_grad_invocation.wgsl"),
    )
});

impl KerasFunction for LogSoftmax {
    const NAME: &'static str = "log_softmax";
    const ARGUMENTS: &'static [&'static str] = &["axis"];

    /// `axis` an int or a list of ints (Keras's tuple; a Python list raises
    /// in Keras, which JSON cannot tell apart). `axis=None` is refused.
    fn from_kwargs(kwargs: &Fields<'_>) -> Result<Self> {
        match kwargs.int_or_list("axis")? {
            None => Ok(Self { axes: vec![-1] }),
            Some(Some(axes)) if !axes.is_empty() => Ok(Self { axes }),
            Some(None) => Err(Error::argument(
                "axis",
                "keras.activations.log_softmax with axis=None (every axis) is not supported; \
                 list the axes instead. Received: axis=None",
            )),
            Some(Some(_)) => Err(kwargs.wrong_type(
                "axis",
                "an integer or a non-empty list of integers",
                kwargs.get("axis").expect("present"),
            )),
        }
    }

    fn kwargs(&self) -> Value {
        match self.axes.as_slice() {
            [one] => json!({ "axis": one }),
            many => json!({ "axis": ints_json(many) }),
        }
    }
}

impl LogSoftmax {
    /// The axes for a tensor of `shape`, checked against its rank.
    fn axes(&self, shape: &[usize]) -> Result<Vec<usize>> {
        if shape.is_empty() {
            return Err(Error::Shape(
                "log_softmax needs an input of rank 1 or more; got a scalar".into(),
            ));
        }
        normalize_axes(&self.axes, shape.len())
    }

    /// The rows of `shape` as the row kernels take them, with the forward
    /// or backward kernel their length calls for: `(workgroup, invocation)`.
    fn rows(&self, shape: &[usize], kernels: (Kernel, Kernel)) -> Result<Rows<'static>> {
        let (params, _) = row_params(shape, &self.axes(shape)?, None)?;
        let kernel = if params.row_len <= INVOCATION_MAX_ROW {
            kernels.1
        } else {
            kernels.0
        };
        Ok(Rows {
            kernel,
            params,
            mask: None,
        })
    }
}

/// log_softmax of one row in f64: NaN for a row with NaN or `+inf` or
/// without a finite entry; `-inf` entries give `-inf`.
fn log_softmax_row(row: &[f64]) -> Vec<f64> {
    let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if row.iter().any(|v| v.is_nan() || *v == f64::INFINITY) || max == f64::NEG_INFINITY {
        return vec![f64::NAN; row.len()];
    }
    // ln(1 + rest), rest the sum over every entry but one at the max: a
    // tiny rest keeps its digits (ln of 1 + 1e-17 would be 0 in f64).
    let at_max = row.iter().position(|&v| v == max).expect("max is an entry");
    let rest: f64 = row
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != at_max)
        .map(|(_, v)| (v - max).exp())
        .sum();
    let lse = rest.ln_1p();
    // A zero is +0 whichever of ±0 is the max.
    row.iter().map(|v| (v - max) - lse + 0.0).collect()
}

impl crate::layer::Layer for LogSoftmax {
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
        self.rows(x.shape(), (FORWARD, FORWARD_INVOCATION))?
            .encode(ctx, encoder, x, out)
    }

    /// In f64 per row, rounded once.
    fn reference(&self, shape: &[usize], x: &[f32]) -> Result<Vec<f32>> {
        check_len(shape, x)?;
        let axes = self.axes(shape)?;
        let mut out = vec![0.0f32; element_count(shape)?];
        for members in rows(shape, &axes) {
            let row: Vec<f64> = members.iter().map(|&i| f64::from(x[i])).collect();
            for (&i, y) in members.iter().zip(log_softmax_row(&row)) {
                out[i] = y as f32;
            }
        }
        Ok(out)
    }

    fn backward_reads(&self) -> crate::layer::Saved {
        crate::layer::Saved::Output
    }

    fn encode_backward(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        y: &GpuTensor,
        dy: &GpuTensor,
        dx: &GpuTensor,
    ) -> Result<()> {
        self.rows(y.shape(), (GRADIENT, GRADIENT_INVOCATION))?
            .encode_gradient(ctx, encoder, y, dy, dx)
    }

    /// `dy - exp(y) sum(dy)` per row in f64; NaN where `y` is NaN.
    fn reference_backward(&self, shape: &[usize], y: &[f32], dy: &[f32]) -> Result<Vec<f32>> {
        check_len(shape, y)?;
        check_len(shape, dy)?;
        let axes = self.axes(shape)?;
        let mut dx = vec![0.0f32; element_count(shape)?];
        for members in rows(shape, &axes) {
            let total: f64 = members.iter().map(|&i| f64::from(dy[i])).sum();
            for &i in &members {
                dx[i] = (f64::from(dy[i]) - f64::from(y[i]).exp() * total) as f32;
            }
        }
        Ok(dx)
    }
}

impl crate::activations::Kernels for LogSoftmax {
    fn kernels() -> Vec<Kernel> {
        vec![FORWARD, FORWARD_INVOCATION, GRADIENT, GRADIENT_INVOCATION]
    }
}

#[cfg(test)]
mod tests {
    use super::log_softmax_row;

    /// Keras's special rows: huge entries, -inf, and the policy rows.
    #[test]
    fn rows_follow_keras() {
        assert_eq!(
            log_softmax_row(&[3e38, -3e38, 0.0]),
            vec![0.0, -6e38, -3e38]
        );
        let y = log_softmax_row(&[f64::NEG_INFINITY, 0.0, 0.0]);
        assert_eq!(y[0], f64::NEG_INFINITY);
        assert!((y[1] + 2f64.ln()).abs() < 1e-15);
        assert!(log_softmax_row(&[f64::INFINITY, 0.0])
            .iter()
            .all(|v| v.is_nan()));
        assert!(log_softmax_row(&[f64::NAN, 0.0]).iter().all(|v| v.is_nan()));
        assert!(log_softmax_row(&[f64::NEG_INFINITY; 2])
            .iter()
            .all(|v| v.is_nan()));
    }
}
