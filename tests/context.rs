//! `GpuContext` and the dispatch machinery: the pipeline cache (compile once,
//! also under contention), a borrowed device, bindings cut into chunks when a
//! tensor exceeds `max_storage_buffer_binding_size`, and size errors that
//! leave the context usable.

// Native: blocks on the GPU; the browser runs tests/browser.rs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::sync::Barrier;

use common::{assert_all_close, ctx, device_with, Tolerance};
use wgpu_activations::training::{Constraint, Regularizer, Sgd};
use wgpu_activations::{
    wgpu, Error, GpuContext, GpuTensor, Layer, LeakyReLU, PReLU, ReLU, Sequential, Softmax,
    SoftmaxMapping, ThresholdedReLU, ELU,
};

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn context_and_tensors_are_send_and_sync() {
    assert_send_sync::<GpuContext>();
    assert_send_sync::<GpuTensor>();
    assert_send_sync::<PReLU>();
}

#[test]
fn adapter_info_and_limits_are_exposed() {
    let info = ctx().adapter_info();
    assert!(!info.name.is_empty());
    // The device asks for the adapter's own limits, more than WebGPU's defaults where offered.
    assert!(
        ctx().limits().max_storage_buffer_binding_size
            >= wgpu::Limits::downlevel_defaults().max_storage_buffer_binding_size
    );
}

#[test]
fn the_second_forward_compiles_nothing() {
    let (device, queue) = device_with(|_| {});
    let ctx = GpuContext::from_device(device, queue);
    let x = GpuTensor::from_slice(&ctx, &[4], &[-1.0, 0.0, 1.0, 2.0]).unwrap();
    let layers: [&dyn Layer; 5] = [
        &ReLU::default(),
        &LeakyReLU::default(),
        &ELU::default(),
        &ThresholdedReLU::default(),
        &PReLU::new(),
    ];
    for (i, layer) in layers.iter().enumerate() {
        layer.forward(&ctx, &x).unwrap();
        assert_eq!(
            ctx.pipelines_compiled(),
            i + 1,
            "{} compiles once",
            layer.class_name()
        );
        layer.forward(&ctx, &x).unwrap();
        assert_eq!(
            ctx.pipelines_compiled(),
            i + 1,
            "{} compiled again",
            layer.class_name()
        );
    }
    ReLU::new(Some(1.0), 0.5, 0.25)
        .unwrap()
        .forward(&ctx, &x)
        .unwrap();
    assert_eq!(
        ctx.pipelines_compiled(),
        5,
        "a new parameter value compiled a pipeline"
    );
}

/// Runs `op` with `first`, then with `second` (another parameter value, row
/// length or shape of the same kind of work), on a fresh context: the first
/// run must compile something, the second nothing.
#[track_caller]
fn compiles_once(what: &str, op: impl Fn(&GpuContext, f32)) {
    let (device, queue) = device_with(|_| {});
    let ctx = GpuContext::from_device(device, queue);
    op(&ctx, 1.0);
    let compiled = ctx.pipelines_compiled();
    assert!(compiled > 0, "{what}: nothing compiled");
    op(&ctx, 2.0);
    assert_eq!(
        ctx.pipelines_compiled(),
        compiled,
        "{what}: a second parameter value compiled a pipeline"
    );
}

/// A tensor of `shape` with values that depend on `k`.
fn tensor(ctx: &GpuContext, shape: &[usize], k: f32) -> GpuTensor {
    let n = shape.iter().product::<usize>();
    let values: Vec<f32> = (0..n).map(|i| (i as f32 - 3.0) * 0.5 * k).collect();
    GpuTensor::from_slice(ctx, shape, &values).unwrap()
}

