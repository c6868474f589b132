//! How a tensor is cut into dispatches: the 2-D grid that carries more than
//! 65,535 workgroups, and the chunks that keep every storage binding under the
//! device's `max_storage_buffer_binding_size`.

use crate::kernels::spec::{Kernel, Mapping, WORKGROUP_SIZE};

/// A dispatch grid: workgroups along x and y (z is always 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    /// Workgroups along x.
    pub x: u32,
    /// Workgroups along y.
    pub y: u32,
}

/// Spreads `workgroups` over a 2-D grid whose sides stay within
/// `max_per_dimension`. The grid may hold a few more workgroups than asked for
/// (at most `y - 1`); kernels bounds-check their index.
///
/// Returns `None` when even `max_per_dimension²` workgroups are too few.
pub fn spread(workgroups: u32, max_per_dimension: u32) -> Option<Grid> {
    if workgroups <= max_per_dimension {
        return Some(Grid {
            x: workgroups,
            y: 1,
        });
    }
    let y = workgroups.div_ceil(max_per_dimension);
    if y > max_per_dimension {
        return None;
    }
    Some(Grid {
        x: workgroups.div_ceil(y),
        y,
    })
}

/// One dispatch's share of a tensor, in elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// First element.
    pub start: u64,
    /// Number of elements.
    pub len: u64,
}

/// Cuts `len` elements of `element_size` bytes into chunks whose byte size
/// stays within `max_binding_bytes` and whose byte offsets are multiples of
/// `offset_alignment` (the device's `min_storage_buffer_offset_alignment`).
pub fn chunks(
    len: u64,
    element_size: u64,
    max_binding_bytes: u64,
    offset_alignment: u64,
) -> Vec<Chunk> {
    let alignment = offset_alignment.max(element_size);
    let chunk_bytes = (max_binding_bytes / alignment).max(1) * alignment;
    let per_chunk = (chunk_bytes / element_size).max(1);
    let mut out = Vec::with_capacity(len.div_ceil(per_chunk) as usize);
    let mut start = 0;
    while start < len {
        let n = per_chunk.min(len - start);
        out.push(Chunk { start, len: n });
        start += n;
    }
    out
}

/// vec4s each invocation of an elementwise kernel handles, by adapter type.
///
/// Measured on lavapipe (see BENCHMARKS.md and ../shared/PLATFORM.md): a CPU
/// adapter runs each invocation as a SIMD lane of a thread, and 4 vec4s per
/// invocation beat 1 by 1.4x there (10.7 vs 7.6 GB/s at 16M; 8 and 16 add
/// under 10%); GPUs want many small invocations.
pub fn vec4s_per_invocation(device_type: wgpu::DeviceType) -> u32 {
    match device_type {
        wgpu::DeviceType::Cpu => 4,
        wgpu::DeviceType::IntegratedGpu
        | wgpu::DeviceType::DiscreteGpu
        | wgpu::DeviceType::VirtualGpu
        | wgpu::DeviceType::Other => 1,
    }
}

/// Invocations per workgroup for `kernel` on an adapter of `device_type`:
/// the spec's measured size on CPU adapters, [`WORKGROUP_SIZE`] on GPUs.
pub(crate) fn workgroup_size(kernel: Kernel, device_type: wgpu::DeviceType) -> u32 {
    match device_type {
        wgpu::DeviceType::Cpu => kernel.cpu_workgroup_size,
        wgpu::DeviceType::IntegratedGpu
        | wgpu::DeviceType::DiscreteGpu
        | wgpu::DeviceType::VirtualGpu
        | wgpu::DeviceType::Other => WORKGROUP_SIZE,
    }
}

/// `preferred` cut down to what one workgroup may hold on a device with
/// `limits` (`max_compute_invocations_per_workgroup` and
/// `max_compute_workgroup_size_x`, e.g. 256 in Chromium on SwiftShader), and
/// to a power of two, which the softmax tree reduction needs.
pub(crate) fn fit_workgroup_size(preferred: u32, limits: &wgpu::Limits) -> u32 {
    let allowed = preferred
        .min(limits.max_compute_invocations_per_workgroup)
        .min(limits.max_compute_workgroup_size_x)
        .max(1);
    1 << allowed.ilog2()
}

/// How a workgroup-per-row job cuts rows of `row_len` elements (over
/// `reduced_rank` merged axes) for workgroups of `workgroup_size`: `None`
/// when one workgroup takes a row whole, else `(segments per row, elements
/// per segment)`, a workgroup per segment (the split kernels,
/// `Mapping::WorkgroupPerSegment`). Each invocation covers at most 1,024 elements of its
/// segment (128 where unmerged reduced axes make every index a loop), so a
/// few long rows still spread over the whole device, and no invocation comes
/// near llvmpipe's loop budget (src/loop_budget.rs).
pub fn row_segments(row_len: u32, reduced_rank: u32, workgroup_size: u32) -> Option<(u32, u32)> {
    let per_invocation = if reduced_rank == 1 { 1024 } else { 128 };
    let part_len = workgroup_size.max(1).saturating_mul(per_invocation);
    (row_len > part_len).then(|| (row_len.div_ceil(part_len), part_len))
}

