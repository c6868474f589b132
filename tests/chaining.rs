//! The host path: vec4 kernels on every length (tails 1..=9 and 4k+1..4k+3),
//! `forward_into` a reused tensor, in-place runs, and chains of layers in one
//! submission.

// Native: blocks on the GPU; the browser runs tests/browser.rs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{assert_tensor_close, ctx, Tolerance};
use wgpu_activations::{
    Error, GpuTensor, Layer, LeakyReLU, PReLU, ReLU, Sequential, Softmax, ThresholdedReLU, ELU,
};

fn elementwise_layers() -> Vec<(Box<dyn Layer>, Tolerance)> {
    vec![
        (
            Box::new(ReLU::new(Some(2.0), 0.25, 0.5).unwrap()),
            Tolerance::Exact,
        ),
        (Box::new(LeakyReLU::new(0.3).unwrap()), Tolerance::Exact),
        (Box::new(ELU::new(1.5).unwrap()), Tolerance::Ulps(4)),
        (
            Box::new(ThresholdedReLU::new(0.75).unwrap()),
            Tolerance::Exact,
        ),
    ]
}

fn data(len: usize) -> Vec<f32> {
    (0..len)
        .map(|i| ((i * 7919) % 997) as f32 * 0.01 - 5.0)
        .collect()
}

fn tail_lengths() -> Vec<usize> {
    let mut lens: Vec<usize> = (1..=9).collect();
    for k in [16, 1000, 65_536] {
        lens.extend([4 * k + 1, 4 * k + 2, 4 * k + 3]);
    }
    lens
}

#[test]
fn every_length_out_of_place_into_and_in_place() {
    for len in tail_lengths() {
        let input = data(len);
        let x = GpuTensor::from_slice(ctx(), &[len], &input).unwrap();
        let out = GpuTensor::from_slice(ctx(), &[len], &vec![f32::NAN; len]).unwrap();
        for (layer, tol) in elementwise_layers() {
            let want = layer.reference(&[len], &input).unwrap();
            let what = format!("{} len {len}", layer.class_name());
            let got = layer.forward(ctx(), &x).unwrap();
            assert_tensor_close(&format!("{what} forward"), &got, &[len], &input, &want, tol);
            layer.forward_into(ctx(), &x, &out).unwrap();
            let what_into = format!("{what} forward_into");
            assert_tensor_close(&what_into, &out, &[len], &input, &want, tol);
            let y = GpuTensor::from_slice(ctx(), &[len], &input).unwrap();
            layer.forward_in_place(ctx(), &y).unwrap();
            assert_tensor_close(&format!("{what} in place"), &y, &[len], &input, &want, tol);
        }
        // PReLU with alpha varying along the last axis of a [2, len] input.
        let prelu = PReLU::new();
        prelu.build(&[2, len]).unwrap();
        prelu
            .set_alpha(&data(len).iter().map(|a| a * 0.1).collect::<Vec<_>>())
            .unwrap();
        let both = [input.clone(), input.iter().map(|v| -v).collect()].concat();
        let x2 = GpuTensor::from_slice(ctx(), &[2, len], &both).unwrap();
        let want = prelu.reference(&[2, len], &both).unwrap();
        prelu.forward_in_place(ctx(), &x2).unwrap();
        assert_tensor_close(
            &format!("PReLU len {len} in place"),
            &x2,
            &[2, len],
            &both,
            &want,
            Tolerance::Exact,
        );
    }
}

/// Six layers, Softmax (not in place) among them, match the CPU composition.
#[test]
fn a_chain_of_six_layers_matches_the_cpu() {
    let prelu = PReLU::new();
    prelu.build(&[4, 33]).unwrap();
    prelu
        .set_alpha(&data(33).iter().map(|a| a * 0.05).collect::<Vec<_>>())
        .unwrap();
    let chain = Sequential::new()
        .with(LeakyReLU::new(0.2).unwrap())
        .with(ELU::new(1.0).unwrap())
        .with(prelu)
        .with(Softmax::new(-1))
        .with(ReLU::new(Some(0.5), 0.1, 0.01).unwrap())
        .with(ThresholdedReLU::new(0.02).unwrap());
    let input = data(4 * 33);
    let x = GpuTensor::from_slice(ctx(), &[4, 33], &input).unwrap();
    let got = chain.forward(ctx(), &x).unwrap();
    let want = chain.reference(&[4, 33], &input).unwrap();
    let tol = Tolerance::Ulps(64);
    assert_tensor_close("six-layer chain", &got, &[4, 33], &input, &want, tol);
    assert_eq!(
        format!("{chain:?}"),
        r#"Sequential { layers: ["LeakyReLU", "ELU", "PReLU", "Softmax", "ReLU", "ThresholdedReLU"] }"#
    );
}

/// Counted on a private context: exactly one submission for the chain.
#[test]
fn the_chain_submission_count_is_exact() {
    let ctx = wgpu_activations::GpuContext::new_blocking().unwrap();
    let chain = Sequential::new()
        .with(ReLU::default())
        .with(Softmax::new(0))
        .with(LeakyReLU::default())
        .with(ELU::default())
        .with(ThresholdedReLU::default())
        .with(ReLU::new(Some(0.9), 0.0, 0.0).unwrap());
    let x = GpuTensor::from_slice(&ctx, &[3, 5], &data(15)).unwrap();
    let before = ctx.submissions();
    let y = chain.forward(&ctx, &x).unwrap();
    assert_eq!(
        ctx.submissions() - before,
        1,
        "the chain of six took more than one submission"
    );
    y.to_vec_blocking(&ctx).unwrap();
    assert_eq!(
        ctx.submissions() - before,
        2,
        "the readback is the second and last submission"
    );
    assert_eq!(chain.layers().len(), 6);
}

#[test]
fn an_empty_chain_is_the_identity() {
    let input = data(5);
    let x = GpuTensor::from_slice(ctx(), &[5], &input).unwrap();
    let y = Sequential::new().forward(ctx(), &x).unwrap();
    assert_tensor_close("empty chain", &y, &[5], &input, &input, Tolerance::Exact);
}

#[test]
fn misuse_of_outputs_is_an_error() {
    let x = GpuTensor::from_slice(ctx(), &[2, 3], &data(6)).unwrap();
    let wrong = GpuTensor::from_slice(ctx(), &[3, 2], &data(6)).unwrap();
    let err = ReLU::default().forward_into(ctx(), &x, &wrong).unwrap_err();
    assert!(
        matches!(err, Error::Shape(_)) && err.to_string().contains("[3, 2]"),
        "{err}"
    );
    let err = ReLU::default().forward_into(ctx(), &x, &x).unwrap_err();
    assert!(err.to_string().contains("forward_in_place"), "{err}");
    let err = Softmax::new(-1).forward_in_place(ctx(), &x).unwrap_err();
    assert!(
        err.to_string().contains("Softmax cannot run in place"),
        "{err}"
    );
}
