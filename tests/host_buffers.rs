//! The crate as a backend: a host's own buffers wrapped without a copy
//! (`GpuTensor::from_buffer`), views (`reshape`, `slice_rows`), the new
//! constructors and `read_into`, through every kind of layer, forward,
//! backward and in place, with the bytes around each tensor left alone.

// Native: blocks on the GPU; the browser runs tests/browser.rs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{assert_all_close, assert_each, ctx, spread, Tolerance, SOFTMAX};
use wgpu_activations::{
    wgpu, Activation, DType, Error, GpuTensor, Layer, PReLU, ReLU, Sequential, Softmax, ELU,
};

const USAGE: wgpu::BufferUsages = wgpu::BufferUsages::STORAGE
    .union(wgpu::BufferUsages::COPY_SRC)
    .union(wgpu::BufferUsages::COPY_DST);

/// The bytes of the host's buffer outside the tensors: a marker value.
const MARKER: f32 = 12345.0;

/// A host buffer of `words` f32 words, every one `MARKER`.
fn host_buffer(words: usize) -> wgpu::Buffer {
    let buffer = ctx().device().create_buffer(&wgpu::BufferDescriptor {
        label: Some("host"),
        size: (words * 4) as u64,
        usage: USAGE,
        mapped_at_creation: false,
    });
    ctx()
        .queue()
        .write_buffer(&buffer, 0, bytemuck::cast_slice(&vec![MARKER; words]));
    buffer
}

/// The whole host buffer read back.
fn host_words(buffer: &wgpu::Buffer) -> Vec<f32> {
    let words = (buffer.size() / 4) as usize;
    GpuTensor::from_buffer(ctx(), buffer.clone(), 0, &[words], DType::F32)
        .unwrap()
        .to_vec_blocking(ctx())
        .unwrap()
}

/// Every kind of layer (elementwise, row, PReLU with its alpha, a function
/// over an axis, a chain) reads a tensor at byte 256 of one host buffer and
/// writes into byte 512 of another, forward and backward, and in place
/// where it can: the results are the CPU reference's, and every byte of
/// the host's buffers outside the tensors (before them, and past each
/// tensor's group of 4) keeps its marker.
#[test]
fn host_buffers_serve_every_kind_of_layer() {
    let shape = [2, 4]; // 8 elements: no padding to share
    let x = spread(8, -3.0, 3.0, 1);
    let dy = spread(8, -1.0, 1.0, 2);
    let prelu = PReLU::new();
    prelu.build(&shape).unwrap();
    prelu.set_alpha(&[0.1, 0.2, 0.3, 0.4]).unwrap();
    let layers: Vec<(Box<dyn Layer>, Tolerance)> = vec![
        (
            Box::new(ReLU::new(Some(2.0), 0.1, 0.0).unwrap()),
            Tolerance::Exact,
        ),
        (Box::new(ELU::new(1.0).unwrap()), Tolerance::Ulps(4)),
        (Box::new(Softmax::new(-1)), SOFTMAX),
        (Box::new(Softmax::new(0)), SOFTMAX),
        (Box::new(prelu), Tolerance::Exact),
        (
            Box::new(Activation::new("log_softmax").unwrap()),
            Tolerance::Ulps(4),
        ),
        (
            Box::new(
                Sequential::new()
                    .with(ReLU::default())
                    .with(Softmax::new(-1)),
            ),
            SOFTMAX,
        ),
    ];
    for (layer, tol) in &layers {
        let what = layer.class_name();
        let (input, output) = (host_buffer(256), host_buffer(256));
        ctx()
            .queue()
            .write_buffer(&input, 256, bytemuck::cast_slice(&x));
        let xt = GpuTensor::from_buffer(ctx(), input.clone(), 256, &shape, DType::F32).unwrap();
        let yt = GpuTensor::from_buffer(ctx(), output.clone(), 512, &shape, DType::F32).unwrap();
        layer.forward_into(ctx(), &xt, &yt).unwrap();
        let want = layer.reference(&shape, &x).unwrap();
        assert_all_close(what, &x, &yt.to_vec_blocking(ctx()).unwrap(), &want, *tol);

        // Backward into a third host buffer, reading the saved tensor and
        // dy from the host's.
        let (grads, dxs) = (host_buffer(256), host_buffer(256));
        ctx()
            .queue()
            .write_buffer(&grads, 0, bytemuck::cast_slice(&dy));
        let dyt = GpuTensor::from_buffer(ctx(), grads.clone(), 0, &shape, DType::F32).unwrap();
        let dxt = GpuTensor::from_buffer(ctx(), dxs.clone(), 256, &shape, DType::F32).unwrap();
        let saved = match layer.backward_reads() {
            wgpu_activations::Saved::Input => (&xt, x.clone()),
            wgpu_activations::Saved::Output => (&yt, want.clone()),
        };
        // Recorded into the host's own encoder, as a backend would.
        let mut encoder = ctx().device().create_command_encoder(&Default::default());
        layer
            .encode_backward(ctx(), &mut encoder, saved.0, &dyt, &dxt)
            .unwrap();
        ctx().queue().submit([encoder.finish()]);
        let want_dx = layer.reference_backward(&shape, &saved.1, &dy).unwrap();
        let got_dx = dxt.to_vec_blocking(ctx()).unwrap();
        // Each layer's dx is checked to its own bound elsewhere
        // (tests/backward.rs); here, that it lands in the right place.
        assert_each(&format!("{what} backward"), &got_dx, &want_dx, |_, g, w| {
            (g - w).abs() <= 1e-6 * w.abs().max(1.0)
        });

        for (buffer, at) in [(&input, 64), (&output, 128), (&grads, 0), (&dxs, 64)] {
            let words = host_words(buffer);
            for (i, &w) in words.iter().enumerate() {
                if !(at..at + 8).contains(&i) {
                    assert_eq!(
                        w, MARKER,
                        "{what}: host word {i} outside the tensor changed"
                    );
                }
            }
        }
        if layer.supports_in_place() {
            layer.forward_in_place(ctx(), &xt).unwrap();
            assert_all_close(
                &format!("{what} in place"),
                &x,
                &xt.to_vec_blocking(ctx()).unwrap(),
                &want,
                *tol,
            );
        }
    }
}