/// Parameters travel in uniforms, never in the pipeline: every kind of
/// kernel (forward, backward, softmax under each mapping, split rows,
/// PReLU's gradient and training kernels) compiles once for all values.
#[test]
fn every_kernel_compiles_once_whatever_its_parameters() {
    let layer = |k: f32| -> Vec<Box<dyn Layer>> {
        vec![
            Box::new(ReLU::new(Some(6.0 * k), 0.1 * k, 0.5 * k).unwrap()),
            Box::new(LeakyReLU::new(0.2 * k).unwrap()),
            Box::new(ELU::new(k).unwrap()),
            Box::new(ThresholdedReLU::new(k).unwrap()),
        ]
    };
    for i in 0..layer(1.0).len() {
        let name = layer(1.0)[i].class_name();
        compiles_once(&format!("{name} forward"), |ctx, k| {
            layer(k)[i].forward(ctx, &tensor(ctx, &[8], k)).unwrap();
        });
        compiles_once(&format!("{name} backward"), |ctx, k| {
            let (x, dy) = (tensor(ctx, &[8], k), tensor(ctx, &[8], -k));
            layer(k)[i].backward(ctx, &x, &dy).unwrap();
        });
    }
    let prelu = |ctx: &GpuContext, k: f32| {
        let p = PReLU::new().with_regularizer(Regularizer::l1_l2(0.01 * k, 0.02 * k).unwrap());
        p.build(&[2, 4]).unwrap();
        p.set_alpha(&[0.1 * k, 0.2, 0.3, 0.4 * k]).unwrap();
        (p, tensor(ctx, &[2, 4], k), tensor(ctx, &[2, 4], -k))
    };
    compiles_once("PReLU forward", |ctx, k| {
        let (p, x, _) = prelu(ctx, k);
        p.forward(ctx, &x).unwrap();
    });
    compiles_once("PReLU gradients", |ctx, k| {
        let (p, x, dy) = prelu(ctx, k);
        p.gradients(ctx, &x, &dy).unwrap();
    });
    compiles_once("PReLU penalty, SGD step and constraint", |ctx, k| {
        let (p, x, dy) = prelu(ctx, k);
        let p = p.with_constraint(Constraint::max_norm(k, &[0]).unwrap());
        let grads = p.gradients(ctx, &x, &dy).unwrap();
        p.regularization_penalty(ctx).unwrap();
        Sgd::new(0.1 * k)
            .unwrap()
            .step(ctx, &p, &grads.d_alpha)
            .unwrap();
        p.apply_constraint(ctx).unwrap();
    });
    for mapping in [
        SoftmaxMapping::InvocationPerRow,
        SoftmaxMapping::WorkgroupPerRow,
    ] {
        // Another row length and row count is a value too.
        compiles_once(&format!("Softmax {mapping:?}"), |ctx, k| {
            let shape = [2 * k as usize, 5 + k as usize];
            let softmax = Softmax::new(-1).with_mapping(mapping);
            let y = softmax.forward(ctx, &tensor(ctx, &shape, k)).unwrap();
            softmax.backward(ctx, &y, &tensor(ctx, &shape, -k)).unwrap();
        });
    }
    compiles_once("Softmax over axis 0, masked", |ctx, k| {
        let shape = [3 + k as usize, 4];
        let mask = GpuTensor::from_mask(ctx, &[4], &[true, false, true, k > 1.5]).unwrap();
        Softmax::new(0)
            .forward_masked(ctx, &tensor(ctx, &shape, k), Some(&mask))
            .unwrap();
    });
    compiles_once("Softmax over rows cut into segments", |ctx, k| {
        // Rows past 1,024 elements per invocation are split (docs/ACCURACY.md, "How Softmax runs").
        let shape = [1, 300_000 + 1000 * k as usize];
        let softmax = Softmax::new(-1);
        let y = softmax.forward(ctx, &tensor(ctx, &shape, k)).unwrap();
        softmax.backward(ctx, &y, &tensor(ctx, &shape, -k)).unwrap();
    });
}

#[test]
fn threads_racing_for_one_pipeline_compile_it_once() {
    let (device, queue) = device_with(|_| {});
    let ctx = GpuContext::from_device(device, queue);
    let x = GpuTensor::from_slice(&ctx, &[3], &[-1.0, 0.0, 1.0]).unwrap();
    let threads = 8;
    let barrier = Barrier::new(threads);
    std::thread::scope(|s| {
        for t in 0..threads {
            let (ctx, x, barrier) = (&ctx, &x, &barrier);
            s.spawn(move || {
                let layer = LeakyReLU::new(t as f32 * 0.1).unwrap();
                barrier.wait();
                let y = layer.forward(ctx, x).unwrap().to_vec_blocking(ctx).unwrap();
                assert_eq!(y, layer.reference(&[3], &[-1.0, 0.0, 1.0]).unwrap());
            });
        }
    });
    assert_eq!(ctx.pipelines_compiled(), 1);
}

