// Shared by every kernel; the registry (src/kernels.rs) prepends it.

// Invocations per workgroup, fixed when the pipeline is created
// (`dispatch::workgroup_size` in src/kernels.rs's caller); at most
// MAX_WORKGROUP_SIZE, which sizes workgroup arrays. Keep both in step with
// src/kernels.rs.
override WORKGROUP_SIZE: u32 = 256u;
const MAX_WORKGROUP_SIZE: u32 = 256u;

// The invocation's index across a 2-D grid: grids past 65,535 workgroups
// spread into y, `grid_x` workgroups to a row.
fn invocation_index(workgroup: vec3<u32>, local: u32, grid_x: u32) -> u32 {
    return (workgroup.y * grid_x + workgroup.x) * WORKGROUP_SIZE + local;
}
