// Shared by every kernel; `Kernel::source` (src/kernels/spec.rs) prepends it.

// Invocations per workgroup, fixed when the pipeline is created
// (`workgroup_size` in src/dispatch.rs); at most MAX_WORKGROUP_SIZE, which
// sizes workgroup arrays: `WORKGROUP_SIZE` in src/kernels/spec.rs, and a
// naga test checks every size the crate picks.
override WORKGROUP_SIZE: u32 = 256u;
const MAX_WORKGROUP_SIZE: u32 = 256u;

// The invocation's index across a 2-D grid: grids past 65,535 workgroups
// spread into y, `grid_x` workgroups to a row.
fn invocation_index(workgroup: vec3<u32>, local: u32, grid_x: u32) -> u32 {
    return (workgroup.y * grid_x + workgroup.x) * WORKGROUP_SIZE + local;
}

// Signed zeros are set with integer operations: GLSL promises nothing about
// the sign of zero, so a compiler may fold a float form such as
// `select(v, 0.0, v == 0.0)` back to `v`; no compiler folds a bit mask.

// -0: the identity of IEEE addition (-0 + x is x for every x, -0 included),
// so sums that start from it keep the sign of an all -0 sum, as XLA's do.
// A function, not a const: naga cannot bitcast in constant expressions, and a
// -0.0 literal may lose its sign in a GLSL compiler.
fn negative_zero() -> f32 {
    return bitcast<f32>(0x80000000u);
}

// `v` with its zero lanes made +0 (Keras's `relu(x) + ...` sums give +0).
fn positive_zeros(v: vec4<f32>) -> vec4<f32> {
    let sign = select(vec4<u32>(0u), vec4<u32>(0x80000000u), v == vec4<f32>(0.0));
    return bitcast<vec4<f32>>(bitcast<vec4<u32>>(v) & ~sign);
}

// A zero with the sign of each lane of `v`: Keras's `x * 0` for finite `x`.
fn signed_zeros(v: vec4<f32>) -> vec4<f32> {
    return bitcast<vec4<f32>>(bitcast<vec4<u32>>(v) & vec4<u32>(0x80000000u));
}

// NaN by bits, so no compiler may assume it away: lavapipe folds `v != v`
// to false.
fn is_nan4(v: vec4<f32>) -> vec4<bool> {
    return (bitcast<vec4<u32>>(v) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u);
}
