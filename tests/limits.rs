//! Kernels fit the device's limits rather than assume a native driver's: on
//! a device allowing only 32 invocations per workgroup (a browser may allow
//! as few as WebGPU's minimum), every layer still runs and matches the CPU.

// Native: blocks on the GPU; the browser runs tests/browser.rs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{assert_all_close, device_with, Tolerance, SOFTMAX};
use wgpu_activations::internals::{all_kernels, workgroup_size};
use wgpu_activations::{
    GpuContext, GpuTensor, Layer, LeakyReLU, PReLU, ReLU, Softmax, SoftmaxMapping, ThresholdedReLU,
    ELU,
};

#[test]
fn every_layer_runs_with_32_invocations_per_workgroup() {
    let (device, queue) = device_with(|limits| {
        limits.max_compute_invocations_per_workgroup = 32;
        limits.max_compute_workgroup_size_x = 32;
    });
    let ctx = GpuContext::from_device(device, queue);
    assert_eq!(ctx.limits().max_compute_invocations_per_workgroup, 32);
    // wgpu does not check an overridden workgroup size against the limits,
    // and lavapipe would run 256 anyway: what the context chose is checked.
    for kernel in all_kernels() {
        assert_eq!(workgroup_size(&ctx, kernel), 32, "{kernel:?}");
    }
    let shape = [5, 300];
    let x: Vec<f32> = (0..1500)
        .map(|i| ((i * 37) % 101) as f32 / 12.5 - 4.0)
        .collect();
    let layers: Vec<(Box<dyn Layer>, Tolerance)> = vec![
        (
            Box::new(ReLU::new(Some(6.0), 0.1, 0.5).unwrap()),
            Tolerance::Exact,
        ),
        (Box::new(LeakyReLU::new(0.2).unwrap()), Tolerance::Exact),
        (Box::new(PReLU::new()), Tolerance::Exact),
        (Box::new(ELU::new(1.0).unwrap()), Tolerance::Ulps(4)),
        (
            Box::new(ThresholdedReLU::new(0.5).unwrap()),
            Tolerance::Exact,
        ),
        // Rows of 300: each reduction kernel, with a tree over 32 invocations.
        (
            Box::new(Softmax::new(-1).with_mapping(SoftmaxMapping::WorkgroupPerRow)),
            SOFTMAX,
        ),
        (
            Box::new(Softmax::new(-1).with_mapping(SoftmaxMapping::InvocationPerRow)),
            SOFTMAX,
        ),
        (Box::new(Softmax::new(0)), SOFTMAX),
    ];
    let input = GpuTensor::from_slice(&ctx, &shape, &x).unwrap();
    for (layer, tolerance) in &layers {
        let got = layer
            .forward(&ctx, &input)
            .and_then(|y| y.to_vec_blocking(&ctx))
            .unwrap_or_else(|e| panic!("{}: {e}", layer.class_name()));
        let want = layer.reference(&shape, &x).unwrap();
        assert_all_close(layer.class_name(), &x, &got, &want, *tolerance);
    }
}
