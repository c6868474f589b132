//! The crate inside another program's GPU work: the host creates its own
//! device, runs its own WGSL matmul into its own buffer, then applies this
//! crate's GELU in place and a Softmax into another of its buffers, all in
//! the host's one command encoder, submitted once and read once. The crate
//! allocates no tensor buffer (only its small uniform buffers), and the
//! result is checked against the CPU reference; any mismatch exits non-zero.
//!
//! `cargo run --release --example host_device`

// Native only (blocking calls); examples/web is the browser's.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use std::process::ExitCode;

use wgpu_activations::{wgpu, Activation, DType, GpuContext, GpuTensor, Layer, Softmax};

/// The logits' shape: `M` rows of `N` classes, from `K` features.
const M: usize = 64;
const K: usize = 32;
const N: usize = 16;

/// The host's own kernel: `c = a b + bias`, one invocation per output.
const MATMUL: &str = r"
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;

const M: u32 = 64u;
const K: u32 = 32u;
const N: u32 = 16u;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if i >= M * N {
        return;
    }
    let row = i / N;
    let col = i % N;
    var acc = 0.1 * f32(col);
    for (var k = 0u; k < K; k++) {
        acc += a[row * K + k] * b[k * N + col];
    }
    c[i] = acc;
}
";

fn main() -> ExitCode {
    match run() {
        Ok(true) => {
            println!("the host's matmul, the crate's GELU and Softmax match the CPU reference");
            ExitCode::SUCCESS
        }
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<bool, Box<dyn std::error::Error>> {
    // The host's device, made the host's way.
    let instance =
        wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
    let adapter = pollster::block_on(instance.request_adapter(&Default::default()))?;
    let (device, queue) = pollster::block_on(adapter.request_device(&Default::default()))?;
    println!(
        "adapter: {} ({:?})",
        adapter.get_info().name,
        adapter.get_info().backend
    );

    // The host's data and buffers.
    let a: Vec<f32> = (0..M * K)
        .map(|i| ((i * 37) % 23) as f32 / 11.0 - 1.0)
        .collect();
    let b: Vec<f32> = (0..K * N)
        .map(|i| ((i * 53) % 19) as f32 / 9.0 - 1.0)
        .collect();
    let usage =
        wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST;
    let buffer = |label, len: usize| {
        device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: (len * 4) as u64,
            usage,
            mapped_at_creation: false,
        })
    };
    let (a_buf, b_buf) = (buffer("a", M * K), buffer("b", K * N));
    let (logits_buf, probs_buf) = (buffer("logits", M * N), buffer("probabilities", M * N));
    queue.write_buffer(&a_buf, 0, bytemuck::cast_slice(&a));
    queue.write_buffer(&b_buf, 0, bytemuck::cast_slice(&b));
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some("host matmul"),
        source: wgpu::ShaderSource::Wgsl(MATMUL.into()),
    });
    let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some("host matmul"),
        layout: None,
        module: &module,
        entry_point: Some("main"),
        compilation_options: Default::default(),
        cache: None,
    });
    let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("host matmul"),
        layout: &pipeline.get_bind_group_layout(0),
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: a_buf.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: b_buf.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 2,
                resource: logits_buf.as_entire_binding(),
            },
        ],
    });

    // The crate on the host's device, and its tensors on the host's buffers.
    let ctx = GpuContext::from_device(device.clone(), queue.clone());
    ctx.set_device_lost_callback(|reason, message| eprintln!("device lost: {reason:?} {message}"));
    let logits = GpuTensor::from_buffer(&ctx, logits_buf, 0, &[M, N], DType::F32)?;
    let probs = GpuTensor::from_buffer(&ctx, probs_buf, 0, &[M, N], DType::F32)?;
    let gelu = Activation::new("gelu")?;
    let softmax = Softmax::new(-1);

    // One encoder: the host's pass, then the crate's, submitted once.
    let mut encoder = device.create_command_encoder(&Default::default());
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups((M * N).div_ceil(64) as u32, 1, 1);
    }
    gelu.encode_in_place(&ctx, &mut encoder, &logits)?;
    softmax.encode(&ctx, &mut encoder, &logits, &probs)?;
    queue.submit([encoder.finish()]);
    let got = probs.to_vec_blocking(&ctx)?; // the one readback
    println!(
        "tensor buffers the crate made: {} (uniform buffers for parameters: {})",
        ctx.buffers_alive(),
        ctx.uniforms_cached()
    );

    // The CPU reference: the same matmul in f64, GELU and Softmax's twins.
    let matmul: Vec<f32> = (0..M * N)
        .map(|i| {
            let (row, col) = (i / N, i % N);
            let acc: f64 = (0..K)
                .map(|k| f64::from(a[row * K + k]) * f64::from(b[k * N + col]))
                .sum();
            (acc + 0.1 * col as f64) as f32
        })
        .collect();
    let activated = gelu.reference(&[M, N], &matmul)?;
    let want = softmax.reference(&[M, N], &activated)?;
    // The host's f32 matmul rounds its sum differently from the f64 one,
    // and softmax carries that through: 1e-5 relative covers both.
    let worst = got
        .iter()
        .zip(&want)
        .map(|(&g, &w)| (f64::from(g) - f64::from(w)).abs() / f64::from(w).abs().max(1e-30))
        .fold(0.0, f64::max);
    println!("largest relative difference to the CPU reference: {worst:.2e}");
    Ok(ctx.buffers_alive() == 0 && worst <= 1e-5)
}
