// Shared by every elementwise kernel; the registry (src/kernels.rs) prepends
// this file to each kernel's source.

const WORKGROUP_SIZE: u32 = 256u;

// One dispatch covers one chunk of a tensor. Keep in step with `Launch` in
// src/kernels.rs.
struct Launch {
    // Elements in this chunk.
    len: u32,
    // Workgroups along x: grids past 65,535 workgroups spread into y.
    grid_x: u32,
    // Index of the chunk's first element in the whole tensor.
    base: u32,
    _pad: u32,
}

// The invocation's element index inside the chunk, across the 2-D grid.
fn element_index(workgroup: vec3<u32>, local: u32, grid_x: u32) -> u32 {
    return (workgroup.y * grid_x + workgroup.x) * WORKGROUP_SIZE + local;
}
