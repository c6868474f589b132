//! The browser suite: every layer's forward pass against its CPU reference in
//! a real browser's WebGPU (headless Chromium in CI, see `.ci/wasm`), softmax
//! over the last and the first axis and with a mask, PReLU with shared axes,
//! argument errors, and proof that the browser's WebGPU is what ran.
//!
//! `cargo test --target wasm32-unknown-unknown` (the runner is set in
//! `.cargo/config.toml`; docs/BROWSER.md). Sizes stay small:
//! Chromium without a GPU runs WebGPU on SwiftShader, on the CPU.

// Browser only; the native suites are the other files in tests/.
#![cfg(target_arch = "wasm32")]

// The suite's comparison rules (tests/common/compare.rs); `common` itself
// holds blocking GPU helpers a browser cannot run.
#[path = "common/compare.rs"]
mod compare;

use compare::{
    assert_all_close, assert_each, close, derivative_terms, softmax_backward_close, Tolerance,
    SOFTMAX,
};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};
use wgpu_activations::{
    cpu, wgpu, Error, GpuContext, GpuTensor, Layer, LeakyReLU, PReLU, ReLU, Sequential, Softmax,
    ThresholdedReLU, ELU,
};

wasm_bindgen_test_configure!(run_in_browser);

/// A context on the browser's adapter; no WebGPU fails the test with the reason.
async fn ctx() -> GpuContext {
    GpuContext::new()
        .await
        .unwrap_or_else(|e| panic!("the browser tests need WebGPU: {e}"))
}

/// `n` inputs spread over [-4, 4) with the edge cases at the front.
fn sample(n: usize) -> Vec<f32> {
    let edges = [0.0, -0.0, 1.0, -1.0, 0.5, 6.5, -1e-3, f32::NAN];
    (0..n)
        .map(|i| match edges.get(i) {
            Some(&e) => e,
            None => ((i * 37) % 101) as f32 / 12.625 - 4.0,
        })
        .collect()
}

/// Runs `layer` on the GPU and on the CPU; the shape kept and every element
/// within `tol`.
async fn check(ctx: &GpuContext, layer: &dyn Layer, shape: &[usize], x: &[f32], tol: Tolerance) {
    let what = format!("{} on {shape:?}", layer.class_name());
    let input = GpuTensor::from_slice(ctx, shape, x).expect("upload");
    let y = layer.forward(ctx, &input).expect("forward");
    assert_eq!(y.shape(), shape, "{what}: shape");
    let gpu = y
        .to_vec(ctx)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let want = layer.reference(shape, x).expect("the CPU reference");
    assert_all_close(&what, x, &gpu, &want, tol);
}

const SHAPES: [&[usize]; 4] = [&[1], &[7], &[3, 5], &[2, 3, 4]];

#[wasm_bindgen_test]
async fn the_browsers_webgpu_runs_the_layers() {
    let ctx = ctx().await;
    let info = ctx.adapter_info();
    let limits = ctx.limits();
    console_log!(
        "adapter {:?}: backend {:?}, type {:?}; max_compute_invocations_per_workgroup {}, \
         max_compute_workgroup_size_x {}, max_storage_buffer_binding_size {}, \
         max_buffer_size {}, features {:?}",
        info.name,
        info.backend,
        info.device_type,
        limits.max_compute_invocations_per_workgroup,
        limits.max_compute_workgroup_size_x,
        limits.max_storage_buffer_binding_size,
        limits.max_buffer_size,
        ctx.features(),
    );
    for kernel in wgpu_activations::internals::all_kernels() {
        let size = wgpu_activations::internals::workgroup_size(&ctx, kernel);
        assert!(
            size <= limits.max_compute_invocations_per_workgroup
                && size <= limits.max_compute_workgroup_size_x,
            "{kernel:?} runs {size} invocations per workgroup, over the limits"
        );
    }
    // wasm builds of wgpu could also reach WebGL through wgpu-core; this
    // crate's must reach the browser's own WebGPU.
    assert_eq!(info.backend, wgpu::Backend::BrowserWebGpu, "{info:?}");
    let navigator = web_sys::window().expect("a window").navigator();
    assert!(
        js_sys::Reflect::has(&navigator, &"gpu".into()).expect("navigator is an object"),
        "navigator.gpu is missing, yet an adapter was found"
    );
    // And work done there comes back: a layer whose output differs from its input.
    let x = GpuTensor::from_slice(&ctx, &[3], &[-1.0, 0.5, 9.0]).unwrap();
    let y = ReLU::new(Some(6.0), 0.0, 0.0)
        .unwrap()
        .forward(&ctx, &x)
        .unwrap();
    let got = y.to_vec(&ctx).await.unwrap();
    let (input, want) = ([-1.0, 0.5, 9.0], [0.0, 0.5, 6.0]);
    assert_all_close("ReLU(max 6)", &input, &got, &want, Tolerance::Exact);
}

