//! Keras interop: build layers from Keras `get_config()` dictionaries (Keras
//! 3 and Keras 2 spellings), write them back as Keras 3 JSON, and move
//! PReLU's alpha in and out as a flat array or a `.npy` file.
//!
//! - [`layer_from_config`]: a class name and its config dict.
//! - [`layer_from_json`]: a whole entry `{"class_name", "config"}`, a list of
//!   entries, or a serialised `Sequential`; lists run as one GPU chain.
//! - `to_keras_config()` on every layer and on [`AnyLayer`], and
//!   [`AnyLayer::to_keras_json`] for the entry.
//! - [`crate::PReLU::load_alpha`], [`crate::PReLU::load_alpha_npy`],
//!   [`crate::PReLU::weights`], [`read_npy`] and [`write_npy`].
//!
//! ```
//! # fn main() -> wgpu_activations::Result<()> {
//! use serde_json::json;
//! use wgpu_activations::keras::{layer_from_json, AnyLayer};
//! use wgpu_activations::{GpuContext, GpuTensor, Layer};
//! let ctx = GpuContext::new_blocking()?;
//! // `model.get_config()["layers"]` of a Keras 2 model, as JSON.
//! let model = layer_from_json(&json!([
//!     {"class_name": "PReLU", "config": {
//!         "name": "p_re_lu", "trainable": true, "dtype": "float32",
//!         "alpha_initializer": {"class_name": "Zeros", "config": {}},
//!         "alpha_regularizer": null, "alpha_constraint": null, "shared_axes": [1]}},
//!     {"class_name": "LeakyReLU", "config": {"alpha": 0.30000001192092896}},
//! ]))?;
//! let AnyLayer::Chain(layers) = &model else { unreachable!() };
//! // alpha = layer.get_weights()[0], shape (1, 2).
//! layers[0].as_prelu().unwrap().load_alpha(&[1, 2], &[0.5, 2.0])?;
//! let x = GpuTensor::from_slice(&ctx, &[1, 1, 2], &[-2.0, -2.0])?;
//! let y = model.forward(&ctx, &x)?.to_vec_blocking(&ctx)?;
//! assert_eq!(y, vec![-0.3, -1.2]);
//! assert_eq!(model.to_keras_json()[1]["config"], json!({"negative_slope": 0.3}));
//! # Ok(()) }
//! ```

mod any_layer;
mod config;
mod npy;
mod weights;

pub use any_layer::{AnyLayer, Sequential};
pub use config::{layer_from_config, layer_from_json, CLASS_NAMES};
#[cfg(not(target_arch = "wasm32"))]
pub use npy::read_npy_file;
pub use npy::{read_npy, write_npy};