/// With a 4 KiB binding limit, a 10,003-element tensor is bound in chunks of
/// 1,024 elements, and PReLU's alpha index still follows the whole tensor.
#[test]
fn tensors_over_the_binding_limit_run_in_chunks() {
    let (device, queue) = device_with(|l| {
        l.max_storage_buffer_binding_size = 4096;
    });
    let ctx = GpuContext::from_device(device, queue);
    assert_eq!(ctx.limits().max_storage_buffer_binding_size, 4096);
    let n = 10_003;
    let input: Vec<f32> = (0..n).map(|i| (i as f32 - 5000.0) * 0.37).collect();
    let x = GpuTensor::from_slice(&ctx, &[1, n], &input).unwrap();
    let relu = ReLU::new(Some(900.0), 0.25, 1.0).unwrap();
    let got = relu
        .forward(&ctx, &x)
        .unwrap()
        .to_vec_blocking(&ctx)
        .unwrap();
    assert_eq!(got, relu.reference(&[1, n], &input).unwrap());

    // alpha of shape [1, 1000]... broadcast over [10, 1000]: 40 KB input in 1 KiB-element chunks.
    let prelu = PReLU::new();
    let shape = [10, 1000];
    prelu.build(&shape).unwrap();
    prelu
        .set_alpha(&(0..1000).map(|i| i as f32 / 1000.0).collect::<Vec<_>>())
        .unwrap();
    let data: Vec<f32> = (0..10_000).map(|i| -((i % 13) as f32) - 1.0).collect();
    let x = GpuTensor::from_slice(&ctx, &shape, &data).unwrap();
    let got = prelu
        .forward(&ctx, &x)
        .unwrap()
        .to_vec_blocking(&ctx)
        .unwrap();
    assert_eq!(got, prelu.reference(&shape, &data).unwrap());

    // An alpha bigger than one binding is an error naming the limit.
    let big = PReLU::new();
    let x = GpuTensor::from_slice(&ctx, &[1, 2000], &[1.0; 2000]).unwrap();
    let err = big.forward(&ctx, &x).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                limit_name: "max_storage_buffer_binding_size",
                ..
            }
        ),
        "{err}"
    );
    // The context is still usable.
    assert_eq!(
        ReLU::default()
            .forward(&ctx, &x)
            .unwrap()
            .to_vec_blocking(&ctx)
            .unwrap(),
        vec![1.0; 2000]
    );
}

#[test]
fn tensors_over_max_buffer_size_are_errors_and_the_context_survives() {
    let (device, queue) = device_with(|l| {
        l.max_buffer_size = 1 << 16;
    });
    let ctx = GpuContext::from_device(device, queue);
    let err = GpuTensor::from_slice(&ctx, &[20_000], &vec![0.0; 20_000]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                limit_name: "max_buffer_size",
                size: 80_000,
                limit: 65_536,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("max_buffer_size"), "{err}");
    let x = GpuTensor::from_slice(&ctx, &[3], &[-1.0, 0.0, 1.0]).unwrap();
    assert_eq!(
        ReLU::default()
            .forward(&ctx, &x)
            .unwrap()
            .to_vec_blocking(&ctx)
            .unwrap(),
        vec![0.0, 0.0, 1.0]
    );
}

#[test]
fn shapes_that_overflow_are_errors() {
    let err = GpuTensor::from_slice(ctx(), &[usize::MAX, 3], &[]).unwrap_err();
    assert!(matches!(err, Error::Shape(_)), "{err}");
}

#[test]
fn a_tensor_from_another_context_is_an_error() {
    let (device, queue) = device_with(|_| {});
    let other = GpuContext::from_device(device, queue);
    let x = GpuTensor::from_slice(&other, &[2], &[1.0, 2.0]).unwrap();
    let forward = ReLU::default().forward(ctx(), &x);
    assert!(
        matches!(forward, Err(Error::ContextMismatch)),
        "{forward:?}"
    );
    assert!(matches!(
        x.to_vec_blocking(ctx()),
        Err(Error::ContextMismatch)
    ));
}

#[test]
fn outputs_feed_the_next_layer_on_the_gpu() {
    let data = [-3.0, -1.0, 0.5, 2.0, 8.0];
    let x = GpuTensor::from_slice(ctx(), &[5], &data).unwrap();
    let leaky = LeakyReLU::new(0.5).unwrap();
    let relu = ReLU::new(Some(6.0), 0.0, 0.0).unwrap();
    let y = relu
        .forward(ctx(), &leaky.forward(ctx(), &x).unwrap())
        .unwrap();
    let want = relu
        .reference(&[5], &leaky.reference(&[5], &data).unwrap())
        .unwrap();
    assert_eq!(y.to_vec_blocking(ctx()).unwrap(), want);
}

/// Optional features (subgroups) are requested exactly when the adapter has them.
#[test]
fn optional_features_follow_the_adapter() {
    let adapter_features = common::test_adapter().features();
    let ctx_features = ctx().features();
    assert!(
        adapter_features.contains(ctx_features),
        "asked for {ctx_features:?} beyond {adapter_features:?}"
    );
    assert_eq!(
        adapter_features.contains(wgpu::Features::SUBGROUP),
        ctx_features.contains(wgpu::Features::SUBGROUP),
        "SUBGROUP offered but not requested"
    );
}

