//! A device that cannot run compute shaders (WebGL2-level limits, as on GL
//! ES 3.0 or WebGL2) or has too few storage bindings: every layer says which
//! limit is missing with `Error::Unsupported`, instead of reaching wgpu's
//! validation, and uploads and readbacks still work.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::device_with;
use wgpu_activations::{
    wgpu, Error, GpuContext, GpuTensor, Layer, LeakyReLU, PReLU, ReLU, Sequential, Softmax,
    ThresholdedReLU, ELU,
};

fn layers() -> Vec<Box<dyn Layer>> {
    vec![
        Box::new(ReLU::default()),
        Box::new(LeakyReLU::default()),
        Box::new(ELU::default()),
        Box::new(ThresholdedReLU::default()),
        Box::new(PReLU::new()),
        Box::new(Softmax::new(-1)),
        Box::new(Sequential::new().with(ReLU::default())),
    ]
}

#[track_caller]
fn assert_unsupported(result: wgpu_activations::Result<GpuTensor>, limit: &str) {
    match result {
        Err(Error::Unsupported { limit_name, .. }) => assert_eq!(limit_name, limit),
        other => panic!("expected Error::Unsupported naming {limit}, got {other:?}"),
    }
}

#[test]
fn a_device_without_compute_shaders_is_reported_not_a_validation_error() {
    let (device, queue) = device_with(|l| *l = wgpu::Limits::downlevel_webgl2_defaults());
    let ctx = GpuContext::from_device(device, queue);
    assert_eq!(ctx.limits().max_compute_invocations_per_workgroup, 0);
    let x = GpuTensor::from_slice(&ctx, &[2, 3], &[-1.0, 2.0, -3.0, 4.0, -5.0, 6.0]).unwrap();
    for layer in layers() {
        let err = layer.forward(&ctx, &x);
        let text = format!("{err:?}");
        assert_unsupported(err, "max_compute_invocations_per_workgroup");
        assert!(text.contains("compute"), "{text}");
    }
    // The context still uploads and reads back.
    assert_eq!(
        x.to_vec_blocking(&ctx).unwrap(),
        vec![-1.0, 2.0, -3.0, 4.0, -5.0, 6.0]
    );
}

#[test]
fn too_few_storage_buffers_is_reported_per_kernel() {
    // Two storage buffers: enough for the plain elementwise kernels, not for
    // PReLU (alpha) or softmax (mask).
    let (device, queue) = device_with(|l| l.max_storage_buffers_per_shader_stage = 2);
    let ctx = GpuContext::from_device(device, queue);
    let data = [-1.0, 2.0, -3.0, 4.0, -5.0, 6.0];
    let x = GpuTensor::from_slice(&ctx, &[2, 3], &data).unwrap();
    let relu = ReLU::default();
    assert_eq!(
        relu.forward(&ctx, &x)
            .unwrap()
            .to_vec_blocking(&ctx)
            .unwrap(),
        relu.reference(&[2, 3], &data).unwrap()
    );
    assert_unsupported(
        PReLU::new().forward(&ctx, &x),
        "max_storage_buffers_per_shader_stage",
    );
    assert_unsupported(
        Softmax::new(-1).forward(&ctx, &x),
        "max_storage_buffers_per_shader_stage",
    );
}
