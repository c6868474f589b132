// Backward of keras.activations.celu(x, alpha): dx = dy for x >= 0 (1 at 0:
// JAX splits the ties of max and min half and half, 1/2 + 1/2), and
// dy * e^(x / alpha) below, with x / alpha kept exact (celu.wgsl) and e^z
// carried as m * 2^k, rounded with dy once (`times_scaled`). At -inf the
// derivative is 0 (inf for a negative alpha); NaN where x is NaN.

// The Rust twin is `ScalarParams` in src/kernels/params.rs; src/kernels/tests.rs
// checks name and size.
struct ScalarParams {
    alpha: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(1) var<uniform> params: ScalarParams;

fn celu_grad1(x: f32, dy: f32, alpha: f32) -> f32 {
    if x >= 0.0 {
        return dy;
    }
    if is_neg_inf1(x) {
        if alpha > 0.0 {
            return times_zero(dy, 1.0);
        }
        return dy * pos_inf();
    }
    let zh = x / alpha;
    let p = two_prod(zh, alpha);
    let zl = ((x - p.x) - p.y) / alpha;
    return times_scaled(dy, exp_scaled(zh, select(0.0, zl, abs(zh) <= 200.0)));
}

fn apply(x: vec4<f32>, first: u32) -> vec4<f32> {
    let dy = upstream_at(first);
    let a = params.alpha;
    let dx = vec4<f32>(
        celu_grad1(x.x, dy.x, a),
        celu_grad1(x.y, dy.y, a),
        celu_grad1(x.z, dy.z, a),
        celu_grad1(x.w, dy.w, a),
    );
    return select(dx, x, is_nan4(x));
}
