// Shared by the elementwise kernels, prepended after common.wgsl and an I/O
// file (io_separate.wgsl or io_in_place.wgsl, which define `load`/`store`).
// Each kernel file defines `apply(v, first)`: the layer on 4 elements whose
// first has index `first` in the whole tensor.
//
// Tensors are padded to a whole number of vec4s, so there is no scalar tail.
// Each invocation walks the chunk with a grid-sized stride, so neighbouring
// invocations touch neighbouring vec4s at every step.

// One dispatch covers one chunk of a tensor. The Rust twin is `Launch` in
// src/kernels/spec.rs; src/kernels/tests.rs checks name and size.
struct Launch {
    // vec4s in this chunk.
    len: u32,
    // Workgroups along x.
    grid_x: u32,
    // Index of the chunk's first element in the whole tensor.
    base: u32,
    // Invocations in the whole grid: each invocation's step.
    stride: u32,
}

@group(0) @binding(0) var<uniform> launch: Launch;

// 1.0 at run time (every running dispatch has launch.len >= 1), opaque to
// compilers' float algebra: math.wgsl multiplies error terms by it.
fn runtime_one() -> f32 {
    return f32(min(launch.len, 1u));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    for (var i = invocation_index(workgroup, local, launch.grid_x); i < launch.len; i += launch.stride) {
        store(i, apply(load(i), launch.base + 4u * i));
    }
}
