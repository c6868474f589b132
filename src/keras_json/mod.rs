//! Keras's JSON values, below the layers that use them:
//! strict typed access to a config dictionary's fields with Keras's error
//! messages (`fields.rs`, and the `KerasConfig` trait each layer
//! implements), and Keras's serialised initializers, regularizers and
//! constraints (`objects.rs`). `crate::keras` builds whole layers and
//! models from them.

pub(crate) mod fields;
pub(crate) mod objects;
