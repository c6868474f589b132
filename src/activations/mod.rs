//! The activations, one module each: the layer, its argument validation (the
//! one place its Keras error messages are written), its kernels'
//! parameters, its CPU twins forward and backward, and its Keras config.
//! Elementwise activations implement [`elementwise::Elementwise`] and get
//! their [`crate::Layer`] impl from it; Softmax and PReLU, which need more
//! than one element at a time, have their own directories.
//!
//! [`with_activations!`] below is the table: one line per Keras class, from
//! which `AnyLayer`, `keras::CLASS_NAMES`, the `From` impls, the config
//! reader and writer and the list of every kernel are generated.
//! ARCHITECTURE.md's "Adding an activation" walks through it.

pub(crate) mod activation;
pub(crate) mod elementwise;
pub(crate) mod elu;
pub(crate) mod function;
pub(crate) mod leaky_relu;
pub(crate) mod prelu;
pub(crate) mod relu;
pub(crate) mod softmax;
pub(crate) mod thresholded_relu;

/// Calls `$callback!` with the activation table: per Keras class, its
/// `AnyLayer` variant, its type, how `AnyLayer` holds it, and its kernels
/// (`crate::registry` gathers every kernel from this table and from the
/// weights' and the loss's kernels).
macro_rules! with_activations {
    ($callback:ident) => {
        $callback! {
            ReLU => $crate::activations::relu::ReLU, $crate::activations::relu::ReLU;
            LeakyReLU => $crate::activations::leaky_relu::LeakyReLU, $crate::activations::leaky_relu::LeakyReLU;
            PReLU => $crate::activations::prelu::PReLU, Box<$crate::activations::prelu::PReLU>;
            ELU => $crate::activations::elu::ELU, $crate::activations::elu::ELU;
            ThresholdedReLU => $crate::activations::thresholded_relu::ThresholdedReLU, $crate::activations::thresholded_relu::ThresholdedReLU;
            Softmax => $crate::activations::softmax::Softmax, $crate::activations::softmax::Softmax;
            Activation => $crate::activations::activation::Activation, $crate::activations::activation::Activation;
        }
    };
}

pub(crate) use with_activations;

/// The kernels an activation runs (forward, backward, and any others), for
/// the tests that compile and reflect every kernel.
pub(crate) trait Kernels {
    /// Every kernel of the activation.
    fn kernels() -> Vec<crate::kernels::spec::Kernel>;
}

impl Kernels for softmax::Softmax {
    fn kernels() -> Vec<crate::kernels::spec::Kernel> {
        softmax::kernels::ALL.to_vec()
    }
}

impl Kernels for prelu::PReLU {
    fn kernels() -> Vec<crate::kernels::spec::Kernel> {
        prelu::layer::ALL.to_vec()
    }
}
