//! `keras.activations.glu(x, axis=-1)`: the axis split in two halves `a`
//! and `b` (a first), the output `a * sigmoid(b)`, whose axis is half as
//! long; an odd axis is an error naming it. On the row machinery, a row
//! being the split axis: shaders/rows/glu.wgsl and glu_grad.wgsl, with
//! math.wgsl's sigmoid.

use serde_json::{json, Value};

use crate::activations::function::KerasFunction;
use crate::activations::softmax::kernels::row_kernel;
use crate::context::GpuContext;
use crate::error::{Error, Result};
use crate::keras_json::fields::Fields;
use crate::kernels::spec::{
    Binding, BindingKind, Kernel, KernelSpec, LoopCost, Mapping, MATH, WORKGROUP_SIZE,
};
use crate::launch_rows::{dispatch_rows, row_params};
use crate::shape::{check_len, element_count, normalize_axes};
use crate::tensor::GpuTensor;

/// GLU over one axis (Keras takes an int).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Glu {
    axis: i64,
}

/// `output_offset`, shared by both kernels (after math.wgsl).
const OFFSETS: &str = include_str!("../../../shaders/rows/glu_offsets.wgsl");

/// One invocation per row (the split axis), as softmax's for outer axes.
const FORWARD: Kernel = Kernel(&KernelSpec {
    includes: &[MATH, OFFSETS],
    // No mask: Keras's glu takes none.
    bindings: &[],
    mapping: Mapping::InvocationPerRow,
    cpu_workgroup_size: WORKGROUP_SIZE,
    loop_cost: LoopCost::WholeRowTwice,
    ..row_kernel("glu", include_str!("../../../shaders/rows/glu.wgsl"))
});

/// `dx` (the input's shape) from `x` and `dy` (the output's), mapped as
/// the forward kernel.
const GRADIENT: Kernel = Kernel(&KernelSpec {
    includes: &[MATH, OFFSETS],
    bindings: &[Binding::new("upstream", 5, BindingKind::Storage)],
    mapping: Mapping::InvocationPerRow,
    cpu_workgroup_size: WORKGROUP_SIZE,
    loop_cost: LoopCost::WholeRowTwice,
    ..row_kernel(
        "glu_grad",
        include_str!("../../../shaders/rows/glu_grad.wgsl"),
    )
});

impl KerasFunction for Glu {
    const NAME: &'static str = "glu";
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

impl Glu {
    /// The split axis of `shape`, checked: in range and even.
    fn axis(&self, shape: &[usize]) -> Result<usize> {
        if shape.is_empty() {
            return Err(Error::Shape(
                "glu needs an input of rank 1 or more; got a scalar".into(),
            ));
        }
        let axis = normalize_axes(&[self.axis], shape.len())?[0];
        if !shape[axis].is_multiple_of(2) {
            return Err(Error::Shape(format!(
                "glu splits axis {} of shape {shape:?} in two halves, but its size {} is odd \
                 (Keras: axis size must be divisible by 2)",
                self.axis, shape[axis]
            )));
        }
        Ok(axis)
    }

    /// Every `(a, b, out)` offset triple of `shape`: input offsets of the
    /// two halves' entries and the output offset they give.
    fn pairs(&self, shape: &[usize]) -> Result<Vec<(usize, usize, usize)>> {
        let axis = self.axis(shape)?;
        let inner: usize = shape[axis + 1..].iter().product();
        let half = shape[axis] / 2;
        let outer = element_count(shape)? / (2 * half * inner).max(1);
        let mut pairs = Vec::with_capacity(outer * half * inner);
        for p in 0..outer {
            for k in 0..half {
                for q in 0..inner {
                    let a = (p * 2 * half + k) * inner + q;
                    pairs.push((a, a + half * inner, (p * half + k) * inner + q));
                }
            }
        }
        Ok(pairs)
    }

