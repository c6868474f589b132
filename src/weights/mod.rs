//! What configures a layer's weight, as Keras's objects do: initializers
//! (seeded, drawn on the host), regularizers and constraints, and the
//! kernels that apply them to a weight on the GPU (an update with its
//! constraint, a penalty). Below the layers that hold weights; users reach
//! them as `wgpu_activations::training::{Initializer, Regularizer,
//! Constraint}`.

mod constraint;
mod initializer;
pub(crate) mod kernels;
mod regularizer;

pub use constraint::Constraint;
pub use initializer::{compute_fans, Distribution, FanMode, Initializer};
pub use regularizer::Regularizer;
