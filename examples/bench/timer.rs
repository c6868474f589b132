//! GPU time of recorded work from timestamp queries, where the device has
//! `Features::TIMESTAMP_QUERY`: an empty compute pass writes a timestamp
//! before the work and another after it, both in the same command buffer.

use std::time::Duration;

use wgpu_activations::{wgpu, GpuContext};

/// Two timestamp slots, a buffer to resolve them into and one to read them back.
pub struct GpuTimer {
    queries: wgpu::QuerySet,
    resolved: wgpu::Buffer,
    readback: wgpu::Buffer,
    period_ns: f64,
}

impl GpuTimer {
    /// A timer, or `None` where the device cannot write timestamps.
    pub fn new(ctx: &GpuContext) -> Option<Self> {
        if !ctx.features().contains(wgpu::Features::TIMESTAMP_QUERY) {
            return None;
        }
        let device = ctx.device();
        let buffer = |usage| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("bench.timestamps"),
                size: 16,
                usage,
                mapped_at_creation: false,
            })
        };
        Some(Self {
            queries: device.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some("bench.timestamps"),
                ty: wgpu::QueryType::Timestamp,
                count: 2,
            }),
            resolved: buffer(wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC),
            readback: buffer(wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST),
            period_ns: f64::from(ctx.queue().get_timestamp_period()),
        })
    }

    /// Records `work` between two timestamps, submits, waits, and returns
    /// the GPU time between them.
    pub fn time(&self, ctx: &GpuContext, work: impl FnOnce(&mut wgpu::CommandEncoder)) -> Duration {
        let mut encoder = ctx.device().create_command_encoder(&Default::default());
        self.mark(&mut encoder, Some(0), None);
        work(&mut encoder);
        self.mark(&mut encoder, None, Some(1));
        encoder.resolve_query_set(&self.queries, 0..2, &self.resolved, 0);
        encoder.copy_buffer_to_buffer(&self.resolved, 0, &self.readback, 0, 16);
        ctx.queue().submit([encoder.finish()]);
        let slice = self.readback.slice(..);
        slice.map_async(wgpu::MapMode::Read, |result| {
            result.expect("map timestamps")
        });
        ctx.device()
            .poll(wgpu::PollType::wait_indefinitely())
            .expect("device poll");
        let ticks: [u64; 2] = {
            let view = slice.get_mapped_range().expect("mapped timestamps");
            bytemuck::pod_read_unaligned(&view[..16])
        };
        self.readback.unmap();
        Duration::from_nanos((ticks[1].saturating_sub(ticks[0]) as f64 * self.period_ns) as u64)
    }

    fn mark(&self, encoder: &mut wgpu::CommandEncoder, begin: Option<u32>, end: Option<u32>) {
        encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("bench.timestamp"),
            timestamp_writes: Some(wgpu::ComputePassTimestampWrites {
                query_set: &self.queries,
                beginning_of_pass_write_index: begin,
                end_of_pass_write_index: end,
            }),
        });
    }
}
