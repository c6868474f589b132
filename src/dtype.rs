//! [`DType`]: the element type a tensor stores. Kernels always compute in
//! f32; an f16 tensor halves the bytes each kernel moves, which is what a
//! memory-bound layer's speed is made of.

/// The element type of a [`crate::GpuTensor`].
///
/// ```
/// use wgpu_activations::DType;
/// assert_eq!(DType::F16.size(), 2);
/// assert_eq!(DType::default(), DType::F32);
/// assert_eq!(DType::F16.to_string(), "f16");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    /// 32-bit IEEE float, the default.
    #[default]
    F32,
    /// 16-bit IEEE float (needs `wgpu::Features::SHADER_F16`).
    F16,
}

impl DType {
    /// Bytes per element.
    pub fn size(self) -> u64 {
        match self {
            DType::F32 => 4,
            DType::F16 => 2,
        }
    }

    /// The WGSL prelude that names the stored type (`stored`) and the masked
    /// logit for softmax: -1e9 in f32, -3e4 in f16 (Keras's
    /// `_large_negative_number`), so a masked f16 row behaves as in Keras.
    pub(crate) fn wgsl_prelude(self) -> &'static str {
        match self {
            DType::F32 => "alias stored = f32;\nconst MASKED_LOGIT: f32 = -1e9;\n",
            DType::F16 => "enable f16;\nalias stored = f16;\nconst MASKED_LOGIT: f32 = -3e4;\n",
        }
    }

    /// The device features tensors of this type need.
    pub fn required_features(self) -> wgpu::Features {
        match self {
            DType::F32 => wgpu::Features::empty(),
            DType::F16 => wgpu::Features::SHADER_F16,
        }
    }
}

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DType::F32 => "f32",
            DType::F16 => "f16",
        })
    }
}