#[wasm_bindgen_test]
async fn piecewise_linear_layers_match_the_cpu_exactly() {
    let ctx = ctx().await;
    let layers: Vec<Box<dyn Layer>> = vec![
        Box::new(ReLU::default()),
        Box::new(ReLU::new(Some(6.0), 0.1, 0.5).unwrap()),
        Box::new(LeakyReLU::new(0.2).unwrap()),
        Box::new(ThresholdedReLU::new(0.75).unwrap()),
        Box::new(wgpu_activations::Activation::new("relu6").unwrap()),
        Box::new(wgpu_activations::Activation::relu(-0.5, Some(2.5), -0.5).unwrap()),
        Box::new(wgpu_activations::Activation::new("linear").unwrap()),
        Box::new(wgpu_activations::Activation::new("hard_tanh").unwrap()),
        Box::new(wgpu_activations::Activation::hard_shrink(0.3).unwrap()),
        Box::new(wgpu_activations::Activation::soft_shrink(0.3).unwrap()),
        Box::new(wgpu_activations::Activation::threshold(0.5, -1.0).unwrap()),
        Box::new(wgpu_activations::Activation::new("sparse_sigmoid").unwrap()),
        Box::new(wgpu_activations::Activation::new("sparse_plus").unwrap()),
        Box::new(PReLU::new().with_initializer(wgpu_activations::Initializer::Constant(0.25))),
    ];
    for layer in &layers {
        for shape in SHAPES {
            // PReLU builds on its first input; later ones must match it.
            let shape = if layer.class_name() == "PReLU" {
                &[2, 3, 4]
            } else {
                shape
            };
            let n = shape.iter().product();
            check(&ctx, layer.as_ref(), shape, &sample(n), Tolerance::Exact).await;
        }
    }
}

/// The transcendental `keras.activations` functions, forward (on the
/// shared samples and on 4096 values over [-40, 40) with their tails) and
/// backward, against their f64 CPU twins under the browser's WebGPU: each within the
/// bound tests/elementwise.rs and tests/backward.rs state natively (one
/// ulp more here: SwiftShader rounds and fuses its own way), and silu',
/// mish' and gelu' also within 3 eps |dy| of their two terms where those
/// cancel (`derivative_terms`).
#[wasm_bindgen_test]
async fn transcendental_functions_match_the_cpu() {
    let ctx = ctx().await;
    let x = sample(15);
    let dy: Vec<f32> = (0..15).map(|i| (i % 7) as f32 / 2.0 - 1.5).collect();
    let none = || serde_json::json!({});
    // (function, kwargs, forward ulps, backward ulps): the native bounds + 1.
    let functions = [
        ("sigmoid", none(), 4, 5),
        ("tanh", none(), 3, 5),
        ("softplus", none(), 4, 5),
        ("log_sigmoid", none(), 4, 5),
        ("silu", none(), 5, 6),
        ("swish", none(), 5, 6),
        ("mish", none(), 6, 10),
        ("selu", none(), 4, 5),
        ("celu", serde_json::json!({"alpha": 0.7}), 4, 4),
        ("gelu", none(), 6, 8),
        ("gelu", serde_json::json!({"approximate": true}), 6, 8),
        ("exponential", none(), 3, 4),
        ("tanh_shrink", none(), 5, 6),
    ];
    // Also 4096 values over [-40, 40), and their tails past ±100.
    let wide: Vec<f32> = (0..4096)
        .map(|i| i as f32 / 51.2 - 40.0)
        .chain([
            -1e4, -150.0, -103.0, -88.0, 88.0, 88.72284, 1e4, 3e38, -3e38,
        ])
        .collect();
    for (name, kwargs, forward, backward) in functions {
        let layer = wgpu_activations::Activation::with_kwargs(name, &kwargs).expect(name);
        let wide_shape = [wide.len()];
        for shape in SHAPES.iter().copied().chain([&wide_shape[..]]) {
            let n = shape.iter().product();
            let x = if n == wide.len() {
                wide.clone()
            } else {
                sample(n)
            };
            let what = format!("{name} {kwargs} on {shape:?}");
            let input = GpuTensor::from_slice(&ctx, shape, &x).expect("upload");
            let gpu = layer
                .forward(&ctx, &input)
                .expect("forward")
                .to_vec(&ctx)
                .await
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            let want = layer.reference(shape, &x).expect("the CPU reference");
            assert_all_close(&what, &x, &gpu, &want, Tolerance::Ulps(forward));
        }
        let wide_dy: Vec<f32> = (0..wide.len())
            .map(|i| (i % 11) as f32 / 4.0 - 1.25)
            .collect();
        let approximate = kwargs["approximate"] == true;
        for (x, dy) in [(&x, &dy), (&wide, &wide_dy)] {
            let what = format!("{name} {kwargs} backward on {}", x.len());
            let shape = [x.len()];
            let xt = GpuTensor::from_slice(&ctx, &shape, x).expect("upload");
            let dyt = GpuTensor::from_slice(&ctx, &shape, dy).expect("upload");
            let gpu = layer
                .backward(&ctx, &xt, &dyt)
                .expect("backward")
                .to_vec(&ctx)
                .await
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            let want = layer.reference_backward(&shape, x, dy).expect("reference");
            assert_each(&what, &gpu, &want, |i, g, w| {
                let floor = derivative_terms(layer.name(), approximate, x[i]).map_or(0.0, |t| {
                    3.0 * f64::from(f32::EPSILON) * f64::from(dy[i]).abs() * t
                });
                close(g, w, Tolerance::Ulps(backward))
                    || g.is_finite()
                        && w.is_finite()
                        && (f64::from(g) - f64::from(w)).abs() <= floor
            });
        }
    }
}

