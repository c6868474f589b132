//! CPU twins of the backward kernels: `dx` from the forward input (or, for
//! Softmax, output) and the upstream gradient `dy`.
//!
//! Each derivative is written the way autodiff reaches it through Keras 3's
//! own code on JAX, so the subgradient at every kink is Keras's:
//!
//! | layer | derivative | at the kinks |
//! |---|---|---|
//! | ReLU | 1 above the threshold (clipped: 0 above `max_value`), `negative_slope` below | 0 at `x == threshold`; 1/2 at `x == max_value` (JAX's clip splits ties), but 0 for `max_value = 6, threshold = 0` (Keras uses `relu6`); slope without clip or threshold is `leaky_relu`: 1 at 0 |
//! | LeakyReLU | 1 for `x >= 0`, `negative_slope` below | 1 at 0 |
//! | PReLU | 1 above 0, alpha below | 0 at ±0 |
//! | ELU | 1 above 0, `alpha * exp(x)` below | `alpha` at 0 |
//! | ThresholdedReLU | 1 above theta, 0 below | 0 at `x == theta` |
//! | Softmax | `dx = y * (dy - sum(dy * y))` over the axes | masked positions 0 |
//!
//! `dx = dy * f'(x)` as an IEEE product, so NaN in `dy` gives NaN, and so
//! does an infinite `dy` where the derivative is 0. NaN in `x` gives NaN.
//!
//! ```
//! use wgpu_activations::{cpu, ReLU};
//! let relu = ReLU::default();
//! assert_eq!(cpu::relu_backward(&relu, &[-1.0, 0.0, 2.0], &[5.0, 5.0, 5.0])?, vec![0.0, 0.0, 5.0]);
//! # Ok::<(), wgpu_activations::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::layers::elu::ELU;
use crate::layers::leaky_relu::LeakyReLU;
use crate::layers::relu::ReLU;
use crate::layers::softmax::Softmax;
use crate::layers::thresholded_relu::ThresholdedReLU;
use crate::shape::element_count;

/// Fails unless `dy` has one value per element of `x`.
fn check_pair(x: &[f32], dy: &[f32]) -> Result<()> {
    if x.len() == dy.len() {
        Ok(())
    } else {
        Err(Error::Shape(format!(
            "dy holds {} values but x holds {}",
            dy.len(),
            x.len()
        )))
    }
}

/// Applies `derivative(x)` elementwise: `dx = dy * f'(x)`, NaN where x is NaN.
fn chain(x: &[f32], dy: &[f32], derivative: impl Fn(f32) -> f32) -> Result<Vec<f32>> {
    chain_indexed(x, dy, |_, x| derivative(x))
}

/// [`chain`] for derivatives that also depend on the element's index.
fn chain_indexed(
    x: &[f32],
    dy: &[f32],
    derivative: impl Fn(usize, f32) -> f32,
) -> Result<Vec<f32>> {
    check_pair(x, dy)?;
    Ok(x.iter()
        .zip(dy)
        .enumerate()
        .map(|(i, (&x, &dy))| if x.is_nan() { x } else { dy * derivative(i, x) })
        .collect())
}

/// JAX's derivative of `max(a, b)` with respect to `a` at value `a`
/// (ties split: 1/2).
fn max_derivative(a: f32, b: f32) -> f32 {
    if a > b {
        1.0
    } else if a == b {
        0.5
    } else {
        0.0
    }
}

