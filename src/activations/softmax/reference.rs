//! CPU twins of the softmax kernels (shaders/rows/softmax_*.wgsl), forward
//! and backward: max and sums in f64, plain loops over rows.

use crate::activations::softmax::Softmax;
use crate::dtype::DType;
use crate::error::Result;
use crate::shape::{check_len, element_count};
use crate::shape::{kept, rows};

/// Keras `Softmax` on the CPU over `x` of `shape`, with an optional mask
/// (`(mask_shape, values)`, kept where `value > 0.5`). Same NaN/inf policy as
/// the GPU: an unmasked NaN or `+inf` makes the row NaN, a row of `-inf` is
/// NaN, a `-inf` entry gives 0, masked entries give 0.
///
/// ```
/// use wgpu_activations::{cpu, Softmax};
/// let y = cpu::softmax(&Softmax::new(0), &[2], &[0.0, 0.0], None)?;
/// assert_eq!(y, vec![0.5, 0.5]);
/// # Ok::<(), wgpu_activations::Error>(())
/// ```
pub fn softmax(
    layer: &Softmax,
    shape: &[usize],
    x: &[f32],
    mask: Option<(&[usize], &[f32])>,
) -> Result<Vec<f32>> {
    softmax_for(layer, shape, x, mask, DType::F32)
}

/// [`softmax`] as the kernels run it for tensors of `dtype`: masked
/// positions count as -1e9 for f32 and -3e4 for f16 (Keras's large negative
/// number for each type). The result is f32; round it to f16 for an f16 run.
///
/// ```
/// use wgpu_activations::{cpu, DType, Softmax};
/// // An unmasked logit of -3e4 competes with masked ones only in f16.
/// let mask: (&[usize], &[f32]) = (&[2], &[1.0, 0.0]);
/// let y32 = cpu::softmax_for(&Softmax::new(0), &[2], &[-3e4, 0.0], Some(mask), DType::F32)?;
/// let y16 = cpu::softmax_for(&Softmax::new(0), &[2], &[-3e4, 0.0], Some(mask), DType::F16)?;
/// assert_eq!((y32[0], y16[0]), (1.0, 0.5));
/// # Ok::<(), wgpu_activations::Error>(())
/// ```
pub fn softmax_for(
    layer: &Softmax,
    shape: &[usize],
    x: &[f32],
    mask: Option<(&[usize], &[f32])>,
    dtype: DType,
) -> Result<Vec<f32>> {
    let masked_logit = match dtype {
        DType::F32 => -1e9,
        DType::F16 => -3e4,
    };
    check_len(shape, x)?;
    let axes = layer.resolved_axes(shape.len())?;
    let n = element_count(shape)?;
    let kept = kept(shape, mask)?;
    let keep = |i: usize| kept[i];
    let mut out = vec![0.0f32; n];
    for members in &rows(shape, &axes) {
        let logits: Vec<f64> = members
            .iter()
            .map(|&i| {
                if keep(i) {
                    f64::from(x[i])
                } else {
                    masked_logit
                }
            })
            .collect();
        let poisoned = logits.iter().any(|v| v.is_nan() || *v == f64::INFINITY);
        let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = logits.iter().map(|v| (v - max).exp()).sum();
        for (&i, &v) in members.iter().zip(&logits) {
            out[i] = if !keep(i) {
                0.0
            } else if poisoned {
                f32::NAN
            } else {
                ((v - max).exp() / sum) as f32
            };
        }
    }
    Ok(out)
}

/// Softmax's `dx` from its output `y`: per row, `y * (dy - sum(dy * y))`
/// with the sum in f64 over unmasked positions; masked positions give 0.
pub fn softmax_backward(
    layer: &Softmax,
    shape: &[usize],
    y: &[f32],
    dy: &[f32],
    mask: Option<(&[usize], &[f32])>,
) -> Result<Vec<f32>> {
    check_len(shape, y)?;
    check_len(shape, dy)?;
    let axes = layer.resolved_axes(shape.len())?;
    let kept = kept(shape, mask)?;
    let mut dx = vec![0.0f32; element_count(shape)?];
    for row in rows(shape, &axes) {
        let s: f64 = row
            .iter()
            .filter(|&&i| kept[i])
            .map(|&i| f64::from(dy[i]) * f64::from(y[i]))
            .sum();
        for i in row {
            if kept[i] {
                dx[i] = (f64::from(y[i]) * (f64::from(dy[i]) - s)) as f32;
            }
        }
    }
    Ok(dx)
}
