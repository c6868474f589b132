//! Bugs found by review, one test each, named for what must hold now.

// Native: blocks on the GPU.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{ctx, plain_context};
use wgpu_activations::keras::AnyLayer;
use wgpu_activations::training::Sgd;
use wgpu_activations::{DType, Error, GpuTensor, Layer, PReLU, ReLU, Sequential, Softmax, ELU};

/// An empty chain copied its input with no context check, and wgpu-core
/// panicked on another device's buffer.
#[test]
fn an_empty_chain_rejects_another_contexts_tensors() {
    let other = plain_context();
    let foreign = GpuTensor::from_slice(&other, &[3], &[1.0, 2.0, 3.0]).unwrap();
    let mine = GpuTensor::from_slice(ctx(), &[3], &[1.0, 2.0, 3.0]).unwrap();
    let empty = Sequential::new();
    assert!(matches!(
        empty.forward(ctx(), &foreign),
        Err(Error::ContextMismatch)
    ));
    assert!(matches!(
        empty.forward_into(ctx(), &mine, &foreign),
        Err(Error::ContextMismatch)
    ));
    assert!(matches!(
        empty.backward(ctx(), &mine, &foreign),
        Err(Error::ContextMismatch)
    ));
    // A chain with layers said so already; the empty one now agrees.
    let relu = Sequential::new().with(ReLU::default());
    assert!(matches!(
        relu.forward(ctx(), &foreign),
        Err(Error::ContextMismatch)
    ));
    // And the identity still works on its own tensors.
    let y = empty
        .forward(ctx(), &mine)
        .unwrap()
        .to_vec_blocking(ctx())
        .unwrap();
    assert_eq!(y, vec![1.0, 2.0, 3.0]);
}

/// An f16 `d_alpha` was accepted and written with f32 bits; an f16
/// gradient reached an f16 build of the update kernel, which failed to
/// compile. Both are clear errors now.
#[test]
fn alpha_gradients_and_updates_take_f32_only() {
    let prelu = PReLU::new();
    let x = GpuTensor::from_slice(ctx(), &[1, 2], &[-1.0, -2.0]).unwrap();
    let dy = GpuTensor::from_slice(ctx(), &[1, 2], &[1.0, 1.0]).unwrap();
    prelu.build(&[1, 2]).unwrap();
    let halves = GpuTensor::from_slice_as(ctx(), &[2], &[0.0, 0.0], DType::F16);
    if !ctx().supports_f16() {
        // e.g. WGPU_BACKEND=gl: no f16 tensor can exist to pass.
        assert!(matches!(halves, Err(Error::MissingFeature { .. })));
        common::not_exercised(
            "regressions::alpha_gradients_and_updates_take_f32_only",
            "no SHADER_F16, so only the MissingFeature error was checked",
        );
        return;
    }
    let halves = halves.unwrap();
    let mut encoder = ctx().device().create_command_encoder(&Default::default());
    let err = prelu
        .encode_alpha_gradient(ctx(), &mut encoder, &x, &dy, &halves, false)
        .unwrap_err();
    assert!(err.to_string().contains("d_alpha must hold f32"), "{err}");
    let err = Sgd::new(0.1)
        .unwrap()
        .step(ctx(), &prelu, &halves)
        .unwrap_err();
    assert!(err.to_string().contains("must hold f32"), "{err}");
    // alpha is untouched, and an f32 step still works.
    let grad = GpuTensor::from_slice(ctx(), &[2], &[1.0, -1.0]).unwrap();
    Sgd::new(0.5).unwrap().step(ctx(), &prelu, &grad).unwrap();
    assert_eq!(prelu.read_alpha_blocking(ctx()).unwrap(), vec![-0.5, 0.5]);
}

/// `Softmax::axes(&[])` ran and returned ones; Keras rejects `axis=[]`.
#[test]
fn softmax_over_no_axes_is_an_error() {
    let layer = Softmax::axes(&[]);
    let x = GpuTensor::from_slice(ctx(), &[2, 2], &[1.0, 2.0, 3.0, 4.0]).unwrap();
    for err in [
        layer.forward(ctx(), &x).unwrap_err(),
        layer.reference(&[2, 2], &[1.0, 2.0, 3.0, 4.0]).unwrap_err(),
        layer.backward(ctx(), &x, &x).unwrap_err(),
    ] {
        assert!(
            matches!(&err, Error::InvalidArgument { argument, .. } if *argument == "axis"),
            "{err:?}"
        );
    }
}

/// `{"axis": [1]}` was written back as `{"axis": 1}`; SEMANTICS: a list
/// stays a list.
#[test]
fn a_one_axis_list_is_written_back_as_a_list() {
    use serde_json::json;
    use wgpu_activations::keras::layer_from_config;
    for axis in [json!([1]), json!(1), json!([1, 2])] {
        let layer = layer_from_config("Softmax", &json!({ "axis": axis })).unwrap();
        assert_eq!(layer.to_keras_config()["axis"], axis);
    }
    assert!(Softmax::axes(&[-1]).is_axis_list() && !Softmax::new(-1).is_axis_list());
}

