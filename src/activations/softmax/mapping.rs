//! Which softmax kernel runs a given shape on a given adapter: a workgroup
//! per row, an invocation per row, or subgroups; [`SoftmaxMapping`] lets a
//! user force one.

use crate::activations::softmax::kernels;
use crate::kernels::spec::{Kernel, WORKGROUP_SIZE};

/// Rows at most this long are cheaper one per invocation than one per
/// workgroup. CPU adapters (lavapipe) pay several microseconds per workgroup
/// barrier, so there a whole row per invocation wins up to far longer rows:
/// measured 6x faster at 256 columns (BENCHMARKS.md).
pub(crate) fn short_row(device_type: wgpu::DeviceType) -> u32 {
    match device_type {
        wgpu::DeviceType::Cpu => 1024,
        wgpu::DeviceType::IntegratedGpu
        | wgpu::DeviceType::DiscreteGpu
        | wgpu::DeviceType::VirtualGpu
        | wgpu::DeviceType::Other => 32,
    }
}

/// Picks the softmax kernel for `rows` rows of `row_len` elements.
///
/// Reducing over the innermost axis (contiguous rows): one workgroup per row,
/// except short rows, which one invocation handles whole. Reducing over outer
/// axes (the innermost axis is kept): one invocation per row, so neighbouring
/// invocations read neighbouring addresses; unless there are too few rows to
/// fill a workgroup, where a workgroup per row keeps more invocations busy.
pub(crate) fn softmax_kernel(
    rows: u32,
    row_len: u32,
    innermost_reduced: bool,
    device_type: wgpu::DeviceType,
) -> Kernel {
    let short = row_len <= short_row(device_type);
    let per_invocation = if innermost_reduced {
        short
    } else {
        rows >= WORKGROUP_SIZE || short
    };
    if per_invocation {
        kernels::INVOCATION
    } else {
        kernels::WORKGROUP
    }
}

/// How a softmax maps rows onto the GPU.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SoftmaxMapping {
    /// Chosen from the shape and the adapter type: a workgroup per long
    /// contiguous row, an invocation per short row or per row of an outer axis.
    #[default]
    Auto,
    /// One workgroup per row (`shaders/rows/softmax_workgroup.wgsl`, or `softmax_subgroup.wgsl` where the device has subgroups).
    WorkgroupPerRow,
    /// One invocation per row (`shaders/rows/softmax_invocation.wgsl`);
    /// where that would overrun the adapter's loop budget (llvmpipe's
    /// 65,535 iterations, [`crate::GpuContext::loop_budget`]), a workgroup
    /// per row instead, as `Auto` does.
    InvocationPerRow,
}

impl SoftmaxMapping {
    /// The kernel this mapping runs for a given shape and device. A
    /// workgroup per row reduces with subgroup operations where the device
    /// has `Features::SUBGROUP`, and through workgroup memory otherwise.
    /// Two choices come later, at dispatch: rows longer than a workgroup
    /// should take run as `kernels::PARTS` (`dispatch::row_segments`), and
    /// `Auto` gives a row a workgroup where one invocation would overrun
    /// llvmpipe's loop budget (`crate::loop_budget`).
    pub(crate) fn kernel(
        self,
        rows: u32,
        row_len: u32,
        innermost_reduced: bool,
        device_type: wgpu::DeviceType,
        features: wgpu::Features,
    ) -> Kernel {
        let kernel = match self {
            SoftmaxMapping::Auto => softmax_kernel(rows, row_len, innermost_reduced, device_type),
            SoftmaxMapping::WorkgroupPerRow => kernels::WORKGROUP,
            SoftmaxMapping::InvocationPerRow => kernels::INVOCATION,
        };
        if kernel == kernels::WORKGROUP && features.contains(wgpu::Features::SUBGROUP) {
            kernels::SUBGROUP
        } else {
            kernel
        }
    }
}

#[cfg(test)]
mod tests {
    /// Was this function's doc example.
    #[test]
    fn softmax_kernel_example() {
        use super::{kernels, softmax_kernel};
        use wgpu::DeviceType;
        let gpu = DeviceType::DiscreteGpu;
        assert_eq!(softmax_kernel(1000, 4096, true, gpu), kernels::WORKGROUP);
        assert_eq!(softmax_kernel(1000, 256, true, gpu), kernels::WORKGROUP);
        assert_eq!(
            softmax_kernel(1000, 256, true, DeviceType::Cpu),
            kernels::INVOCATION
        );
        assert_eq!(softmax_kernel(1000, 16, true, gpu), kernels::INVOCATION);
        assert_eq!(softmax_kernel(4096, 1000, false, gpu), kernels::INVOCATION);
        assert_eq!(softmax_kernel(3, 100_000, false, gpu), kernels::WORKGROUP);
    }

    /// Each branch of the automatic choice, for a GPU and a CPU adapter.
    #[test]
    fn the_kernel_choice_follows_shape_and_adapter() {
        use super::{kernels, softmax_kernel, SoftmaxMapping};
        use wgpu::DeviceType::{Cpu, DiscreteGpu};
        use wgpu::Features;
        let cases = [
            // (rows, row_len, innermost reduced, device, kernel)
            (5, 300, true, DiscreteGpu, kernels::WORKGROUP), // long contiguous rows
            (5, 300, true, Cpu, kernels::INVOCATION), // CPU: barriers cost more than serial rows
            (5, 4096, true, Cpu, kernels::WORKGROUP),
            (300, 7, true, DiscreteGpu, kernels::INVOCATION), // short contiguous rows
            (300, 50, false, DiscreteGpu, kernels::INVOCATION), // outer axis, many rows: coalesced
            (4, 900, false, DiscreteGpu, kernels::WORKGROUP), // outer axis, few long rows
        ];
        for (rows, row_len, innermost, device, kernel) in cases {
            assert_eq!(
                softmax_kernel(rows, row_len, innermost, device),
                kernel,
                "{rows}x{row_len} {innermost} {device:?}"
            );
            let (none, subgroups) = (Features::empty(), Features::SUBGROUP);
            assert_eq!(
                SoftmaxMapping::Auto.kernel(rows, row_len, innermost, device, none),
                kernel
            );
            // A workgroup per row uses subgroup operations where the device has them.
            let with_subgroups = if kernel == kernels::WORKGROUP {
                kernels::SUBGROUP
            } else {
                kernel
            };
            assert_eq!(
                SoftmaxMapping::Auto.kernel(rows, row_len, innermost, device, subgroups),
                with_subgroups
            );
        }
    }
}