/// A host tensor whose length is not a multiple of 4 owns the elements up
/// to the next multiple: the buffer must hold them (refused otherwise),
/// and the words past them keep their marker.
#[test]
fn a_host_tensors_group_of_4_is_checked_and_nothing_past_it_is_written() {
    let buffer = host_buffer(64 + 8);
    // 6 elements at byte 256 need 8 words: 256 + 32 = 288 bytes.
    let short = GpuTensor::from_buffer(ctx(), buffer.clone(), 256, &[7, 1], DType::F32);
    assert!(short.is_ok());
    let too_long = GpuTensor::from_buffer(ctx(), buffer.clone(), 256, &[9], DType::F32);
    let text = too_long.unwrap_err().to_string();
    assert!(
        text.contains("group of 4") && text.contains("288"),
        "{text}"
    );
    let x = GpuTensor::from_buffer(ctx(), buffer.clone(), 256, &[6], DType::F32).unwrap();
    ctx().queue().write_buffer(
        &buffer,
        256,
        bytemuck::cast_slice(&[-1.0f32, 2.0, -3.0, 4.0, -5.0, 6.0]),
    );
    ReLU::default().forward_in_place(ctx(), &x).unwrap();
    assert_eq!(
        x.to_vec_blocking(ctx()).unwrap(),
        [0.0, 2.0, 0.0, 4.0, 0.0, 6.0]
    );
    let words = host_words(&buffer);
    assert!(
        words[..64].iter().all(|&w| w == MARKER),
        "before the tensor"
    );
}

/// Each check of `from_buffer` is a clear error naming what is wrong.
#[test]
fn wrapping_a_host_buffer_checks_usage_alignment_size_and_device() {
    let ctx = ctx();
    let plain = |usage| {
        ctx.device().create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size: 1024,
            usage,
            mapped_at_creation: false,
        })
    };
    let no_storage = GpuTensor::from_buffer(
        ctx,
        plain(wgpu::BufferUsages::COPY_SRC),
        0,
        &[4],
        DType::F32,
    );
    assert!(
        matches!(&no_storage, Err(Error::InvalidArgument { argument: "buffer", message }) if message.contains("STORAGE")),
        "{no_storage:?}"
    );
    let misaligned = GpuTensor::from_buffer(ctx, plain(USAGE), 4, &[4], DType::F32);
    assert!(
        matches!(&misaligned, Err(Error::InvalidArgument { argument: "offset", message }) if message.contains("min_storage_buffer_offset_alignment")),
        "{misaligned:?}"
    );
    let past_the_end = GpuTensor::from_buffer(ctx, plain(USAGE), 768, &[128], DType::F32);
    assert!(
        matches!(
            &past_the_end,
            Err(Error::InvalidArgument {
                argument: "buffer",
                ..
            })
        ),
        "{past_the_end:?}"
    );
    // Another device's buffer (of the same wgpu instance: wgpu itself
    // panics on an id from another instance): a validation error.
    let adapter = common::test_adapter();
    let device = || pollster::block_on(adapter.request_device(&Default::default())).unwrap();
    let ((mine, queue), (other, _)) = (device(), device());
    let host_ctx = wgpu_activations::GpuContext::from_device(mine, queue);
    let foreign = other.create_buffer(&wgpu::BufferDescriptor {
        label: None,
        size: 64,
        usage: USAGE,
        mapped_at_creation: false,
    });
    let wrapped = GpuTensor::from_buffer(&host_ctx, foreign, 0, &[4], DType::F32);
    assert!(
        matches!(wrapped, Err(Error::Validation { .. })),
        "{wrapped:?}"
    );
    // Without COPY_SRC it runs, and reading it back is the clear error.
    let storage_only =
        GpuTensor::from_buffer(ctx, plain(wgpu::BufferUsages::STORAGE), 0, &[4], DType::F32)
            .unwrap();
    let text = storage_only.to_vec_blocking(ctx).unwrap_err().to_string();
    assert!(text.contains("COPY_SRC"), "{text}");
    // Input and output in one buffer cannot run in one dispatch: refused.
    let shared = plain(USAGE);
    let a = GpuTensor::from_buffer(ctx, shared.clone(), 0, &[4], DType::F32).unwrap();
    let b = GpuTensor::from_buffer(ctx, shared, 256, &[4], DType::F32).unwrap();
    let same = ReLU::default().forward_into(ctx, &a, &b);
    assert!(matches!(same, Err(Error::SameTensor(_))), "{same:?}");
}