#[wasm_bindgen_test]
async fn elu_matches_the_cpu_within_4_ulps() {
    let ctx = ctx().await;
    for alpha in [1.0, 0.3] {
        for shape in SHAPES {
            let n = shape.iter().product();
            let elu = ELU::new(alpha).unwrap();
            check(&ctx, &elu, shape, &sample(n), Tolerance::Ulps(4)).await;
        }
    }
}

/// The functions with a division or a square root, within the bounds
/// tests/elementwise.rs states.
#[wasm_bindgen_test]
async fn dividing_functions_match_the_cpu_within_their_bounds() {
    let ctx = ctx().await;
    for (name, ulps) in [
        ("hard_sigmoid", 3),
        ("hard_silu", 4),
        ("softsign", 4),
        ("squareplus", 4),
    ] {
        let function = wgpu_activations::Activation::new(name).unwrap();
        for shape in SHAPES {
            let n = shape.iter().product();
            check(&ctx, &function, shape, &sample(n), Tolerance::Ulps(ulps)).await;
        }
    }
}

/// sparsemax per row on the browser's WebGPU: within 16 eps (1 + max |x|)
/// of the f64 twin (tests/axis_functions.rs states the bound), each row
/// summing to 1.
#[wasm_bindgen_test]
async fn sparsemax_matches_the_cpu() {
    let ctx = ctx().await;
    let sparsemax = wgpu_activations::Activation::new("sparsemax").unwrap();
    for shape in [&[7][..], &[3, 5], &[2, 3, 300]] {
        let n: usize = shape.iter().product();
        // No NaN: a NaN entry leaves the row's sum short of 1.
        let x: Vec<f32> = sample(n)
            .into_iter()
            .map(|v| if v.is_nan() { 2.0 } else { v })
            .collect();
        let input = GpuTensor::from_slice(&ctx, shape, &x).expect("upload");
        let y = sparsemax
            .forward(&ctx, &input)
            .expect("forward")
            .to_vec(&ctx)
            .await
            .expect("readback");
        let want = sparsemax.reference(shape, &x).expect("the CPU twin");
        let bound = 16.0 * f32::EPSILON * 8.0;
        for (i, (g, w)) in y.iter().zip(&want).enumerate() {
            assert!(
                (g - w).abs() <= bound,
                "sparsemax on {shape:?}: y[{i}] = {g} vs {w}"
            );
        }
        // The backward kernel compiles under Tint's uniformity rules too.
        let dy = GpuTensor::from_slice(&ctx, shape, &vec![0.5; n]).expect("upload");
        let dx = sparsemax.backward(&ctx, &input, &dy).expect("backward");
        dx.to_vec(&ctx)
            .await
            .expect("sparsemax's backward runs in Chromium");
        let last = *shape.last().unwrap();
        for row in y.chunks(last) {
            let sum: f32 = row.iter().sum();
            assert!(
                (sum - 1.0).abs() < 1e-5,
                "sparsemax on {shape:?}: a row sums to {sum}"
            );
        }
    }
}