/// A dropped tensor's buffer is released at once (destroyed: in a browser
/// wgpu would leave it to the garbage collector), so a loop of forwards and
/// readbacks holds no more buffers at its end than at its start; but a
/// buffer that an encoder not yet submitted may use is never destroyed: a
/// chain and a split softmax recorded into the caller's own encoder, whose
/// intermediates and partials drop before the caller submits, still run.
#[test]
fn dropped_tensors_release_their_buffers_but_never_under_a_callers_encoder() {
    // A context of its own: other tests' tensors would move the count.
    let ctx = GpuContext::new_blocking().unwrap();
    let chain = Sequential::new()
        .with(ReLU::new(Some(3.0), 0.1, 0.0).unwrap())
        .with(ELU::new(0.5).unwrap())
        .with(Softmax::new(-1));
    let n = 100_000; // past one workgroup's share: softmax splits the row
    let values: Vec<f32> = (0..n)
        .map(|i| ((i * 37) % 101) as f32 / 10.0 - 5.0)
        .collect();
    let x = GpuTensor::from_slice(&ctx, &[1, n], &values).unwrap();
    let want = chain.reference(&[1, n], &values).unwrap();
    let baseline = ctx.buffers_alive();
    for _ in 0..5 {
        let y = chain.forward(&ctx, &x).unwrap();
        assert_eq!(ctx.buffers_alive(), baseline + 1, "the output alone");
        assert_all_close(
            "chain",
            &values,
            &y.to_vec_blocking(&ctx).unwrap(),
            &want,
            Tolerance::Ulps(8),
        );
    }
    assert_eq!(ctx.buffers_alive(), baseline);

    let out = GpuTensor::from_slice(&ctx, &[1, n], &vec![0.0; n]).unwrap();
    let mut encoder = ctx.device().create_command_encoder(&Default::default());
    chain.encode(&ctx, &mut encoder, &x, &out).unwrap();
    // A readback of another tensor in between: the crate's own submission
    // must not destroy what the caller's encoder holds.
    assert_eq!(x.to_vec_blocking(&ctx).unwrap(), values);
    ctx.queue().submit([encoder.finish()]);
    assert_all_close(
        "chain in the caller's encoder",
        &values,
        &out.to_vec_blocking(&ctx).unwrap(),
        &want,
        Tolerance::Ulps(8),
    );
}

