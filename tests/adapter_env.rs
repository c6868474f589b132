//! `GpuContext::new` honours `WGPU_ADAPTER_NAME`, and a name that matches no
//! adapter is an error that says what was asked, what exists, and how to get
//! a software adapter. Its own test binary: it sets a process-wide variable.

// Native: blocks on the GPU; the browser runs tests/browser.rs.
#![cfg(not(target_arch = "wasm32"))]

use wgpu_activations::{Error, GpuContext};

#[test]
fn adapter_name_selects_and_a_missing_one_is_explained() {
    let default =
        GpuContext::new_blocking().unwrap_or_else(|e| panic!("the tests need a wgpu adapter: {e}"));
    let name = default.adapter_info().name.clone();

    // A case-changed prefix of the real name picks that adapter.
    let prefix: String = name.chars().take(6).collect::<String>().to_uppercase();
    std::env::set_var("WGPU_ADAPTER_NAME", &prefix);
    let chosen = GpuContext::new_blocking().unwrap();
    assert_eq!(chosen.adapter_info().name, name);

    std::env::set_var("WGPU_ADAPTER_NAME", "no-such-adapter-anywhere");
    let err = GpuContext::new_blocking().unwrap_err();
    std::env::remove_var("WGPU_ADAPTER_NAME");
    assert!(matches!(err, Error::NoAdapter { .. }), "{err:?}");
    let message = err.to_string();
    for needle in [
        "WGPU_ADAPTER_NAME",
        "no-such-adapter-anywhere",
        &name,
        "apt-get install mesa-vulkan-drivers",
    ] {
        assert!(
            message.contains(needle),
            "{message:?} should mention {needle:?}"
        );
    }
}