/// log_softmax and glu against their f64 twins (bounds of
/// tests/axis_functions.rs, one ulp more for SwiftShader), and their
/// backward kernels compiled by Chromium's Tint, which checks what naga
/// does not (uniform control flow around barriers, constant infinities).
#[wasm_bindgen_test]
async fn log_softmax_and_glu_match_the_cpu() {
    let ctx = ctx().await;
    for (name, ulps) in [("log_softmax", 5), ("glu", 5)] {
        let function = wgpu_activations::Activation::new(name).unwrap();
        for shape in [&[8][..], &[3, 6], &[2, 3, 300]] {
            let n: usize = shape.iter().product();
            let x = sample(n);
            let input = GpuTensor::from_slice(&ctx, shape, &x).expect("upload");
            let y = function.forward(&ctx, &input).expect("forward");
            assert_eq!(y.shape(), function.output_shape(shape).unwrap().as_slice());
            let got = y.to_vec(&ctx).await.expect("readback");
            let want = function.reference(shape, &x).expect("the CPU twin");
            let what = format!("{name} on {shape:?}");
            assert_all_close(&what, &got, &got, &want, Tolerance::Ulps(ulps));
            let dy = GpuTensor::from_slice(&ctx, y.shape(), &vec![0.5; got.len()]).expect("upload");
            let saved = match function.backward_reads() {
                wgpu_activations::Saved::Input => input,
                wgpu_activations::Saved::Output => y,
            };
            let dx = function.backward(&ctx, &saved, &dy).expect("backward");
            dx.to_vec(&ctx)
                .await
                .expect("the backward kernel runs in Chromium");
        }
    }
}

#[wasm_bindgen_test]
async fn prelu_with_shared_axes() {
    let ctx = ctx().await;
    let shape = [2, 3, 4];
    let x = sample(24);
    for (shared, alpha_shape) in [
        (&[1][..], vec![1, 4]),
        (&[2], vec![3, 1]),
        (&[1, 2], vec![1, 1]),
    ] {
        let prelu = PReLU::new().with_shared_axes(shared);
        prelu.build(&shape).unwrap();
        assert_eq!(prelu.alpha_shape(), Some(alpha_shape.clone()));
        let alpha: Vec<f32> = (1..=alpha_shape.iter().product::<usize>())
            .map(|i| i as f32 * 0.125)
            .collect();
        prelu.set_alpha(&alpha).unwrap();
        check(&ctx, &prelu, &shape, &x, Tolerance::Exact).await;
    }
}

/// Softmax against the CPU within `SOFTMAX` (4 ulps, whatever the row;
/// tests/softmax.rs explains it); returns the GPU's values.
async fn check_softmax(
    ctx: &GpuContext,
    layer: &Softmax,
    shape: &[usize],
    x: &[f32],
    mask: Option<(&[usize], &[f32])>,
) -> Vec<f32> {
    let input = GpuTensor::from_slice(ctx, shape, x).unwrap();
    let y = match mask {
        Some((ms, m)) => {
            let mask = GpuTensor::from_slice(ctx, ms, m).unwrap();
            layer.forward_masked(ctx, &input, Some(&mask))
        }
        None => layer.forward(ctx, &input),
    }
    .unwrap();
    let what = format!("{layer:?} on {shape:?} (mask {mask:?})");
    assert_eq!(y.shape(), shape, "{what}: shape");
    let gpu = y.to_vec(ctx).await.unwrap();
    let want = cpu::softmax(layer, shape, x, mask).unwrap();
    assert_all_close(&what, x, &gpu, &want, SOFTMAX);
    gpu
}

