//! Uniform structs shared by kernels of different activations.

use bytemuck::{Pod, Zeroable};

/// The `Params` of a kernel whose one argument is a scalar (LeakyReLU's
/// slope, ELU's alpha, ThresholdedReLU's theta, their gradients, the mean
/// squared error's scale). The WGSL struct of the same name mirrors it.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct ScalarParams {
    /// The one argument.
    pub value: f32,
    /// Padding to 16 bytes, a uniform struct's granule.
    pub _pad: [f32; 3],
}

impl ScalarParams {
    /// Wraps one scalar argument.
    pub fn new(value: f32) -> Self {
        Self {
            value,
            _pad: [0.0; 3],
        }
    }
}