/// Workgroups needed to give each of `rows` rows what a row kernel expects:
/// a workgroup each, or an invocation each (workgroups of `workgroup_size`).
pub(crate) fn row_workgroups(kernel: Kernel, rows: u32, workgroup_size: u32) -> u32 {
    match kernel.mapping {
        Mapping::InvocationPerRow => rows.div_ceil(workgroup_size),
        Mapping::Vec4s
        | Mapping::WorkgroupPerRow
        | Mapping::WorkgroupPerSegment { .. }
        | Mapping::OneWorkgroup => rows,
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn spread_covers_every_workgroup_within_limits() {
        for max in [1u32, 7, 65_535] {
            for n in [
                0u32,
                1,
                2,
                max - 1,
                max,
                max + 1,
                2 * max,
                2 * max + 1,
                70_001,
                1_000_003,
            ] {
                if let Some(g) = spread(n, max) {
                    assert!(g.x <= max && g.y <= max, "{n} over {max}: {g:?}");
                    let total = u64::from(g.x) * u64::from(g.y);
                    assert!(total >= u64::from(n), "{n} over {max}: {g:?} too small");
                    assert!(
                        total - u64::from(n) < u64::from(g.y),
                        "{n}: {g:?} wastes a row"
                    );
                } else {
                    assert!(u64::from(n) > u64::from(max) * u64::from(max));
                }
            }
        }
        assert_eq!(spread(0, 65_535), Some(Grid { x: 0, y: 1 }));
        assert_eq!(spread(65_536, 65_535), Some(Grid { x: 32_768, y: 2 }));
        assert_eq!(spread(50, 7), None);
    }

    #[test]
    fn chunks_tile_the_tensor_aligned() {
        for (len, max, align) in [
            (1000u64, 1024u64, 256u64),
            (5, 4096, 256),
            (1 << 20, 1000, 256),
            (9, 4, 4),
        ] {
            let c = chunks(len, 4, max, align);
            let mut next = 0;
            for ch in &c {
                assert_eq!(ch.start, next);
                assert_eq!((ch.start * 4) % align, 0, "{ch:?}");
                assert!(ch.len * 4 <= max.max(align), "{ch:?}");
                next += ch.len;
            }
            assert_eq!(next, len);
        }
        assert!(chunks(0, 4, 1024, 256).is_empty());
    }

    /// Was this function's doc example.
    #[test]
    fn spread_example() {
        use super::{spread, Grid};
        assert_eq!(spread(10, 65_535), Some(Grid { x: 10, y: 1 }));
        assert_eq!(spread(70_001, 65_535), Some(Grid { x: 35_001, y: 2 }));
    }

    /// Was this function's doc example.
    #[test]
    fn chunks_example() {
        use super::{chunks, Chunk};
        let c = chunks(1000, 4, 1024, 256);
        assert_eq!(
            c,
            vec![
                Chunk { start: 0, len: 256 },
                Chunk {
                    start: 256,
                    len: 256
                },
                Chunk {
                    start: 512,
                    len: 256
                },
                Chunk {
                    start: 768,
                    len: 232
                }
            ]
        );
    }

    /// Was this function's doc example.
    #[test]
    fn vec4s_per_invocation_example() {
        use crate::{dispatch::vec4s_per_invocation, wgpu};
        assert_eq!(vec4s_per_invocation(wgpu::DeviceType::Cpu), 4);
        assert_eq!(vec4s_per_invocation(wgpu::DeviceType::DiscreteGpu), 1);
    }

    /// Was this function's doc example.
    #[test]
    fn fit_workgroup_size_example() {
        use crate::{dispatch::fit_workgroup_size, wgpu::Limits};
        let mut limits = Limits::defaults();
        assert_eq!(fit_workgroup_size(256, &limits), 256);
        limits.max_compute_invocations_per_workgroup = 200;
        assert_eq!(fit_workgroup_size(256, &limits), 128);
        assert_eq!(fit_workgroup_size(64, &limits), 64);
        limits.max_compute_workgroup_size_x = 32;
        assert_eq!(fit_workgroup_size(256, &limits), 32);
    }

    /// Was this function's doc example.
    #[test]
    fn row_segments_example() {
        use super::row_segments;
        assert_eq!(row_segments(65_536, 1, 64), None);
        assert_eq!(row_segments(65_537, 1, 64), Some((2, 65_536)));
        assert_eq!(row_segments(1 << 24, 1, 256), Some((64, 262_144)));
        assert_eq!(row_segments(100_000, 2, 64), Some((13, 8_192)));
    }
}
