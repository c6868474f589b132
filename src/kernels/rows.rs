//! The row kernels' uniform: which elements of a tensor form a row, for
//! softmax, PReLU's alpha gradient and parameter updates (the WGSL twin is
//! in shaders/rows/rows.wgsl). src/launch_rows.rs fills it and records the
//! kernels.

use bytemuck::{Pod, Zeroable};

/// Most merged axes on each side (kept, reduced) of a row job.
pub const ROW_MAX_RANK: usize = 8;

/// The uniform of every row kernel (binding 1, `params`): which elements
/// form a row, for softmax, PReLU's alpha gradient and parameter updates.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct RowParams {
    /// Number of rows.
    pub rows: u32,
    /// Elements per row.
    pub row_len: u32,
    /// Merged kept axes in use.
    pub kept_rank: u32,
    /// Merged reduced axes in use.
    pub reduced_rank: u32,
    /// 1 when a mask is bound.
    pub has_mask: u32,
    /// Workgroups along x; rows continue along y.
    pub grid_x: u32,
    /// Segments per row for the split kernels; 1 otherwise.
    pub parts: u32,
    /// Elements per segment for the split kernels; `row_len` otherwise.
    pub part_len: u32,
    /// Sizes of the kept axes, outermost first.
    pub kept_dims: [u32; ROW_MAX_RANK],
    /// Input strides of the kept axes.
    pub kept_strides: [u32; ROW_MAX_RANK],
    /// Mask strides of the kept axes (0 where the mask broadcasts).
    pub kept_mask_strides: [u32; ROW_MAX_RANK],
    /// Sizes of the reduced axes, outermost first.
    pub reduced_dims: [u32; ROW_MAX_RANK],
    /// Input strides of the reduced axes.
    pub reduced_strides: [u32; ROW_MAX_RANK],
    /// Mask strides of the reduced axes.
    pub reduced_mask_strides: [u32; ROW_MAX_RANK],
}
