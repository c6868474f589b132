//! Training PReLU's alpha on the GPU: Keras's regularizers (a penalty and its
//! gradient), constraints (applied after an update, never in forward) and a
//! plain SGD step, and the mean squared error's gradient, so a whole
//! training loop runs on the GPU. The gradients themselves come from the layers'
//! `backward` and [`crate::PReLU::alpha_gradient`]. Alpha's starting values
//! come from Keras's initializers ([`Initializer`]), seeded and drawn on the
//! host.

mod constraint;
mod initializer;
pub(crate) mod kernels;
mod loss;
mod regularizer;
mod sgd;

pub use constraint::Constraint;
pub use initializer::{compute_fans, Distribution, FanMode, Initializer};
pub use loss::mean_squared_error_gradient;
pub use regularizer::Regularizer;
pub use sgd::Sgd;
