//! Running layers one after another: recorded into one command buffer (so
//! a chain costs one submission and one readback), on the CPU, and
//! backward. [`crate::Sequential`] is the chain type; these functions take
//! its layers as trait objects.

use crate::context::GpuContext;
use crate::error::Result;
use crate::layer::{Layer, Saved};
use crate::tensor::GpuTensor;

/// The shape each layer of `layers` gives, from the input's `shape` on:
/// `shapes[i]` is layer `i`'s input, the last the chain's output.
pub(crate) fn chain_shapes(layers: &[&dyn Layer], shape: &[usize]) -> Result<Vec<Vec<usize>>> {
    let mut shapes = vec![shape.to_vec()];
    for layer in layers {
        let next = layer.output_shape(shapes.last().expect("starts with shape"))?;
        shapes.push(next);
    }
    Ok(shapes)
}

/// Records `layers` applied in order to `x` into `out` (of the chain's
/// output shape): the first writes `out` where the shapes allow, later ones
/// run in place when they can. `mask` reaches every layer through
/// [`Layer::encode_masked`] (only Softmax reads it; Keras's activation
/// layers all pass a mask through).
pub(crate) fn encode_chain(
    ctx: &GpuContext,
    encoder: &mut wgpu::CommandEncoder,
    layers: &[&dyn Layer],
    x: &GpuTensor,
    mask: Option<&GpuTensor>,
    out: &GpuTensor,
) -> Result<()> {
    let shapes = chain_shapes(layers, x.shape())?;
    x.check_output_shape(out, shapes.last().expect("starts with x's shape"))?;
    // The layers check their tensors' context; an empty chain copies
    // directly, and wgpu panics on another device's buffer.
    x.check_context(ctx)?;
    out.check_context(ctx)?;
    if layers.is_empty() {
        GpuTensor::record_copy(encoder, x, out);
        return Ok(());
    }
    // `current` holds the chain's value so far: `out` where its shape is
    // the chain's output shape, else a scratch tensor.
    let mut current = x.clone();
    let mut work = 0;
    for (i, layer) in layers.iter().enumerate() {
        if i > 0 {
            ctx.split_gl_submission(encoder, &mut work, x.len());
        }
        // The in-place layers are the elementwise ones, which ignore masks
        // and keep the shape.
        if i > 0 && layer.supports_in_place() {
            layer.encode_in_place(ctx, encoder, &current)?;
            continue;
        }
        let shape = &shapes[i + 1];
        let next = if !current.same_view(out) && shape == out.shape() {
            out.clone()
        } else {
            GpuTensor::uninit(ctx, shape, x.dtype())?
        };
        layer.encode_masked(ctx, encoder, &current, mask, &next)?;
        current = next;
    }
    if !current.same_view(out) {
        GpuTensor::record_copy(encoder, &current, out);
    }
    Ok(())
}

/// The CPU reference of [`encode_chain`].
pub(crate) fn reference_chain(
    layers: &[&dyn Layer],
    shape: &[usize],
    x: &[f32],
    mask: Option<(&[usize], &[f32])>,
) -> Result<Vec<f32>> {
    crate::shape::check_len(shape, x)?;
    let shapes = chain_shapes(layers, shape)?;
    layers
        .iter()
        .zip(&shapes)
        .try_fold(x.to_vec(), |value, (layer, shape)| {
            layer.reference_masked(shape, &value, mask)
        })
}

/// Recomputes the chain's forward pass from `x`, keeping every layer's
/// input, then runs the layers' backward passes in reverse; all in `encoder`.
pub(crate) fn encode_chain_backward(
    ctx: &GpuContext,
    encoder: &mut wgpu::CommandEncoder,
    layers: &[&dyn Layer],
    x: &GpuTensor,
    dy: &GpuTensor,
    dx: &GpuTensor,
) -> Result<()> {
    x.check_output(dx)?;
    for tensor in [x, dy, dx] {
        tensor.check_context(ctx)?;
    }
    let shapes = chain_shapes(layers, x.shape())?;
    x.check_output_shape(dy, shapes.last().expect("starts with x's shape"))?;
    let mut work = 0;
    let mut values = vec![x.clone()];
    for (layer, shape) in layers.iter().zip(&shapes[1..]) {
        ctx.split_gl_submission(encoder, &mut work, x.len());
        let out = GpuTensor::uninit(ctx, shape, x.dtype())?;
        layer.encode(ctx, encoder, values.last().expect("starts with x"), &out)?;
        values.push(out);
    }
    let mut upstream = dy.clone();
    for (i, layer) in layers.iter().enumerate().rev() {
        let saved = match layer.backward_reads() {
            Saved::Input => &values[i],
            Saved::Output => &values[i + 1],
        };
        let target = if i == 0 {
            dx.clone()
        } else {
            GpuTensor::uninit(ctx, &shapes[i], x.dtype())?
        };
        ctx.split_gl_submission(encoder, &mut work, x.len());
        layer.encode_backward(ctx, encoder, saved, &upstream, &target)?;
        upstream = target;
    }
    if layers.is_empty() {
        x.check_same_shape("dy", dy)?;
        GpuTensor::record_copy(encoder, dy, dx);
    }
    Ok(())
}

/// The CPU reference of [`encode_chain_backward`].
pub(crate) fn reference_chain_backward(
    layers: &[&dyn Layer],
    shape: &[usize],
    x: &[f32],
    dy: &[f32],
) -> Result<Vec<f32>> {
    let shapes = chain_shapes(layers, shape)?;
    let mut values = vec![x.to_vec()];
    for (layer, shape) in layers.iter().zip(&shapes) {
        let next = layer.reference(shape, values.last().expect("starts with x"))?;
        values.push(next);
    }
    let mut upstream = dy.to_vec();
    for (i, layer) in layers.iter().enumerate().rev() {
        let saved = match layer.backward_reads() {
            Saved::Input => &values[i],
            Saved::Output => &values[i + 1],
        };
        upstream = layer.reference_backward(&shapes[i], saved, &upstream)?;
    }
    Ok(upstream)
}
