//! Training PReLU's alpha on the GPU: Keras's regularizers (a penalty and its
//! gradient), constraints (applied after an update, never in forward) and a
//! plain SGD step, and the mean squared error's gradient, so a whole
//! training loop runs on the GPU. The gradients themselves come from the layers'
//! `backward` and [`crate::PReLU::alpha_gradient`].

mod constraint;
pub(crate) mod kernels;
mod loss;
mod regularizer;
mod sgd;

pub use constraint::Constraint;
pub use loss::mean_squared_error_gradient;
pub use regularizer::Regularizer;
pub use sgd::Sgd;