#[wasm_bindgen_test]
async fn softmax_over_the_last_and_the_first_axis() {
    let ctx = ctx().await;
    // Short rows, rows long enough for a workgroup per row, and a single row.
    for shape in [&[3, 5][..], &[2, 300], &[4, 3, 6], &[9]] {
        let n: usize = shape.iter().product();
        let x: Vec<f32> = (0..n)
            .map(|i| ((i * 29) % 31) as f32 * 0.37 - 5.0)
            .collect();
        let last = check_softmax(&ctx, &Softmax::new(-1), shape, &x, None).await;
        let first = check_softmax(&ctx, &Softmax::new(0), shape, &x, None).await;
        // Each row sums to 1 either way.
        let sum: f32 = last[..shape[shape.len() - 1]].iter().sum();
        assert!(
            (sum - 1.0).abs() < 1e-5,
            "{shape:?}: last-axis row sums to {sum}"
        );
        if shape.len() > 1 {
            let stride = n / shape[0];
            let sum: f32 = (0..shape[0]).map(|k| first[k * stride]).sum();
            assert!(
                (sum - 1.0).abs() < 1e-5,
                "{shape:?}: first-axis column sums to {sum}"
            );
        }
    }
}

/// Rows longer than one workgroup should take are cut into segments
/// (`row_segments`): two dispatches through a scratch buffer,
/// forward and backward, on the browser's adapter too.
#[wasm_bindgen_test]
async fn softmax_over_rows_cut_into_segments() {
    let ctx = ctx().await;
    let parts = wgpu_activations::internals::softmax_parts_kernel();
    let wg = wgpu_activations::internals::workgroup_size(&ctx, parts);
    let n = wg as usize * 1024 + 1_000;
    assert!(wgpu_activations::internals::row_segments(n as u32, 1, wg).is_some());
    let x: Vec<f32> = (0..n)
        .map(|i| ((i * 29) % 1031) as f32 * 0.02 - 10.0)
        .collect();
    let layer = Softmax::new(-1);
    let y = check_softmax(&ctx, &layer, &[n], &x, None).await;
    let dy: Vec<f32> = (0..n).map(|i| ((i * 7) % 13) as f32 * 0.1 - 0.6).collect();
    let yt = GpuTensor::from_slice(&ctx, &[n], &y).unwrap();
    let dyt = GpuTensor::from_slice(&ctx, &[n], &dy).unwrap();
    let dx = layer
        .backward(&ctx, &yt, &dyt)
        .unwrap()
        .to_vec(&ctx)
        .await
        .unwrap();
    let want = cpu::softmax_backward(&layer, &[n], &y, &dy, None).unwrap();
    let scale: f64 = y
        .iter()
        .zip(&dy)
        .map(|(&a, &b)| f64::from(a * b).abs())
        .sum();
    assert_each("softmax backward over segments", &dx, &want, |i, g, w| {
        softmax_backward_close(g, w, y[i], dy[i], scale)
    });
}

#[wasm_bindgen_test]
async fn softmax_with_a_mask() {
    let ctx = ctx().await;
    let shape = [2, 3, 4];
    let x: Vec<f32> = (0..24).map(|i| (i % 7) as f32 * 0.5 - 1.0).collect();
    // Broadcast over the batch; the last row of the mask drops everything.
    let mask: Vec<f32> = [1., 0., 1., 1., 0., 1., 0., 1., 0., 0., 0., 0.].to_vec();
    let y = check_softmax(&ctx, &Softmax::new(-1), &shape, &x, Some((&[3, 4], &mask))).await;
    assert_each("masked elements are 0", &y, &[0.0; 24], |i, g, w| {
        mask[i % 12] != 0.0 || close(g, w, Tolerance::Exact)
    });
    // A mask along the first axis, with softmax over it.
    check_softmax(
        &ctx,
        &Softmax::new(0),
        &shape,
        &x,
        Some((&[2, 1, 1], &[1.0, 0.0])),
    )
    .await;
}

#[wasm_bindgen_test]
async fn a_chain_stays_on_the_gpu() {
    let ctx = ctx().await;
    let model = Sequential::new()
        .with(ReLU::new(None, 0.1, 0.0).unwrap())
        .with(ELU::new(1.0).unwrap())
        .with(Softmax::new(-1));
    let x = sample(12);
    let input = GpuTensor::from_slice(&ctx, &[3, 4], &x).unwrap();
    let before = ctx.submissions();
    let y = model.forward(&ctx, &input).unwrap();
    assert_eq!(
        ctx.submissions() - before,
        1,
        "one submission for the chain"
    );
    assert_eq!(y.shape(), [3, 4], "chain: shape");
    let got = y.to_vec(&ctx).await.unwrap();
    let want = model.reference(&[3, 4], &x).unwrap();
    assert_all_close("chain", &x, &got, &want, Tolerance::Ulps(64));
}

