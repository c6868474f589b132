// A parameter's update, one invocation per row, prepended with
// shaders/rows/rows.wgsl for its row indexing: a row is the slice a
// Keras constraint normalises (reduced axes: the constraint's `axis`), or one
// element for the others. `output` holds the parameter w, `input` its gradient.
// Optionally the SGD step w -= learning_rate * gradient, then the constraint,
// exactly as Keras 3 writes it:
//   non_neg:      w * (w >= 0)
//   max_norm / min_max_norm:
//                 w * (desired / (epsilon + norm)),
//                 desired = rate * clip(norm, min_value, max_value) + (1 - rate) * norm
//                 (max_norm is min_value 0, rate 1)
//   unit_norm:    w / (epsilon + norm)
// with norm = sqrt(sum(w^2)) over the row and epsilon = 1e-7 (Keras's backend.epsilon()).

// The Rust twin is `Update` in src/weights/kernels.rs; src/kernels/tests.rs
// checks name and size.
struct Update {
    learning_rate: f32,
    min_value: f32,
    max_value: f32,
    rate: f32,
    // Read by param_update_chunk.wgsl only.
    first: u32,
    count: u32,
    phase: u32,
    _pad: u32,
}

@group(0) @binding(7) var<uniform> update: Update;

// Fixed per pipeline (`Specialization::overrides` in src/kernels/spec.rs): 0 none, 1 non_neg, 2 min_max_norm, 3 unit_norm.
override CONSTRAINT: u32 = 0u;
// 1 when the SGD step runs before the constraint.
override HAS_STEP: u32 = 0u;

const EPSILON: f32 = 1e-7;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let row = invocation_index(workgroup, local, params.grid_x);
    if row >= params.rows {
        return;
    }
    let base = row_base(row);
    var squares = 0.0;
    for (var k = 0u; k < params.row_len; k++) {
        let o = row_element(base, k).x;
        var w = output[o];
        if HAS_STEP == 1u {
            w = w - update.learning_rate * input[o];
            output[o] = w;
        }
        squares += w * w;
    }
    if CONSTRAINT == 0u {
        return;
    }
    let norm = sqrt(squares);
    // jnp.clip's order, not WGSL's clamp, whose result is undefined where
    // min_value > max_value (Keras accepts that: every norm clips to max_value).
    let clipped = min(max(norm, update.min_value), update.max_value);
    let desired = update.rate * clipped + (1.0 - update.rate) * norm;
    let scale = desired / (EPSILON + norm);
    for (var k = 0u; k < params.row_len; k++) {
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
