//! f64 pieces shared by the CPU twins of the transcendental functions
//! (sigmoid, softplus, silu, ...): each twin computes in f64 and rounds
//! once, the truth its kernel is measured against (tests/elementwise.rs,
//! tests/backward.rs).

/// `σ(x) = 1 / (1 + e^-x)`, from whichever side keeps its relative accuracy
/// (`e^x / (1 + e^x)` below 0).
pub(super) fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `σ(x) σ(-x) = e / (1 + e)^2` with `e = e^-|x|`: σ's derivative, from `x`.
pub(super) fn sigmoid_slope(x: f64) -> f64 {
    let e = (-x.abs()).exp();
    e / ((1.0 + e) * (1.0 + e))
}

/// `softplus(x) = ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|)`, as
/// `jax.nn.softplus`'s `logaddexp(x, 0)`, without its overflow.
pub(super) fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// `dy * d` rounded once to f32, where `d = f'(x)` at a finite `x` and
/// `sign` is the sign of the exact `f'(x)` (0 where it is exactly 0). f64
/// may under- or overflow `d` where the exact product is still an f32: a
/// nonzero derivative that f64 rounded to 0 keeps its sign (so an infinite
/// `dy` gives ±inf, a finite one a zero of the product's sign), and a zero
/// `dy` times a finite derivative that f64 rounded to inf is a zero, as the
/// kernels (which carry the exponent apart) give them.
pub(super) fn times(dy: f32, d: f64, sign: f64) -> f32 {
    let dy64 = f64::from(dy);
    if d == 0.0 && sign != 0.0 {
        let limit = if dy.is_infinite() {
            sign
        } else {
            0.0f64.copysign(sign)
        };
        (dy64 * limit) as f32
    } else if d.is_infinite() && dy == 0.0 {
        (dy64 * 0.0f64.copysign(sign)) as f32
    } else {
        (dy64 * d) as f32
    }
}

/// `x` with its zeros made `+0` (Keras's sums of zeros).
pub(super) fn positive_zero(x: f32) -> f32 {
    if x == 0.0 {
        0.0
    } else {
        x
    }
}