    /// Records `kernel` over the rows of `x`'s shape with `tensors` bound.
    fn dispatch(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        kernel: Kernel,
        shape: &[usize],
        tensors: &[(&'static str, &GpuTensor)],
    ) -> Result<()> {
        let (params, _) = row_params(shape, &[self.axis(shape)?], None)?;
        dispatch_rows(ctx, encoder, kernel, params, None, tensors, &[])
    }
}

/// `sigmoid(b)` in f64.
fn sigmoid(b: f64) -> f64 {
    if b >= 0.0 {
        1.0 / (1.0 + (-b).exp())
    } else {
        let e = b.exp();
        e / (1.0 + e)
    }
}

impl crate::layer::Layer for Glu {
    fn class_name(&self) -> &'static str {
        "Activation"
    }

    /// The input's shape with the split axis halved.
    fn output_shape(&self, shape: &[usize]) -> Result<Vec<usize>> {
        let axis = self.axis(shape)?;
        let mut out = shape.to_vec();
        out[axis] /= 2;
        Ok(out)
    }

    fn encode(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        out: &GpuTensor,
    ) -> Result<()> {
        x.check_context(ctx)?;
        out.check_context(ctx)?;
        x.check_output_shape(out, &self.output_shape(x.shape())?)?;
        let tensors = [("input", x), ("output", out)];
        self.dispatch(ctx, encoder, FORWARD, x.shape(), &tensors)
    }

    /// `a * sigmoid(b)` in f64, rounded once (IEEE: `inf * 0` is NaN, and
    /// an infinite `a` stays infinite beside any finite `b`).
    fn reference(&self, shape: &[usize], x: &[f32]) -> Result<Vec<f32>> {
        check_len(shape, x)?;
        let mut out = vec![0.0f32; x.len() / 2];
        for (a, b, o) in self.pairs(shape)? {
            let (va, vb) = (f64::from(x[a]), f64::from(x[b]));
            // sigmoid(b) > 0 for every finite b, however far f64 underflows it.
            out[o] = if va.is_infinite() && vb.is_finite() {
                x[a]
            } else {
                (va * sigmoid(vb)) as f32
            };
        }
        Ok(out)
    }

    fn encode_backward(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        dy: &GpuTensor,
        dx: &GpuTensor,
    ) -> Result<()> {
        for tensor in [x, dy, dx] {
            tensor.check_context(ctx)?;
        }
        x.check_output_shape(dy, &self.output_shape(x.shape())?)?;
        x.check_output(dx)?;
        if dy.shares_buffer(dx) {
            return Err(Error::SameTensor(
                "dx must be a different tensor from dy (dy is read while dx is written)".into(),
            ));
        }
        let tensors = [("input", x), ("output", dx), ("upstream", dy)];
        self.dispatch(ctx, encoder, GRADIENT, x.shape(), &tensors)
    }

    /// `da = dy sigmoid(b)`, `db = dy a sigmoid(b) sigmoid(-b)` in f64;
    /// both NaN where either entry is (JAX keeps `da` finite for a NaN `a`).
    fn reference_backward(&self, shape: &[usize], x: &[f32], dy: &[f32]) -> Result<Vec<f32>> {
        check_len(shape, x)?;
        check_len(&self.output_shape(shape)?, dy)?;
        let mut dx = vec![0.0f32; x.len()];
        for (a, b, o) in self.pairs(shape)? {
            let (va, vb, g) = (f64::from(x[a]), f64::from(x[b]), f64::from(dy[o]));
            let s = sigmoid(vb);
            if va.is_nan() || vb.is_nan() {
                dx[a] = f32::NAN;
                dx[b] = f32::NAN;
            } else {
                dx[a] = (g * s) as f32;
                // sigmoid'(b) > 0 for every finite b (IEEE: 0 * inf is NaN).
                dx[b] = if va.is_infinite() && vb.is_finite() {
                    (g * va) as f32
                } else {
                    (g * s * sigmoid(-vb) * va) as f32
                };
            }
        }
        Ok(dx)
    }
}

impl crate::activations::Kernels for Glu {
    fn kernels() -> Vec<Kernel> {
        vec![FORWARD, GRADIENT]
    }
}
