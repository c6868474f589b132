//! Out of memory: under a lowered address-space limit (`prlimit` on this test
//! process), allocating outputs until the device refuses must give an error,
//! never a panic or a silently wrong tensor, and the context must keep working.
//!
//! Linux only (it needs `prlimit` and `/proc/self/status`). The test is alone
//! in this binary because the limit applies to the whole process: other tests
//! running beside it would fail their own allocations.
//!
//! Vulkan (lavapipe) reports the failed allocation as `Error::OutOfMemory` at
//! once. wgpu-hal's GL backend does not check `glBufferData` for
//! `GL_OUT_OF_MEMORY`: there the failed allocation goes unnoticed (its
//! tensor reads back as zeros), so on GL the test asserts only that nothing
//! panics and that the context works once memory is available again.

#![cfg(target_os = "linux")]

mod common;

use wgpu_activations::{wgpu, Error, GpuContext, GpuTensor, LeakyReLU};

/// This process's virtual memory size in bytes.
fn vm_size() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmSize:"))
        .expect("a VmSize line");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("VmSize in kB");
    kib * 1024
}

/// Sets this process's soft address-space limit (`None`: unlimited). The hard
/// limit is left alone so the soft one can be raised again.
fn set_address_space_limit(limit: Option<u64>) {
    let value = limit.map_or("unlimited".to_string(), |l| l.to_string());
    let status = std::process::Command::new("prlimit")
        .arg("--pid")
        .arg(std::process::id().to_string())
        .arg(format!("--as={value}:"))
        .status()
        .expect("running prlimit (util-linux)");
    assert!(status.success(), "prlimit --as={value}: failed");
}

#[test]
fn out_of_memory_is_an_error_and_the_context_survives() {
    let ctx =
        GpuContext::new_blocking().unwrap_or_else(|e| panic!("the tests need a wgpu adapter: {e}"));
    let gl = ctx.adapter_info().backend == wgpu::Backend::Gl;
    let layer = LeakyReLU::new(0.5).unwrap();
    let n = 1usize << 24; // 64 MiB per tensor
    let x = GpuTensor::from_slice(&ctx, &[n], &vec![-1.0; n]).unwrap();
    let small = GpuTensor::from_slice(&ctx, &[3], &[-2.0, 0.0, 2.0]).unwrap();
    // Compile the kernel before the limit, so only the allocations can fail.
    assert_eq!(
        layer
            .forward(&ctx, &small)
            .unwrap()
            .to_vec_blocking(&ctx)
            .unwrap(),
        vec![-1.0, 0.0, 2.0]
    );

    // Room for about four outputs, then the allocator has to say no.
    set_address_space_limit(Some(vm_size() + (n as u64 * 4 * 4)));
    let mut outputs = Vec::new();
    let mut refused = None;
    for _ in 0..16 {
        match layer.forward(&ctx, &x) {
            Ok(y) => outputs.push(y),
            Err(e) => {
                refused = Some(e);
                break;
            }
        }
    }
    // Small work still fits beside the refused allocation.
    let after = layer
        .forward(&ctx, &small)
        .and_then(|y| y.to_vec_blocking(&ctx));
    set_address_space_limit(None);

    if gl {
        // Known hole, documented in docs/RELIABILITY.md: GL gives no error here, and
        // an output whose allocation failed reads back as zeros. What can be
        // asserted is no panic, and a working context once memory is back.
        common::not_exercised(
            "resources::out_of_memory_is_an_error_and_the_context_survives",
            "GL does not report GL_OUT_OF_MEMORY: only no panic and recovery were checked",
        );
        drop(outputs);
        assert_eq!(after.unwrap(), vec![-1.0, 0.0, 2.0]);
        let y = layer
            .forward(&ctx, &x)
            .unwrap()
            .to_vec_blocking(&ctx)
            .unwrap();
        assert!(
            y.iter().all(|&v| v == -0.5),
            "a wrong tensor after the limit"
        );
        return;
    }

    match refused {
        Some(Error::OutOfMemory { operation }) => {
            assert_eq!(operation, "allocating a tensor")
        }
        other => panic!(
            "expected Error::OutOfMemory after {} outputs, got {other:?}",
            outputs.len()
        ),
    }
    assert!(
        (1..16).contains(&outputs.len()),
        "{} outputs",
        outputs.len()
    );
    assert_eq!(after.unwrap(), vec![-1.0, 0.0, 2.0]);
    // What was allocated before the refusal is intact.
    for y in &outputs {
        let values = y.to_vec_blocking(&ctx).unwrap();
        assert!(values.iter().all(|&v| v == -0.5), "a wrong tensor");
    }
    // Freed memory can be allocated again.
    drop(outputs);
    let y = layer
        .forward(&ctx, &x)
        .unwrap()
        .to_vec_blocking(&ctx)
        .unwrap();
    assert!(y.iter().all(|&v| v == -0.5));
    ctx.check_device().unwrap();
}
