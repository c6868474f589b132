//! The suite's comparison rules, one place for all of them: the native
//! tests reach them through `tests/common`, the browser suite includes this
//! file by path (it cannot use `common`'s blocking GPU helpers).
//!
//! Every rule treats NaN as equal to NaN, a zero as equal only to the zero
//! of its sign (Keras's sign of zero is part of its value), and a nonzero
//! subnormal expected value as matched by the zero of its sign (WGSL allows
//! flushing subnormals). Every assertion checks lengths first and names the
//! index, both values and their bits.

#![allow(dead_code, reason = "each test binary uses a different subset")]

/// How close a GPU result must be to the CPU reference.
#[derive(Clone, Copy, Debug)]
pub enum Tolerance {
    /// Bit for bit (so `-0.0` is not `0.0`), with the NaN and flushing rules.
    Exact,
    /// Within this many f32 ulps, same rules for NaN, zeros and flushing;
    /// any subnormal of the right sign for a subnormal.
    Ulps(u32),
}

/// Softmax's tolerance in f32 ulps of the f64 reference, whatever the row's
/// length or values (tests/softmax.rs says why).
pub const SOFTMAX_ULPS: u64 = 4;

/// [`SOFTMAX_ULPS`] as a [`Tolerance`].
pub const SOFTMAX: Tolerance = Tolerance::Ulps(SOFTMAX_ULPS as u32);

/// f32s mapped onto a line of integers so that neighbours differ by 1 and ±0 coincide.
fn ordinal(v: f32) -> i64 {
    let bits = i64::from(v.to_bits() as i32);
    if bits < 0 {
        i64::from(i32::MIN) - bits
    } else {
        bits
    }
}

/// Distance in ulps between two non-NaN floats (±0 are 0 apart).
pub fn ulps(a: f32, b: f32) -> u64 {
    ordinal(a).abs_diff(ordinal(b))
}

/// Whether `got` is `want`, a nonzero subnormal, flushed to the zero of its
/// sign (the sign survives flushing on every GPU that flushes).
pub fn is_flushed(got: f32, want: f32) -> bool {
    want != 0.0
        && want.abs() < f32::MIN_POSITIVE
        && got == 0.0
        && got.is_sign_negative() == want.is_sign_negative()
}

/// The rules every comparison shares: `Some(verdict)` when NaN, a zero or a
/// flushed subnormal decides it, `None` when the values must be measured.
fn special(got: f32, want: f32) -> Option<bool> {
    if got.is_nan() || want.is_nan() {
        Some(got.is_nan() && want.is_nan())
    } else if got == 0.0 && want == 0.0 {
        // ±0 compare equal under `==` and lie 0 ulps apart.
        Some(got.to_bits() == want.to_bits())
    } else if is_flushed(got, want) {
        Some(true)
    } else {
        None
    }
}

/// Whether `got` is acceptable for `want` under `tol`.
pub fn close(got: f32, want: f32, tol: Tolerance) -> bool {
    special(got, want).unwrap_or_else(|| match tol {
        Tolerance::Exact => got.to_bits() == want.to_bits(),
        // Ulps between subnormals count bits a GPU need not keep (WGSL lets
        // it flush them): two subnormals of one sign are close.
        Tolerance::Ulps(n) => {
            ulps(got, want) <= u64::from(n)
                || (got.abs() < f32::MIN_POSITIVE
                    && want.abs() < f32::MIN_POSITIVE
                    && got.is_sign_negative() == want.is_sign_negative())
        }
    })
}

/// Whether a softmax output `got` is within [`SOFTMAX_ULPS`] of `want`.
pub fn softmax_close(got: f32, want: f32) -> bool {
    close(got, want, SOFTMAX)
}