/// `reshape` and `slice_rows` are views: no copy, usable by every layer,
/// and `slice_rows` refuses what would misalign or overlap.
#[test]
fn views_share_their_tensors_buffer() {
    let ctx = ctx();
    let values = spread(4 * 64, -4.0, 4.0, 3);
    let x = GpuTensor::from_slice(ctx, &[4, 64], &values).unwrap();
    // A softmax over rows of 32 through a reshape.
    let rows = x.reshape(&[8, 32]).unwrap();
    let y = Softmax::new(-1).forward(ctx, &rows).unwrap();
    let want = Softmax::new(-1).reference(&[8, 32], &values).unwrap();
    assert_all_close(
        "softmax of a reshape",
        &values,
        &y.to_vec_blocking(ctx).unwrap(),
        &want,
        SOFTMAX,
    );
    assert!(x.reshape(&[5, 50]).is_err());
    // ELU in place on rows 1..3 (from byte 256): rows 0 and 3 untouched.
    let middle = x.slice_rows(ctx, 1, 3).unwrap();
    assert_eq!(middle.shape(), [2, 64]);
    ELU::new(1.0)
        .unwrap()
        .forward_in_place(ctx, &middle)
        .unwrap();
    let got = x.to_vec_blocking(ctx).unwrap();
    let elu = ELU::new(1.0)
        .unwrap()
        .reference(&[128], &values[64..192])
        .unwrap();
    assert_eq!(got[..64], values[..64]);
    assert_eq!(got[192..], values[192..]);
    assert_all_close(
        "elu on rows 1..3",
        &values[64..192],
        &got[64..192],
        &elu,
        Tolerance::Ulps(4),
    );
    // A view as a layer's output: softmax of row 0 into row 3.
    let row0 = x.slice_rows(ctx, 0, 1).unwrap();
    let row3 = x.slice_rows(ctx, 3, 4).unwrap();
    let fresh = GpuTensor::uninit(ctx, &[1, 64], DType::F32).unwrap();
    Softmax::new(-1).forward_into(ctx, &row0, &fresh).unwrap();
    assert!(
        Softmax::new(-1).forward_into(ctx, &row0, &row3).is_err(),
        "one buffer, read and written"
    );
    // Misaligned (row 1 of [4, 3] starts at byte 12) and overlapping (3 of
    // 4 elements in a group shared with the next row) views are refused.
    let small = GpuTensor::from_slice(ctx, &[4, 3], &[0.0; 12]).unwrap();
    let text = small.slice_rows(ctx, 1, 2).unwrap_err().to_string();
    assert!(
        text.contains("min_storage_buffer_offset_alignment"),
        "{text}"
    );
    let text = small.slice_rows(ctx, 0, 1).unwrap_err().to_string();
    assert!(text.contains("multiple of 4"), "{text}");
    assert_eq!(small.slice_rows(ctx, 0, 4).unwrap().len(), 12);
    assert!(small.slice_rows(ctx, 3, 5).is_err());
}

/// `zeros`, `full` and `uninit` make tensors of any shape and type; their
/// errors are the upload's.
#[test]
fn constructors_make_tensors_of_a_shape_and_type() {
    let ctx = ctx();
    assert_eq!(
        GpuTensor::zeros(ctx, &[3, 2], DType::F32)
            .unwrap()
            .to_vec_blocking(ctx)
            .unwrap(),
        [0.0; 6]
    );
    assert_eq!(
        GpuTensor::full(ctx, &[5], 2.5, DType::F32)
            .unwrap()
            .to_vec_blocking(ctx)
            .unwrap(),
        [2.5; 5]
    );
    let out = GpuTensor::uninit(ctx, &[2, 2], DType::F32).unwrap();
    let x = GpuTensor::from_slice(ctx, &[2, 2], &[-1.0, 1.0, -2.0, 2.0]).unwrap();
    ReLU::default().forward_into(ctx, &x, &out).unwrap();
    let mut host = [9.0; 4];
    out.read_into_blocking(ctx, &mut host).unwrap();
    assert_eq!(host, [0.0, 1.0, 0.0, 2.0]);
    if ctx.supports_f16() {
        let h = GpuTensor::full(ctx, &[3], 0.1, DType::F16).unwrap();
        assert_eq!(
            h.to_vec_blocking(ctx).unwrap(),
            [half::f16::from_f32(0.1).to_f32(); 3]
        );
    } else {
        assert!(matches!(
            GpuTensor::zeros(ctx, &[3], DType::F16),
            Err(Error::MissingFeature { .. })
        ));
    }
    assert!(GpuTensor::full(ctx, &[usize::MAX, 2], 1.0, DType::F32).is_err());
}