#[wasm_bindgen_test]
async fn bad_arguments_and_shapes_are_errors_in_the_browser_too() {
    let ctx = ctx().await;
    let e = ReLU::new(None, -0.1, 0.0).unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidArgument {
                argument: "negative_slope",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("negative_slope=-0.1"), "{e}");
    assert!(ELU::new(f32::NAN).is_err());
    let e = GpuTensor::from_slice(&ctx, &[2, 3], &[1.0; 5]).unwrap_err();
    assert!(matches!(e, Error::Shape(_)), "{e:?}");
    let x = GpuTensor::from_slice(&ctx, &[2, 3], &[1.0; 6]).unwrap();
    let e = Softmax::new(5).forward(&ctx, &x).unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidArgument {
                argument: "axis",
                ..
            }
        ),
        "{e:?}"
    );
    // A PReLU built for one shape rejects another.
    let prelu = PReLU::new().with_shared_axes(&[1]);
    prelu.build(&[2, 3]).unwrap();
    let other = GpuTensor::from_slice(&ctx, &[2, 3, 1], &[1.0; 6]).unwrap();
    assert!(prelu.forward(&ctx, &other).is_err());
    // A tensor from another context is refused, not sent to the GPU.
    let elsewhere = self::ctx().await;
    let e = ReLU::default().forward(&elsewhere, &x).unwrap_err();
    assert!(matches!(e, Error::ContextMismatch), "{e:?}");
    // None of it left a GPU error behind, and the context still works.
    ctx.check_errors().await.unwrap();
    let y = LeakyReLU::new(0.5).unwrap().forward(&ctx, &x).unwrap();
    let got = y.to_vec(&ctx).await.unwrap();
    assert_all_close(
        "LeakyReLU after the errors",
        &[1.0; 6],
        &got,
        &[1.0; 6],
        Tolerance::Exact,
    );
}

/// The backward kernels compile under the browser's shader compiler (Tint is
/// stricter than naga) and match the CPU reference; f16 is refused where the
/// adapter has no shader-f16, naming the feature.
#[wasm_bindgen_test]
async fn backward_passes_and_f16_in_the_browser() {
    let ctx = ctx().await;
    let shape = [3, 5];
    let x = sample(15);
    let dy: Vec<f32> = (0..15).map(|i| (i % 7) as f32 / 2.0 - 1.5).collect();
    let prelu = PReLU::new();
    prelu.build(&shape).expect("build");
    prelu.set_alpha(&[0.1, -0.2, 0.3, 0.4, 0.5]).expect("alpha");
    let layers: Vec<(Box<dyn Layer>, Tolerance)> = vec![
        (
            Box::new(ReLU::new(Some(3.0), 0.1, 0.5).unwrap()),
            Tolerance::Exact,
        ),
        (Box::new(LeakyReLU::new(0.2).unwrap()), Tolerance::Exact),
        (Box::new(ELU::new(0.7).unwrap()), Tolerance::Ulps(6)),
        (
            Box::new(ThresholdedReLU::new(0.5).unwrap()),
            Tolerance::Exact,
        ),
        (
            Box::new(wgpu_activations::Activation::new("relu6").unwrap()),
            Tolerance::Exact,
        ),
        (
            Box::new(wgpu_activations::Activation::relu(-0.5, Some(2.5), -0.5).unwrap()),
            Tolerance::Exact,
        ),
        (
            Box::new(wgpu_activations::Activation::new("sparse_sigmoid").unwrap()),
            Tolerance::Exact,
        ),
        (
            Box::new(wgpu_activations::Activation::new("sparse_plus").unwrap()),
            Tolerance::Exact,
        ),
        (
            Box::new(wgpu_activations::Activation::threshold(0.5, -1.0).unwrap()),
            Tolerance::Exact,
        ),
        // One or two divisions (tests/backward.rs states these bounds).
        (
            Box::new(wgpu_activations::Activation::new("hard_sigmoid").unwrap()),
            Tolerance::Ulps(3),
        ),
        (
            Box::new(wgpu_activations::Activation::new("hard_silu").unwrap()),
            Tolerance::Ulps(4),
        ),
        (
            Box::new(wgpu_activations::Activation::new("softsign").unwrap()),
            Tolerance::Ulps(7),
        ),
        (
            Box::new(wgpu_activations::Activation::squareplus(4.0).unwrap()),
            Tolerance::Ulps(6),
        ),
        // One transcendental function; all of them run in
        // `transcendental_functions_match_the_cpu`.
        (
            Box::new(wgpu_activations::Activation::new("sigmoid").unwrap()),
            Tolerance::Ulps(5),
        ),
        (Box::new(prelu), Tolerance::Exact),
    ];
    let xt = GpuTensor::from_slice(&ctx, &shape, &x).expect("upload");
    let dyt = GpuTensor::from_slice(&ctx, &shape, &dy).expect("upload");
    for (layer, tol) in &layers {
        let what = format!("{} backward", layer.class_name());
        let dx = layer.backward(&ctx, &xt, &dyt).expect("backward");
        assert_eq!(dx.shape(), shape, "{what}: shape");
        let gpu = dx
            .to_vec(&ctx)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let want = layer
            .reference_backward(&shape, &x, &dy)
            .expect("reference");
        assert_all_close(&what, &x, &gpu, &want, *tol);
    }
    // Softmax backward from its own forward output, both row mappings' kernels.
    let softmax = Softmax::new(-1);
    let logits: Vec<f32> = (0..15).map(|i| (i % 4) as f32 - 1.0).collect();
    let y = softmax
        .forward(&ctx, &GpuTensor::from_slice(&ctx, &shape, &logits).unwrap())
        .unwrap();
    let y_host = y.to_vec(&ctx).await.unwrap();
    let gpu = softmax
        .backward(&ctx, &y, &dyt)
        .unwrap()
        .to_vec(&ctx)
        .await
        .unwrap();
    let want = cpu::softmax_backward(&softmax, &shape, &y_host, &dy, None).unwrap();
    assert_each("softmax backward (1e-6)", &gpu, &want, |_, g, w| {
        (g - w).abs() <= 1e-6
    });
    // SwiftShader has no shader-f16.
    if !ctx.supports_f16() {
        let err = GpuTensor::from_slice_as(&ctx, &[2], &[1.0, 2.0], wgpu_activations::DType::F16)
            .unwrap_err();
        assert!(err.to_string().contains("SHADER_F16"), "{err}");
    }
}

