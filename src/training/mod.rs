//! Training PReLU's alpha on the GPU: Keras's regularizers (a penalty and its
//! gradient), constraints (applied after an update, never in forward) and a
//! plain SGD step, and the mean squared error's gradient, so a whole
//! training loop runs on the GPU. The gradients themselves come from the layers'
//! `backward` and [`crate::PReLU::alpha_gradient`]. Alpha's starting values
//! come from Keras's initializers ([`Initializer`]), seeded and drawn on the
//! host. (The weight objects live in `src/weights/`, below the layers that
//! hold them; the optimizer and the loss, which use layers, here.)

pub(crate) mod loss;
mod sgd;

pub use crate::weights::{
    compute_fans, Constraint, Distribution, FanMode, Initializer, Regularizer,
};
pub use loss::mean_squared_error_gradient;
pub use sgd::Sgd;
