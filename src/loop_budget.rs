//! The loop budget of Mesa's llvmpipe: how many loop iterations one shader
//! invocation may run, and how many each row kernel needs.
//!
//! llvmpipe (the CPU driver behind lavapipe on Vulkan and Mesa's software GL)
//! guards against endless shaders with one counter per invocation, shared by
//! every loop in the shader and started at 65,535 (`LP_MAX_TGSI_LOOP_ITERATIONS`
//! in Mesa's `lp_bld_limits.h`). When it runs out, every loop exits early
//! without a word: a softmax row of 40,000 elements run by one invocation came
//! back with its last 14,467 outputs never written. The row kernels loop over
//! a row, so each dispatch counts what one invocation needs first; a mapping
//! that would overrun is replaced ([`crate::Softmax`] picks a workgroup per row
//! instead), a row too long for one invocation runs in chunks
//! ([`longest_row`]: constraint norms, penalties), and what still cannot fit
//! is refused with [`crate::Error::Unsupported`], never run.
//!
//! Elementwise kernels loop a handful of times per invocation (a grid-sized
//! stride over at most a few vec4s), far inside the budget.

use crate::error::{Error, Result};
use crate::kernels::rows::RowParams;
use crate::kernels::spec::{Kernel, LoopCost};

/// llvmpipe's loop iterations per invocation, shared by every loop.
pub(crate) const LLVMPIPE_LOOP_ITERATIONS: u64 = 65_535;

/// The loop iterations one invocation may run on the adapter named
/// `adapter_name` with driver `driver` (as in `wgpu::AdapterInfo`):
/// [`LLVMPIPE_LOOP_ITERATIONS`] on Mesa's llvmpipe (Vulkan's lavapipe or GL),
/// unbounded (`None`) elsewhere.
pub(crate) fn loop_budget(adapter_name: &str, driver: &str) -> Option<u64> {
    let llvmpipe = |s: &str| s.to_ascii_lowercase().contains("llvmpipe");
    (llvmpipe(adapter_name) || llvmpipe(driver)).then_some(LLVMPIPE_LOOP_ITERATIONS)
}

/// Loop iterations one invocation of row kernel `kernel` runs for rows
/// described by `params`, in workgroups of `workgroup_size`: an upper bound
/// counting every loop (the row loops, the index loops inside them when axes
/// did not merge, the reduction tree) and one more for each loop's exit test.
pub fn row_loop_iterations(kernel: Kernel, params: &RowParams, workgroup_size: u32) -> u64 {
    let row_len = u64::from(params.row_len);
    let lanes = u64::from(workgroup_size.max(1));
    // row_element divides through the reduced axes unless they merged to one.
    let per_element = 1 + if params.reduced_rank == 1 {
        0
    } else {
        u64::from(params.reduced_rank) + 1
    };
    let row_base = if params.kept_rank == 1 {
        0
    } else {
        u64::from(params.kept_rank) + 1
    };
    let tree = u64::from(workgroup_size.max(1).trailing_zeros()) + 1;
    let strided = row_len.div_ceil(lanes) + 1;
    let whole = row_len + 1;
    let segment = u64::from(params.part_len).div_ceil(lanes) + 1;
    let fold = u64::from(params.parts).div_ceil(lanes) + 1;
    row_base
        + match kernel.loop_cost {
            LoopCost::Vec4s => 0,
            LoopCost::WholeRowTwice => 2 * whole * per_element,
            LoopCost::StridedTwice => 2 * strided * per_element + tree,
            // Plus the fold over one slot per subgroup (at most one per lane).
            LoopCost::StridedTwiceSubgroups => 2 * strided * per_element + 2 * (lanes + 1),
            LoopCost::StridedOnce => strided * per_element + tree,
            // Split kernels: a segment's share, and the second pass's fold
            // over the row's segments (both passes counted, an upper bound).
            LoopCost::SegmentTwice => fold + 2 * segment * per_element + 2 * tree,
            LoopCost::SegmentOnce => fold + segment * per_element + 2 * tree,
            // One workgroup strides over `row_len` values.
            LoopCost::Array => strided + tree,
        }
}

/// The longest rows (`params` with another `row_len`, at most its own) whose
/// loops one invocation of `kernel` runs within `ctx`'s loop budget: a power
/// of two below `params.row_len` where the budget cuts the whole row short
/// (the host then runs the row in chunks of that length), else the whole
/// `row_len`.
pub(crate) fn longest_row(kernel: Kernel, params: &RowParams, ctx: &crate::GpuContext) -> u32 {
    let workgroup_size = ctx.workgroup_size(kernel);
    let fits = |row_len: u32| {
        ctx.loop_budget().is_none_or(|budget| {
            let rows = RowParams { row_len, ..*params };
            row_loop_iterations(kernel, &rows, workgroup_size) <= budget
        })
    };
    if fits(params.row_len) {
        return params.row_len;
    }
    let mut chunk = params.row_len.next_power_of_two() / 2;
    while chunk > 1 && !fits(chunk) {
        chunk /= 2;
    }
    chunk.max(1)
}

/// Fails with [`Error::Unsupported`] when one invocation of `kernel` would
/// need `needed` loop iterations and the adapter allows fewer (`budget`).
pub(crate) fn check(kernel: Kernel, needed: u64, budget: Option<u64>) -> Result<()> {
    match budget {
        Some(limit) if needed > limit => Err(Error::Unsupported {
            kernel: kernel.name(),
            limit_name: "llvmpipe's loop iterations per invocation (Mesa's LP_MAX_TGSI_LOOP_ITERATIONS; past it every loop stops early)",
            limit,
            needed,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    /// Was this function's doc example.
    #[test]
    fn loop_budget_example() {
        use super::loop_budget;
        assert_eq!(
            loop_budget("llvmpipe (LLVM 15.0.6, 256 bits)", "llvmpipe"),
            Some(65_535)
        );
        assert_eq!(
            loop_budget("llvmpipe (LLVM 15.0.6, 256 bits)", ""),
            Some(65_535)
        ); // GL
        assert_eq!(loop_budget("NVIDIA H100 80GB HBM3", "NVIDIA"), None);
    }

    /// Was this function's doc example.
    #[test]
    fn row_loop_iterations_example() {
        use super::row_loop_iterations;
        use crate::activations::softmax::kernels as softmax;
        use crate::kernels::rows::RowParams;
        let row = RowParams {
            rows: 1,
            row_len: 40_000,
            kept_rank: 0,
            reduced_rank: 1,
            ..Default::default()
        };
        // One invocation reads the row twice: over llvmpipe's 65,535.
        assert!(row_loop_iterations(softmax::INVOCATION, &row, 256) > 65_535);
        // 64 invocations share it.
        assert!(row_loop_iterations(softmax::WORKGROUP, &row, 64) < 2_000);
    }
}
