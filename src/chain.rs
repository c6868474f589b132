//! Running layers one after another: recorded into one command buffer (so
//! a chain costs one submission and one readback), on the CPU, and
//! backward. [`crate::Sequential`] is the chain type; these functions take
//! its layers as trait objects.

use crate::context::GpuContext;
use crate::error::Result;
use crate::layer::{Layer, Saved};
use crate::tensor::GpuTensor;

/// Records `layers` applied in order to `x` into `out`: the first writes
/// `out`, later ones run in place on it when they can. `mask` reaches every
/// layer through [`Layer::encode_masked`] (only Softmax reads it; Keras's
/// activation layers all pass a mask through).
pub(crate) fn encode_chain(
    ctx: &GpuContext,
    encoder: &mut wgpu::CommandEncoder,
    layers: &[&dyn Layer],
    x: &GpuTensor,
    mask: Option<&GpuTensor>,
    out: &GpuTensor,
) -> Result<()> {
    x.check_output(out)?;
    // The layers check their tensors' context; an empty chain copies
    // directly, and wgpu panics on another device's buffer.
    x.check_context(ctx)?;
    out.check_context(ctx)?;
    let Some((first, rest)) = layers.split_first() else {
        encoder.copy_buffer_to_buffer(x.buffer(), 0, out.buffer(), 0, out.buffer().size());
        return Ok(());
    };
    first.encode_masked(ctx, encoder, x, mask, out)?;
    let mut work = 0;
    // `current` holds the chain's value so far; it is `out` unless a layer
    // that cannot run in place moved it to a scratch tensor.
    let mut current = out.clone();
    for layer in rest {
        ctx.split_gl_submission(encoder, &mut work, x.len());
        // The in-place layers are the elementwise ones, which ignore masks.
        if layer.supports_in_place() {
            layer.encode_in_place(ctx, encoder, &current)?;
        } else {
            let next = if std::ptr::eq(current.buffer(), out.buffer()) {
                GpuTensor::uninit_like(ctx, x)?
            } else {
                out.clone()
            };
            layer.encode_masked(ctx, encoder, &current, mask, &next)?;
            current = next;
        }
    }
    if !std::ptr::eq(current.buffer(), out.buffer()) {
        encoder.copy_buffer_to_buffer(current.buffer(), 0, out.buffer(), 0, out.buffer().size());
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
    layers.iter().try_fold(x.to_vec(), |value, layer| {
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
    let mut work = 0;
    let mut values = vec![x.clone()];
    for layer in layers {
        ctx.split_gl_submission(encoder, &mut work, x.len());
        let out = GpuTensor::uninit_like(ctx, x)?;
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
            GpuTensor::uninit_like(ctx, x)?
        };
        ctx.split_gl_submission(encoder, &mut work, x.len());
        layer.encode_backward(ctx, encoder, saved, &upstream, &target)?;
        upstream = target;
    }
    if layers.is_empty() {
        x.check_same_shape("dy", dy)?;
        encoder.copy_buffer_to_buffer(dy.buffer(), 0, dx.buffer(), 0, dx.buffer().size());
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
    let mut values = vec![x.to_vec()];
    for layer in layers {
        let next = layer.reference(shape, values.last().expect("starts with x"))?;
        values.push(next);
    }
    let mut upstream = dy.to_vec();
    for (i, layer) in layers.iter().enumerate().rev() {
        let saved = match layer.backward_reads() {
            Saved::Input => &values[i],
            Saved::Output => &values[i + 1],
        };
        upstream = layer.reference_backward(shape, saved, &upstream)?;
    }
    Ok(upstream)
}