/// wgpu's WebGPU backend leaves a dropped buffer to JavaScript's garbage
/// collector; the crate destroys its own when the last handle drops, so a
/// long loop of forwards and readbacks holds no more buffers at its end
/// than at its start, and WebGPU reports no use of a destroyed buffer: not
/// for a chain's intermediates or a split softmax's partials, nor for a
/// chain recorded into the caller's encoder with a readback in between.
#[wasm_bindgen_test]
async fn buffers_are_destroyed_not_left_to_the_garbage_collector() {
    let ctx = ctx().await;
    let chain = Sequential::new()
        .with(ReLU::new(Some(3.0), 0.1, 0.0).unwrap())
        .with(ELU::new(0.5).unwrap())
        .with(Softmax::new(-1));
    let n = 100_000; // past one workgroup's share: softmax splits the row
    let x = sample(n);
    let input = GpuTensor::from_slice(&ctx, &[1, n], &x).unwrap();
    let want = chain.reference(&[1, n], &x).unwrap();
    let baseline = ctx.buffers_alive();
    for round in 0..40 {
        let y = chain.forward(&ctx, &input).unwrap();
        assert_eq!(
            ctx.buffers_alive(),
            baseline + 1,
            "round {round}: the output alone"
        );
        let got = y.to_vec(&ctx).await.unwrap();
        if round == 0 {
            assert_all_close("chain", &x, &got, &want, Tolerance::Ulps(64));
        }
    }
    assert_eq!(ctx.buffers_alive(), baseline);
    ctx.check_errors().await.unwrap();

    let out = GpuTensor::from_slice(&ctx, &[1, n], &vec![0.0; n]).unwrap();
    let mut encoder = ctx.device().create_command_encoder(&Default::default());
    chain.encode(&ctx, &mut encoder, &input, &out).unwrap();
    assert_eq!(input.to_vec(&ctx).await.unwrap().len(), n);
    ctx.queue().submit([encoder.finish()]);
    let got = out.to_vec(&ctx).await.unwrap();
    assert_all_close(
        "chain in the caller's encoder",
        &x,
        &got,
        &want,
        Tolerance::Ulps(64),
    );
    ctx.check_errors().await.unwrap();
}