/// A host's device with a small binding limit (as `wgpu::Limits::default()`
/// binds 128 MiB): the row kernels bind tensors over the limit in groups of
/// whole rows along the outermost kept axis, forward and backward, with
/// and without a mask; a reduction over the outermost axis of such a
/// tensor is a clear `TooLarge`.
#[test]
fn row_kernels_bind_tensors_over_the_limit_in_groups_of_rows() {
    let (device, queue) = device_with(|l| {
        l.max_storage_buffer_binding_size = 64 << 10;
    });
    let ctx = GpuContext::from_device(device, queue);
    let shape = [6, 7, 1000]; // 168 KB: three bindings' worth
    let n: usize = shape.iter().product();
    let x = common::spread(n, -6.0, 6.0, 11);
    let dy = common::spread(n, -1.0, 1.0, 12);
    let xt = GpuTensor::from_slice(&ctx, &shape, &x).unwrap();
    let dyt = GpuTensor::from_slice(&ctx, &shape, &dy).unwrap();
    let functions: Vec<(Box<dyn Layer>, Tolerance)> = vec![
        (Box::new(Softmax::new(-1)), common::SOFTMAX),
        (Box::new(Softmax::axes(&[1, 2])), common::SOFTMAX),
        (Box::new(Softmax::new(1)), common::SOFTMAX),
        (
            Box::new(wgpu_activations::Activation::new("log_softmax").unwrap()),
            Tolerance::Ulps(4),
        ),
        (
            Box::new(wgpu_activations::Activation::new("sparsemax").unwrap()),
            Tolerance::Ulps(4),
        ),
    ];
    for (layer, tol) in &functions {
        let what = format!("{} over the binding limit", layer.class_name());
        let y = layer.forward(&ctx, &xt).unwrap();
        // Bit for bit what the same kernels give bound whole (a device of
        // the same adapter and features, with its full binding limit), and
        // within the function's bound of the CPU reference.
        let whole = common::plain_context();
        let x_whole = GpuTensor::from_slice(&whole, &shape, &x).unwrap();
        let y_whole = layer
            .forward(&whole, &x_whole)
            .unwrap()
            .to_vec_blocking(&whole)
            .unwrap();
        let got = y.to_vec_blocking(&ctx).unwrap();
        assert_all_close(&what, &x, &got, &y_whole, Tolerance::Exact);
        if layer.class_name() == "Softmax" {
            let want = layer.reference(&shape, &x).unwrap();
            assert_all_close(&what, &x, &got, &want, *tol);
        }
        let saved = match layer.backward_reads() {
            wgpu_activations::Saved::Input => xt.clone(),
            wgpu_activations::Saved::Output => y.clone(),
        };
        let dx = layer.backward(&ctx, &saved, &dyt).unwrap();
        let saved_whole =
            GpuTensor::from_slice(&whole, &shape, &saved.to_vec_blocking(&ctx).unwrap()).unwrap();
        let dy_whole = GpuTensor::from_slice(&whole, &shape, &dy).unwrap();
        let want_dx = layer.backward(&whole, &saved_whole, &dy_whole).unwrap();
        assert_all_close(
            &format!("{what}, backward"),
            &x,
            &dx.to_vec_blocking(&ctx).unwrap(),
            &want_dx.to_vec_blocking(&whole).unwrap(),
            Tolerance::Exact,
        );
    }
    // Masks: one of the input's shape, one broadcast over the outer axis.
    for mask_shape in [&shape[..], &[1, 7, 1000][..]] {
        let len: usize = mask_shape.iter().product();
        let keep: Vec<bool> = (0..len).map(|i| i % 3 != 0).collect();
        let mask = GpuTensor::from_mask(&ctx, mask_shape, &keep).unwrap();
        let softmax = Softmax::new(-1);
        let y = softmax.forward_masked(&ctx, &xt, Some(&mask)).unwrap();
        let mask_values: Vec<f32> = keep.iter().map(|&k| if k { 1.0 } else { 0.0 }).collect();
        let want =
            wgpu_activations::cpu::softmax(&softmax, &shape, &x, Some((mask_shape, &mask_values)))
                .unwrap();
        assert_all_close(
            &format!("masked {mask_shape:?}"),
            &x,
            &y.to_vec_blocking(&ctx).unwrap(),
            &want,
            common::SOFTMAX,
        );
    }
    // Over the outermost axis every row spans the tensor: no group fits.
    let err = Softmax::new(0).forward(&ctx, &xt).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                limit_name: "max_storage_buffer_binding_size",
                ..
            }
        ),
        "{err}"
    );
}

/// A dropped tensor's buffer is kept for the next tensor of its size: a
/// warm loop of `forward` calls makes no new (zero-filled) buffers, and the
/// reused buffers' old contents never show in a result.
#[test]
fn forward_outputs_reuse_dropped_tensors_buffers() {
    let ctx = GpuContext::new_blocking().unwrap();
    let shape = [3, 5];
    let x = GpuTensor::from_slice(&ctx, &shape, &common::spread(15, -3.0, 3.0, 9)).unwrap();
    let softmax = Softmax::new(-1);
    let relu = ReLU::new(None, 0.5, 0.0).unwrap();
    let y = relu.forward(&ctx, &x).unwrap();
    let first = y.to_vec_blocking(&ctx).unwrap();
    assert_eq!(ctx.pooled_bytes(), 0);
    drop(y);
    assert_eq!(ctx.pooled_bytes(), 64, "15 f32 padded to 16");
    for _ in 0..3 {
        // Each output takes the kept buffer (holding the last result).
        let y = softmax.forward(&ctx, &x).unwrap();
        assert_eq!(ctx.pooled_bytes(), 0);
        let want = softmax
            .reference(&shape, &x.to_vec_blocking(&ctx).unwrap())
            .unwrap();
        common::assert_all_close(
            "softmax into a reused buffer",
            &first,
            &y.to_vec_blocking(&ctx).unwrap(),
            &want,
            common::SOFTMAX,
        );
        drop(y);
        let y = relu.forward(&ctx, &x).unwrap();
        assert_eq!(y.to_vec_blocking(&ctx).unwrap(), first);
    }
    // zeros() never takes a reused buffer.
    drop(GpuTensor::full(&ctx, &shape, 7.0, wgpu_activations::DType::F32).unwrap());
    assert_eq!(
        GpuTensor::zeros(&ctx, &shape, wgpu_activations::DType::F32)
            .unwrap()
            .to_vec_blocking(&ctx)
            .unwrap(),
        [0.0; 15]
    );
}
