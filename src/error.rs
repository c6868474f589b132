//! The crate's one error type.
//!
//! Every fallible call returns [`Result`]. Bad user input (arguments, shapes,
//! sizes) is reported before anything reaches the GPU; what the GPU itself
//! rejects (validation, out of memory, a lost device) is caught with wgpu
//! error scopes and returned here instead of panicking.

use std::fmt;

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `wgpu-activations`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No adapter could be found, or the one named in `WGPU_ADAPTER_NAME` does not exist.
    #[error("no GPU adapter available: {reason}. On a machine without a GPU driver, install Mesa's software Vulkan driver (`apt-get install mesa-vulkan-drivers`), or try the OpenGL backend with WGPU_BACKEND=gl")]
    NoAdapter {
        /// What was tried and why it failed.
        reason: String,
    },
    /// The adapter refused to create a device.
    #[error("could not create a device on adapter {adapter:?}: {source}")]
    RequestDevice {
        /// Name of the adapter.
        adapter: String,
        /// wgpu's reason.
        source: wgpu::RequestDeviceError,
    },
    /// A layer argument that Keras would also reject (or that has no meaning, such as NaN).
    #[error("{message}")]
    InvalidArgument {
        /// The argument's Keras name, e.g. `max_value`.
        argument: &'static str,
        /// The full message, naming the argument and the value received.
        message: String,
    },
    /// A `.npy` file that could not be read: bad magic or header, a dtype
    /// other than float32/float64, too few bytes, or the file itself.
    #[error("cannot read the .npy data: {0}")]
    Npy(String),
    /// A shape that does not fit: data length, rank, broadcasting, a layer's input spec.
    #[error("{0}")]
    Shape(String),
    /// A tensor of another element type than the operation takes: f16 where
    /// f32 is needed (PReLU's alpha and its gradient, masks), or operands
    /// of different types.
    #[error("{0}")]
    DType(String),
    /// A layer used before it has what it needs: PReLU's alpha before the
    /// layer is built (by `build(input_shape)` or its first input).
    #[error("{0}")]
    NotBuilt(String),
    /// Two tensors that must differ are the same buffer: one would be read
    /// while the other is written.
    #[error("{0}")]
    SameTensor(String),
    /// A bug in this crate, not in the call: a kernel asked for a binding or
    /// a specialisation its description lacks. Please report it.
    #[error("internal error in wgpu-activations (please report it): {0}")]
    Internal(String),
    /// A tensor larger than a device limit or than the crate's 32-bit indexing.
    #[error("{what} needs {size} bytes, over the device limit {limit_name} = {limit} bytes")]
    TooLarge {
        /// What was being created.
        what: String,
        /// Bytes needed.
        size: u64,
        /// The wgpu limit's name.
        limit_name: &'static str,
        /// The limit's value on this device.
        limit: u64,
    },
    /// The device lacks a feature the request needs (f16 tensors need `SHADER_F16`).
    #[error("{what} need the device feature {feature}, which this device does not have")]
    MissingFeature {
        /// What was asked for.
        what: String,
        /// The missing wgpu feature(s).
        feature: String,
    },
    /// The device's limits cannot run a kernel (e.g. a GL ES 3.0 or WebGL2
    /// device, which has no compute shaders). Reported before wgpu
    /// validation would reject the pipeline.
    #[error("the device cannot run the {kernel} kernel: {limit_name} is {limit} but the kernel needs {needed}{hint}",
        hint = if *limit == 0 { " (the device has no compute shaders: use Vulkan, Metal, DX12, GL 4.3 / GL ES 3.1 or WebGPU)" } else { "" })]
    Unsupported {
        /// The kernel's name.
        kernel: &'static str,
        /// The wgpu limit's name.
        limit_name: &'static str,
        /// The limit's value on this device.
        limit: u64,
        /// What the kernel needs.
        needed: u64,
    },
    /// A tensor made by another [`crate::GpuContext`] was passed to this one.
    #[error("the tensor was created by a different GpuContext than the one it was used with")]
    ContextMismatch,
    /// wgpu reported a validation error (caught by an error scope).
    #[error("wgpu validation error in {operation}: {description}")]
    Validation {
        /// What the crate was doing.
        operation: &'static str,
        /// wgpu's description.
        description: String,
    },
    /// The device ran out of memory (caught by an error scope).
    #[error("GPU out of memory in {operation}")]
    OutOfMemory {
        /// What the crate was doing.
        operation: &'static str,
    },
    /// The device was lost (destroyed, reset or removed); create a new context.
    #[error("the GPU device was lost ({reason}); create a new GpuContext")]
    DeviceLost {
        /// wgpu's reason and message.
        reason: String,
    },
    /// Mapping a buffer for readback failed, or polling the device did.
    #[error("reading a tensor back failed: {0}")]
    Readback(String),
}

impl Error {
    /// An [`Error::InvalidArgument`] whose message names the argument and the value.
    pub(crate) fn argument(argument: &'static str, message: impl fmt::Display) -> Self {
        Error::InvalidArgument {
            argument,
            message: message.to_string(),
        }
    }

    /// Turns an error caught by a wgpu error scope into ours.
    pub(crate) fn from_wgpu(operation: &'static str, error: wgpu::Error) -> Self {
        match error {
            wgpu::Error::OutOfMemory { .. } => Error::OutOfMemory { operation },
            wgpu::Error::Validation { description, .. }
            | wgpu::Error::Internal { description, .. } => Error::Validation {
                operation,
                description,
            },
        }
    }
}