/// ReLU's `dx`, following Keras 3's `ReLU.static_call` term by term.
pub fn relu_backward(layer: &ReLU, x: &[f32], dy: &[f32]) -> Result<Vec<f32>> {
    let (slope, threshold, max_value) =
        (layer.negative_slope(), layer.threshold(), layer.max_value());
    chain(x, dy, |x| {
        if slope != 0.0 && max_value.is_none() && threshold == 0.0 {
            // jax.nn.leaky_relu: where(x >= 0, x, slope * x).
            return if x >= 0.0 { 1.0 } else { slope };
        }
        let relu6 = threshold == 0.0 && max_value == Some(6.0);
        // The positive part and its derivative.
        let (y, mut g) = if threshold != 0.0 {
            // x * cast(x > threshold): the mask is a constant.
            let mask = if x > threshold { 1.0 } else { 0.0 };
            (x * mask, mask)
        } else if relu6 {
            // jax.nn.relu6's custom derivative: 0 at 0 and at 6.
            (0.0, if x > 0.0 && x < 6.0 { 1.0 } else { 0.0 })
        } else {
            // jax.nn.relu's custom derivative: 0 at 0.
            (x.max(0.0), if x > 0.0 { 1.0 } else { 0.0 })
        };
        if let (Some(max_value), false) = (max_value, relu6) {
            // jnp.clip(y, 0, max_value) = minimum(max_value, maximum(0, y)).
            g *= max_derivative(y, 0.0);
            g *= max_derivative(-y.max(0.0), -max_value);
        }
        if slope != 0.0 {
            // - slope * relu(threshold - x)
            g += slope * if threshold - x > 0.0 { 1.0 } else { 0.0 };
        }
        g
    })
}

/// LeakyReLU's `dx` (jax.nn.leaky_relu: 1 for `x >= 0`).
pub fn leaky_relu_backward(layer: &LeakyReLU, x: &[f32], dy: &[f32]) -> Result<Vec<f32>> {
    let slope = layer.negative_slope();
    chain(x, dy, |x| if x >= 0.0 { 1.0 } else { slope })
}

/// ELU's `dx`: `alpha * exp(x)` for `x <= 0`, evaluated in f64 with `dy`
/// and rounded once.
pub fn elu_backward(layer: &ELU, x: &[f32], dy: &[f32]) -> Result<Vec<f32>> {
    let alpha = f64::from(layer.alpha());
    check_pair(x, dy)?;
    Ok(x.iter()
        .zip(dy)
        .map(|(&x, &dy)| {
            if x.is_nan() {
                x
            } else if x > 0.0 {
                dy
            } else if dy.is_infinite() && x > f32::NEG_INFINITY {
                // exp(x) > 0 even where f64's exp underflows: ±inf (NaN for alpha 0).
                (f64::from(dy) * alpha) as f32
            } else {
                (f64::from(dy) * alpha * f64::from(x).exp()) as f32
            }
        })
        .collect())
}

/// ThresholdedReLU's `dx`: 1 strictly above theta.
pub fn thresholded_relu_backward(
    layer: &ThresholdedReLU,
    x: &[f32],
    dy: &[f32],
) -> Result<Vec<f32>> {
    let theta = layer.theta();
    chain(x, dy, |x| if x > theta { 1.0 } else { 0.0 })
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
    super::check_len(shape, x)?;
    super::check_len(shape, dy)?;
    super::check_len(alpha_shape, alpha)?;
    super::prelu::check_broadcast(shape, alpha_shape)?;
    chain_indexed(x, dy, |flat, x| {
        let a = alpha[super::prelu::alpha_index(shape, alpha_shape, flat)];
        if x > 0.0 {
            1.0
        } else if x < 0.0 {
            a
        } else {
            0.0
        }
    })
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
    super::check_len(shape, y)?;
    super::check_len(shape, dy)?;
    let axes = layer.resolved_axes(shape.len())?;
    let kept = super::rows::kept(shape, mask)?;
    let mut dx = vec![0.0f32; element_count(shape)?];
    for row in super::rows::rows(shape, &axes) {
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
    super::check_len(shape, x)?;
    super::check_len(shape, dy)?;
    super::prelu::check_broadcast(shape, alpha_shape)?;
    // -0 is addition's identity: an all -0 sum stays -0, as in Keras.
    let mut sums = vec![-0.0f64; element_count(alpha_shape)?];
    for (flat, (&x, &dy)) in x.iter().zip(dy).enumerate() {
        // Keras's -relu(-x): -0 for x >= 0, so dy times it has Keras's sign.
        let negative = if x >= 0.0 { -0.0 } else { f64::from(x) };
        sums[super::prelu::alpha_index(shape, alpha_shape, flat)] += f64::from(dy) * negative;
    }
    Ok(sums.into_iter().map(|s| s as f32).collect())
}
