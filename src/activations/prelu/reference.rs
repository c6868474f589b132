//! CPU twins of the PReLU kernels (shaders/elementwise/prelu*.wgsl and
//! shaders/rows/prelu_alpha_grad*.wgsl), broadcasting alpha the plain way.

use crate::error::{Error, Result};
use crate::shape::{broadcast_strides, check_len, element_count};

/// Keras `PReLU` on the CPU: alpha (shape `alpha_shape`, right-aligned,
/// size-1 axes broadcast) against `x` of `shape`. NaN stays NaN; `-inf` with
/// alpha 0 gives 0.
///
/// ```
/// let y = wgpu_activations::cpu::prelu(&[2, 2], &[-1.0, -1.0, 2.0, -4.0], &[2], &[0.5, 0.25])?;
/// assert_eq!(y, vec![-0.5, -0.25, 2.0, -1.0]);
/// # Ok::<(), wgpu_activations::Error>(())
/// ```
pub fn prelu(shape: &[usize], x: &[f32], alpha_shape: &[usize], alpha: &[f32]) -> Result<Vec<f32>> {
    check_len(shape, x)?;
    check_len(alpha_shape, alpha)?;
    let indices = alpha_indices(shape, alpha_shape)?;
    let mut out = Vec::with_capacity(x.len());
    for (&v, &index) in x.iter().zip(&indices) {
        let a = alpha[index];
        out.push(if v > 0.0 {
            v
        } else if v < 0.0 {
            // Keras adds `relu(x) = +0` to `alpha * x`, so a zero product
            // (alpha 0, or an underflow) is +0; alpha 0 also keeps -inf at 0.
            let product = a * v;
            if a == 0.0 || product == 0.0 {
                0.0
            } else {
                product
            }
        } else if v == 0.0 {
            0.0
        } else {
            v
        });
    }
    Ok(out)
}

/// alpha's flat index for each element of an input of `shape`, alpha
/// broadcast from the right (`shape::broadcast_strides`); an error unless
/// alpha fits `shape`.
fn alpha_indices(shape: &[usize], alpha_shape: &[usize]) -> Result<Vec<usize>> {
    if alpha_shape.len() > shape.len() {
        return Err(Error::Shape(format!(
            "alpha {alpha_shape:?} has more axes than the input {shape:?}"
        )));
    }
    let strides = broadcast_strides(alpha_shape, shape).ok_or_else(|| {
        Error::Shape(format!(
            "incompatible shapes for broadcasting: alpha {alpha_shape:?} against input {shape:?}"
        ))
    })?;
    let len = element_count(shape)?;
    Ok((0..len)
        .map(|flat| {
            let (mut rest, mut index) = (flat, 0);
            for axis in (0..shape.len()).rev() {
                index += rest % shape[axis] * strides[axis];
                rest /= shape[axis];
            }
            index
        })
        .collect())
}

/// PReLU's `dx` for alpha of `alpha_shape` broadcast against `x` of `shape`:
/// 1 above 0, alpha below, 0 at ±0.
pub fn prelu_backward(
    shape: &[usize],
    x: &[f32],
    dy: &[f32],
    alpha_shape: &[usize],
    alpha: &[f32],
) -> Result<Vec<f32>> {
    check_len(shape, x)?;
    check_len(shape, dy)?;
    check_len(alpha_shape, alpha)?;
    let indices = alpha_indices(shape, alpha_shape)?;
    // dy's length matches x's (both checked against `shape`).
    Ok(x.iter()
        .zip(dy)
        .zip(&indices)
        .map(|((&x, &dy), &index)| {
            let a = alpha[index];
            let derivative = if x > 0.0 {
                1.0
            } else if x < 0.0 {
                a
            } else {
                0.0
            };
            if x.is_nan() {
                x
            } else {
                dy * derivative
            }
        })
        .collect())
}

/// PReLU's `dL/dalpha` for alpha of `alpha_shape`: the sum over the
/// batch axis and every axis alpha broadcasts along of `dy * min(x, 0)`, in
/// f64, rounded once (NaN in `x` or `dy` gives NaN).
///
/// ```
/// let d = wgpu_activations::cpu::prelu_alpha_gradient(&[2, 2], &[-1.0, 2.0, -3.0, -4.0], &[1.0; 4], &[2])?;
/// assert_eq!(d, vec![-4.0, -4.0]);
/// # Ok::<(), wgpu_activations::Error>(())
/// ```
pub fn prelu_alpha_gradient(
    shape: &[usize],
    x: &[f32],
    dy: &[f32],
    alpha_shape: &[usize],
) -> Result<Vec<f32>> {
    check_len(shape, x)?;
    check_len(shape, dy)?;
    let indices = alpha_indices(shape, alpha_shape)?;
    // -0 is addition's identity: an all -0 sum stays -0, as in Keras.
    let mut sums = vec![-0.0f64; element_count(alpha_shape)?];
    for ((&x, &dy), &index) in x.iter().zip(dy).zip(&indices) {
        // Keras's -relu(-x): -0 for x >= 0, so dy times it has Keras's sign.
        let negative = if x >= 0.0 { -0.0 } else { f64::from(x) };
        sums[index] += f64::from(dy) * negative;
    }
    Ok(sums.into_iter().map(|s| s as f32).collect())
}