/// ELU's backward with an infinite `dy` far below 0 gave NaN on the GPU
/// (inf times an exp that underflowed) and inf on the CPU: exp(x) > 0 for
/// every finite x, so both give ±inf; at x = -inf, NaN.
#[test]
fn elu_backward_with_infinite_dy_is_infinite_for_every_finite_x() {
    let elu = ELU::default();
    let x = [-150.0f32, -100.0, -50.0, -1.0, f32::NEG_INFINITY, -3.0e38];
    let dy = [
        f32::INFINITY,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::INFINITY,
        f32::INFINITY,
        f32::NEG_INFINITY,
    ];
    let xt = GpuTensor::from_slice(ctx(), &[6], &x).unwrap();
    let dyt = GpuTensor::from_slice(ctx(), &[6], &dy).unwrap();
    let gpu = elu
        .backward(ctx(), &xt, &dyt)
        .unwrap()
        .to_vec_blocking(ctx())
        .unwrap();
    let cpu = wgpu_activations::cpu::elu_backward(&elu, &x, &dy).unwrap();
    let want = [
        f32::INFINITY,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::INFINITY,
        f32::NAN,
        f32::NEG_INFINITY,
    ];
    for i in 0..x.len() {
        for (what, got) in [("gpu", gpu[i]), ("cpu", cpu[i])] {
            assert!(
                got.to_bits() == want[i].to_bits() || (got.is_nan() && want[i].is_nan()),
                "{what} at x = {}: {got} (want {})",
                x[i],
                want[i]
            );
        }
    }
}

/// ELU(-0) came back +0 from the GPU (`min(-0, 0)` may give +0); Keras gives
/// alpha * expm1(-0) = -0, as the CPU reference does. Mesa's GL compiler
/// folded the float form to +0 too, so the kernel sets the sign by bits and
/// the check holds on every backend.
#[test]
fn elu_keeps_the_sign_of_zero() {
    let x = GpuTensor::from_slice(ctx(), &[4], &[-0.0, 0.0, -0.0, 1.0]).unwrap();
    let y = ELU::default()
        .forward(ctx(), &x)
        .unwrap()
        .to_vec_blocking(ctx())
        .unwrap();
    let want = ELU::default()
        .reference(&[4], &[-0.0, 0.0, -0.0, 1.0])
        .unwrap();
    assert!(want[0].is_sign_negative(), "the reference gives -0");
    assert_eq!(
        y.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        want.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        "gpu {y:?} vs cpu {want:?}"
    );
}

/// A clone shared its original's GPU alpha: training the original changed
/// the clone's forward while the clone's `alpha()` still gave the old values.
/// Clones are independent now, whether cloned before the first GPU update or
/// between updates (copy on write), directly or inside an `AnyLayer` chain.
#[test]
fn a_cloned_prelu_keeps_its_own_alpha() {
    let x_values = [-1.0, -2.0, 3.0, -4.0];
    let x = GpuTensor::from_slice(ctx(), &[2, 2], &x_values).unwrap();
    let grad = GpuTensor::from_slice(ctx(), &[2], &[1.0, -1.0]).unwrap();
    let sgd = Sgd::new(0.5).unwrap();
    let forward = |layer: &dyn Layer| {
        layer
            .forward(ctx(), &x)
            .unwrap()
            .to_vec_blocking(ctx())
            .unwrap()
    };
    let original = PReLU::new();
    original.build(&[2, 2]).unwrap();
    original.set_alpha(&[0.25, 0.5]).unwrap();
    forward(&original); // alpha now lives on the GPU too

    let before_training = original.clone();
    sgd.step(ctx(), &original, &grad).unwrap(); // alpha [-0.25, 1.0], on the GPU only
    assert_eq!(before_training.alpha(), Some(vec![0.25, 0.5]));
    assert_eq!(forward(&before_training), [-0.25, -1.0, 3.0, -2.0]);

    // Cloned between GPU updates: both share the updated buffer until one writes.
    let between = original.clone();
    let chain = AnyLayer::Chain(vec![AnyLayer::PReLU(Box::new(original.clone()))].into());
    let chain_copy = chain.clone();
    sgd.step(ctx(), &original, &grad).unwrap(); // alpha [-0.75, 1.5]
    assert_eq!(forward(&original), [0.75, -3.0, 3.0, -6.0]);
    assert_eq!(forward(&between), [0.25, -2.0, 3.0, -4.0]);
    assert_eq!(between.read_alpha_blocking(ctx()).unwrap(), [-0.25, 1.0]);
    // Training the clone leaves the original alone, too.
    sgd.step(ctx(), &between, &grad).unwrap();
    assert_eq!(forward(&original), [0.75, -3.0, 3.0, -6.0]);
    assert_eq!(original.read_alpha_blocking(ctx()).unwrap(), [-0.75, 1.5]);

    let AnyLayer::Chain(layers) = &chain else {
        unreachable!()
    };
    sgd.step(ctx(), layers[0].as_prelu().unwrap(), &grad)
        .unwrap();
    assert_eq!(forward(&chain_copy), [0.25, -2.0, 3.0, -4.0]);
}

/// `read_npy` took an empty shape whose other dims overflow usize (found by
/// tests/fuzz.rs), which every other entry point refuses.
#[test]
fn npy_shapes_are_counted_as_everywhere_else() {
    let header =
        "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 18446744073709551615, 5), }";
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    let padded = format!("{header:<118}\n");
    bytes.extend_from_slice(&u16::try_from(padded.len()).unwrap().to_le_bytes());
    bytes.extend_from_slice(padded.as_bytes());
    let err = wgpu_activations::keras::read_npy(&bytes).unwrap_err();
    assert!(matches!(err, Error::Npy(_)), "{err}");
    assert!(err.to_string().contains("18446744073709551615"), "{err}");
}
