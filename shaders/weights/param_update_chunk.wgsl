// param_update.wgsl for rows longer than one invocation may loop over on
// llvmpipe (65,535 iterations, src/loop_budget.rs): a norm constraint over
// more than about 32,000 elements. The host dispatches it over consecutive
// chunks of every row, elements [update.first, update.first + update.count):
// phase 0 takes the SGD step and adds the chunk's squares to squares[row]
// (the first chunk starts it from 0), in the order of param_update.wgsl's
// single loop, so the norm is the same f32; phase 1 applies the constraint
// to the chunk with the row's norm. One invocation per row, as there.

// The Rust twin is `Update` in src/weights/kernels.rs; src/kernels/tests.rs
// checks name and size.
struct Update {
    learning_rate: f32,
    min_value: f32,
    max_value: f32,
    rate: f32,
    first: u32,
    count: u32,
    phase: u32,
    _pad: u32,
}

@group(0) @binding(7) var<uniform> update: Update;
// Each row's sum of squares so far.
@group(0) @binding(8) var<storage, read_write> squares: array<f32>;

// As in param_update.wgsl: 0 none, 1 non_neg, 2 min_max_norm, 3 unit_norm.
override CONSTRAINT: u32 = 0u;
override HAS_STEP: u32 = 0u;

const EPSILON: f32 = 1e-7;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let row = invocation_index(workgroup, local, params.grid_x);
    if row >= params.rows {
        return;
    }
    let base = row_base(row);
    let end = update.first + update.count;
    if update.phase == 0u {
        var sum = select(squares[row], 0.0, update.first == 0u);
        for (var k = update.first; k < end; k++) {
            let o = row_element(base, k).x;
            var w = output[o];
            if HAS_STEP == 1u {
                w = w - update.learning_rate * input[o];
                output[o] = w;
            }
            sum += w * w;
        }
        squares[row] = sum;
        return;
    }
    if CONSTRAINT == 0u {
        return;
    }
    let norm = sqrt(squares[row]);
    let clipped = min(max(norm, update.min_value), update.max_value);
    let desired = update.rate * clipped + (1.0 - update.rate) * norm;
    let scale = desired / (EPSILON + norm);
    for (var k = update.first; k < end; k++) {
        let o = row_element(base, k).x;
        let w = output[o];
        if CONSTRAINT == 1u {
            output[o] = w * select(0.0, 1.0, w >= 0.0);
        } else if CONSTRAINT == 2u {
            output[o] = w * scale;
        } else {
            output[o] = w / (EPSILON + norm);
        }
    }
}