/// Softmax backward's tolerance (tests/backward.rs): `dx` within
/// 8·eps·|y|·(|dy| + `row_scale`) of the f64 reference, where `row_scale`
/// is Σ|dy·y| over the element's own row (not the tensor). The sign of a
/// zero `dx` is not checked: Keras's gradients give no golden value for it.
pub fn softmax_backward_close(got: f32, want: f32, y: f32, dy: f32, row_scale: f64) -> bool {
    let bound =
        8.0 * f64::from(f32::EPSILON) * f64::from(y).abs() * (f64::from(dy).abs() + row_scale)
            + 1e-30;
    (f64::from(got) - f64::from(want)).abs() <= bound
}

/// Keras's numeric check for golden values, |got - want| <= atol + rtol * |want|,
/// with infinities equal only to themselves.
pub fn keras_close(got: f32, want: f32, atol: f64, rtol: f64) -> bool {
    special(got, want).unwrap_or_else(|| {
        if want.is_infinite() || got.is_infinite() {
            return got == want;
        }
        (f64::from(got) - f64::from(want)).abs() <= atol + rtol * f64::from(want).abs()
    })
}

/// Asserts `got` and `want` have the same length and `ok(i, got[i], want[i])`
/// holds for every element; a failure names the index, both values and bits.
#[track_caller]
pub fn assert_each(what: &str, got: &[f32], want: &[f32], ok: impl Fn(usize, f32, f32) -> bool) {
    assert_eq!(
        got.len(),
        want.len(),
        "{what}: {} values where {} were expected",
        got.len(),
        want.len()
    );
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(
            ok(i, g, w),
            "{what}: element {i}: got {g:e} ({:#010x}) vs want {w:e} ({:#010x})",
            g.to_bits(),
            w.to_bits(),
        );
    }
}

/// Asserts every element of `got` is [`close`] to `want` under `tol`, naming
/// the input of a failing element too.
#[track_caller]
pub fn assert_all_close(what: &str, input: &[f32], got: &[f32], want: &[f32], tol: Tolerance) {
    assert_each(what, got, want, |i, g, w| {
        close(g, w, tol) || {
            let x = input.get(i).copied().unwrap_or(f32::NAN);
            eprintln!(
                "{what}: input {x:e} ({:#010x}), tolerance {tol:?}",
                x.to_bits()
            );
            false
        }
    });
}

/// The size of the two terms of a derivative that has a root, at `x`:
/// `|a| + |b|` for `f'(x) = a + b` (silu: `σ(x)` and `x σ(x) σ(-x)`; mish:
/// `tanh(sp)` and `x sech²(sp) σ(x)`; gelu: `Φ(x)` and `x φ(x)`, or the
/// tanh form's `σ(2u)` and `2x u'(x) σ(2u) σ(-2u)`), in f64. Near the root
/// the two cancel, and a kernel's error there is a few ulps of this sum,
/// not of `f'(x)`. `None` for a function without such a root.
pub fn derivative_terms(function: &str, approximate: bool, x: f32) -> Option<f64> {
    let x = f64::from(x);
    let sigmoid = |t: f64| {
        if t >= 0.0 {
            1.0 / (1.0 + (-t).exp())
        } else {
            t.exp() / (1.0 + t.exp())
        }
    };
    match function {
        "silu" => Some(sigmoid(x) * (1.0 + (x * sigmoid(-x)).abs())),
        "mish" => {
            let sp = x.max(0.0) + (-x.abs()).exp().ln_1p();
            let sech2 = 4.0 * sigmoid(2.0 * sp) * sigmoid(-2.0 * sp);
            Some(sp.tanh() + (x * sech2 * sigmoid(x)).abs())
        }
        "gelu" if approximate => {
            let (c, a) = (f64::from(0.797_884_6f32), f64::from(0.044_715f32));
            let t = 2.0 * c * (x + a * x * x * x);
            let slope = 2.0 * x * c * (1.0 + 3.0 * a * x * x) * sigmoid(t) * sigmoid(-t);
            Some(sigmoid(t) + slope.abs())
        }
        "gelu" => {
            let w = x * f64::from(std::f32::consts::FRAC_1_SQRT_2);
            let pdf = (w / std::f64::consts::PI.sqrt() * (-w * w).exp()).abs();
            Some(0.5 * libm::erfc(-w) + pdf)
        }
        _ => None,
    }
}
