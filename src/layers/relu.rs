//! Keras `ReLU(max_value, negative_slope, threshold)`.

use crate::context::GpuContext;
use crate::error::Result;
use crate::kernels::{Kernel, ReluGradParams, ReluParams};
use crate::launch::Elementwise;
use crate::layers::{elementwise_layer, non_negative_finite};

/// Keras `ReLU`: `x > threshold` gives `min(x, max_value)`, `x <= threshold`
/// gives `negative_slope * (x - threshold)` (so `x == threshold` gives 0).
///
/// Arguments are validated as in Keras 3: each must not be negative, and
/// none may be NaN or infinite (`max_value = +inf` means no clip).
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// use wgpu_activations::{GpuContext, GpuTensor, ReLU};
/// let ctx = GpuContext::new_blocking()?;
/// let relu = ReLU::new(Some(6.0), 0.1, 0.5)?;
/// let x = GpuTensor::from_slice(&ctx, &[4], &[-1.5, 0.5, 3.0, 9.0])?;
/// assert_eq!(relu.forward(&ctx, &x)?.to_vec_blocking(&ctx)?, vec![-0.2, 0.0, 3.0, 6.0]);
/// assert!(ReLU::new(None, -0.1, 0.0).is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReLU {
    max_value: Option<f32>,
    negative_slope: f32,
    threshold: f32,
}

impl Default for ReLU {
    /// Keras's defaults: no clip, slope 0, threshold 0.
    fn default() -> Self {
        Self {
            max_value: None,
            negative_slope: 0.0,
            threshold: 0.0,
        }
    }
}

impl ReLU {
    /// A validated `ReLU`.
    pub fn new(max_value: Option<f32>, negative_slope: f32, threshold: f32) -> Result<Self> {
        let max_value = match max_value {
            Some(m) if m == f32::INFINITY => None,
            Some(m) => Some(non_negative_finite("ReLU", "max_value", m, || {
                format!("max_value of a ReLU layer cannot be a negative value. Received: max_value={m:?}")
            })?),
            None => None,
        };
        let negative_slope = non_negative_finite("ReLU", "negative_slope", negative_slope, || {
            format!(
                "negative_slope of a ReLU layer cannot be None or a negative value. \
                 Received: negative_slope={negative_slope:?}"
            )
        })?;
        let threshold = non_negative_finite("ReLU", "threshold", threshold, || {
            format!("threshold of a ReLU layer cannot be None or a negative value. Received: threshold={threshold:?}")
        })?;
        Ok(Self {
            max_value,
            negative_slope,
            threshold,
        })
    }

    /// The upper clip, if any.
    pub fn max_value(&self) -> Option<f32> {
        self.max_value
    }

    /// The slope below the threshold.
    pub fn negative_slope(&self) -> f32 {
        self.negative_slope
    }

    /// Where the identity part starts (strictly above it).
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Whether Keras computes this `ReLU` as `leaky_relu(x, negative_slope)`
    /// (a slope with no clip and threshold 0), which keeps `-0` where the
    /// general formula gives `+0`.
    pub(crate) fn is_leaky(&self) -> bool {
        self.negative_slope != 0.0 && self.max_value.is_none() && self.threshold == 0.0
    }
}

impl ReLU {
    /// The kernel and parameters for an input of `shape`.
    fn job(&self, _ctx: &GpuContext, _shape: &[usize]) -> Result<Elementwise> {
        Ok(Elementwise::new(
            Kernel::Relu,
            &ReluParams {
                max_value: self.max_value.unwrap_or(0.0),
                negative_slope: self.negative_slope,
                threshold: self.threshold,
                has_max: u32::from(self.max_value.is_some()),
            },
        ))
    }

    fn cpu(&self, _shape: &[usize], x: &[f32]) -> Result<Vec<f32>> {
        Ok(crate::cpu::relu(self, x))
    }

    /// The backward kernel's parameters: Keras 3's composition flattened
    /// (see shaders/relu_grad.wgsl and [`crate::cpu::relu_backward`]).
    fn grad_job(&self, _ctx: &GpuContext, _shape: &[usize]) -> Result<Elementwise> {
        let leaky = self.is_leaky();
        let relu6 = self.threshold == 0.0 && self.max_value == Some(6.0);
        Ok(Elementwise::new(
            Kernel::ReluGrad,
            &ReluGradParams {
                lo: self.threshold,
                slope: self.negative_slope,
                hi: self.max_value.unwrap_or(0.0),
                tie: if relu6 { 0.0 } else { 0.5 },
                clip: u32::from(self.max_value.is_some()),
                inclusive: u32::from(leaky),
                _pad: [0; 2],
            },
        ))
    }

    fn cpu_grad(&self, _shape: &[usize], x: &[f32], dy: &[f32]) -> Result<Vec<f32>> {
        crate::cpu::relu_backward(self, x, dy)
    }
}

elementwise_layer!(ReLU, "ReLU");
