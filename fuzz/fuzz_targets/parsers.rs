//! `cargo fuzz run parsers`: the fuzz bytes, after a first byte that picks
//! the reader, as a `.npy` file (`read_npy`, `PReLU::load_alpha_npy`; with
//! the magic prepended, or as they are) or as a Keras JSON document
//! (`layer_from_json`, and `layer_from_config` under each class name).
//!
//! A crash is: a panic anywhere; a refusal that is not a clear error about
//! the input; `.npy` values that do not fill their shape; or an accepted
//! document whose JSON does not read back to the same JSON.

#![no_main]

mod common;
#[path = "../../tests/common/oracles.rs"]
#[allow(dead_code, reason = "the targets use a subset")]
mod oracles;

use common::check_clear;
use libfuzzer_sys::fuzz_target;
use oracles::element_count;
use serde_json::Value;
use wgpu_activations::keras::{layer_from_config, layer_from_json, read_npy, CLASS_NAMES};
use wgpu_activations::{Error, PReLU};

fn npy(bytes: &[u8]) {
    let read = read_npy(bytes);
    match &read {
        Ok((shape, values)) => assert!(
            element_count(shape).ok() == Some(values.len()),
            "read_npy gave {} values for {shape:?}",
            values.len()
        ),
        Err(e) => assert!(matches!(e, Error::Npy(_)), "read_npy: {e}"),
    }
    let prelu = PReLU::new();
    match prelu.load_alpha_npy(bytes) {
        Ok(()) => assert_eq!(
            prelu.weights().map(|(shape, _)| shape),
            read.ok().map(|(shape, _)| shape)
        ),
        Err(e) => check_clear(&e, "load_alpha_npy"),
    }
}

/// Whether `value` holds an integer that, as a PReLU's input size, would
/// build an alpha of gigabytes: legal, as in Keras, so not fuzzed.
fn holds_large_size(value: &Value) -> bool {
    match value {
        Value::Number(n) => n
            .as_u64()
            .is_some_and(|n| n > 4096 && n <= u64::from(u32::MAX)),
        Value::Array(items) => items.iter().any(holds_large_size),
        Value::Object(map) => map.values().any(holds_large_size),
        _ => false,
    }
}

fn json(value: &Value) {
    let layer = layer_from_json(value).map(|layer| layer.to_keras_json());
    let configs = CLASS_NAMES.iter().map(|&class| {
        (
            class,
            layer_from_config(class, value).map(|l| l.to_keras_json()),
        )
    });
    for (what, written) in std::iter::once(("layer_from_json", layer)).chain(configs) {
        match written {
            Ok(written) => {
                let again = layer_from_json(&written)
                    .unwrap_or_else(|e| panic!("{what}: not read back from {written}: {e}"));
                assert_eq!(again.to_keras_json(), written, "{what}");
            }
            Err(e) => check_clear(&e, what),
        }
    }
}

fuzz_target!(|bytes: &[u8]| {
    let Some((&mode, rest)) = bytes.split_first() else {
        return;
    };
    match mode % 3 {
        0 => npy(&[b"\x93NUMPY", rest].concat()),
        1 => npy(rest),
        _ => {
            if let Ok(value) = serde_json::from_slice::<Value>(rest) {
                if !holds_large_size(&value) {
                    json(&value);
                }
            }
        }
    }
});
