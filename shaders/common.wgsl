// Shared by every kernel; the registry (src/kernels.rs) prepends it.

// Keep in step with WORKGROUP_SIZE in src/kernels.rs.
const WORKGROUP_SIZE: u32 = 256u;

// The invocation's index across a 2-D grid: grids past 65,535 workgroups
// spread into y, `grid_x` workgroups to a row.
fn invocation_index(workgroup: vec3<u32>, local: u32, grid_x: u32) -> u32 {
    return (workgroup.y * grid_x + workgroup.x) * WORKGROUP_SIZE + local;
}
