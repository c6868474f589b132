//! The CPU reference path: one plain function per layer, written to be
//! obviously right. The tests compare every GPU kernel against it.
//!
//! Elementwise layers compute in f32 with the very formula of their shader
//! (IEEE `+ - *` are exactly rounded on both sides, so results match bit for
//! bit); ELU evaluates `expm1` in f64 and rounds once.
//!
//! ```
//! use wgpu_activations::{cpu, ReLU};
//! let relu = ReLU::new(Some(6.0), 0.0, 0.0)?;
//! assert_eq!(cpu::relu(&relu, &[-1.0, 3.0, 7.0]), vec![0.0, 3.0, 6.0]);
//! # Ok::<(), wgpu_activations::Error>(())
//! ```

mod backward;
mod elu;
mod leaky_relu;
mod prelu;
mod relu;
mod rows;
mod softmax;
mod thresholded_relu;

pub use backward::{
    elu_backward, leaky_relu_backward, prelu_alpha_gradient, prelu_backward, relu_backward,
    softmax_backward, thresholded_relu_backward,
};
pub use elu::elu;
pub use leaky_relu::leaky_relu;
pub use prelu::prelu;
pub use relu::relu;
pub use rows::rows;
pub use softmax::{softmax, softmax_for};
pub use thresholded_relu::thresholded_relu;

use crate::error::{Error, Result};
use crate::shape::element_count;

/// Fails unless `x` holds exactly the elements of `shape`.
pub(crate) fn check_len(shape: &[usize], x: &[f32]) -> Result<()> {
    let len = element_count(shape)?;
    if len == x.len() {
        Ok(())
    } else {
        Err(Error::Shape(format!(
            "shape {shape:?} holds {len} elements but {} values were given",
            x.len()
        )))
    }
}