/// WebGPU judges work asynchronously: a call it rejects returns `Ok`, and
/// the error surfaces at the next readback or `check_errors`. Awaited
/// through `ctx.checked`, a call returns its own error, and leaves an
/// earlier call's error for `check_errors`.
#[wasm_bindgen_test]
async fn checked_calls_report_their_own_errors_in_the_browser() {
    let ctx = ctx().await;
    let relu = ReLU::default();
    let bad = GpuTensor::from_slice(&ctx, &[4], &[1.0; 4]).unwrap();
    bad.buffer().destroy();
    let late = relu.forward(&ctx, &bad);
    assert!(late.is_ok(), "the browser answers later, not here");
    let good = GpuTensor::from_slice(&ctx, &[2], &[-1.0, 2.0]).unwrap();
    let y = ctx
        .checked(|| relu.forward(&ctx, &good))
        .await
        .expect("a good call is not blamed for an earlier one");
    let rejected = ctx.checked(|| relu.forward(&ctx, &bad)).await;
    assert!(
        matches!(rejected, Err(Error::Validation { .. })),
        "{rejected:?}"
    );
    let earlier = ctx.check_errors().await;
    assert!(
        matches!(earlier, Err(Error::Validation { .. })),
        "the unchecked call's error: {earlier:?}"
    );
    ctx.check_errors().await.expect("reported once");
    assert_eq!(y.to_vec(&ctx).await.unwrap(), [0.0, 2.0]);
}

/// The crate as a backend in the browser: a host's buffer wrapped at an
/// offset without a copy, views (`reshape`, `slice_rows`), `read_into`,
/// and the checks on usage and alignment.
#[wasm_bindgen_test]
async fn host_buffers_and_views_in_the_browser() {
    use wgpu_activations::DType;
    let ctx = ctx().await;
    let usage =
        wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST;
    let host = ctx.device().create_buffer(&wgpu::BufferDescriptor {
        label: Some("host"),
        size: 256 + 8 * 4,
        usage,
        mapped_at_creation: false,
    });
    let x = [-2.0f32, -1.0, 0.0, 1.0, 2.0, 3.0, -3.0, 4.0];
    ctx.queue()
        .write_buffer(&host, 256, bytemuck::cast_slice(&x));
    let t = GpuTensor::from_buffer(&ctx, host.clone(), 256, &[2, 4], DType::F32).unwrap();
    ReLU::default().forward_in_place(&ctx, &t).unwrap();
    let mut got = [0.0f32; 8];
    t.read_into(&ctx, &mut got).await.unwrap();
    assert_eq!(got, [0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 0.0, 4.0]);
    // A softmax over a reshape of the same bytes.
    let y = Softmax::new(-1)
        .forward(&ctx, &t.reshape(&[4, 2]).unwrap())
        .unwrap();
    let want = Softmax::new(-1).reference(&[4, 2], &got).unwrap();
    assert_all_close(
        "softmax of a reshape",
        &got,
        &y.to_vec(&ctx).await.unwrap(),
        &want,
        SOFTMAX,
    );
    // Rows 2..4 of [4, 64] start at byte 512, aligned.
    let values: Vec<f32> = (0..256).map(|i| i as f32 - 128.0).collect();
    let big = GpuTensor::from_slice(&ctx, &[4, 64], &values).unwrap();
    let tail = big.slice_rows(&ctx, 2, 4).unwrap();
    ReLU::default().forward_in_place(&ctx, &tail).unwrap();
    let all = big.to_vec(&ctx).await.unwrap();
    assert_eq!(all[..128], values[..128]);
    assert_eq!(all[128..], values[128..]);
    // Misaligned offsets and missing usage are clear errors.
    let misaligned = GpuTensor::from_buffer(&ctx, host.clone(), 4, &[4], DType::F32);
    assert!(matches!(
        misaligned,
        Err(Error::InvalidArgument {
            argument: "offset",
            ..
        })
    ));
    let uniform = ctx.device().create_buffer(&wgpu::BufferDescriptor {
        label: None,
        size: 64,
        usage: wgpu::BufferUsages::UNIFORM,
        mapped_at_creation: false,
    });
    let wrong = GpuTensor::from_buffer(&ctx, uniform, 0, &[4], DType::F32);
    assert!(matches!(
        wrong,
        Err(Error::InvalidArgument {
            argument: "buffer",
            ..
        })
    ));
    ctx.check_errors().await.unwrap();
}
