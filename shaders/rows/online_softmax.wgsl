// The online softmax state of part of a row, and the exp it is built on;
// prepended with shaders/rows/rows.wgsl to the row kernels.
//
// Accuracy is the point of this file: every output is within a few ulps of
// softmax computed exactly, whatever the row's length or values.
// - exp(x - m) is exact to about an ulp for any x and m (`exp_difference`):
//   WGSL's own exp may be off by 3 + 2|x - m| ulps (lavapipe: 9 at -87), and
//   rounding x - m first costs up to |x - m| / 2 ulps more.
// - The sum is compensated (Kahan within an invocation, two-sum when
//   partial states meet), so its error does not grow with the row.
// - The sum is kept relative to a reference `base` that moves in steps of 16
//   (`REFERENCE_STEP`), not to the running max: a term is rescaled at most
//   once while it still weighs (each later rescale shrinks it by e^-16), so
//   rising maxima cost about one exp's error in all, not one per rise.

//
// Compilers may simplify float expressions algebraically: Mesa's NIR turns
// (a + b) - a into b unless an operation is marked exact, which WGSL cannot
// ask for, and that erases the very rounding errors two-sum and Kahan
// recover (lavapipe: 9 ulps instead of 4). So every intermediate those
// identities could match is multiplied by `opaque_one()`, a 1.0 that only
// exists at run time: exact, and opaque to the optimiser.

const REFERENCE_STEP: f32 = 16.0;

// 1.0, read from the row length (at least 1 whenever a row kernel runs).
fn opaque_one() -> f32 {
    return f32(min(params.row_len, 1u));
}

// The same 1.0 under the name shaders/elementwise/math.wgsl uses.
fn runtime_one() -> f32 {
    return opaque_one();
}

// The rounding error of s = x + y (Knuth's two-sum): x + y == s + error
// exactly.
fn sum_error(x: f32, y: f32, s: f32) -> f32 {
    let one = opaque_one();
    let s1 = s * one;
    let v = (s1 - x) * one;
    return (x - (s1 - v)) + (y - v);
}

// A multiple of REFERENCE_STEP at or above x (x itself when x is huge).
fn reference_for(x: f32) -> f32 {
    return ceil(x / REFERENCE_STEP) * REFERENCE_STEP;
}

// exp(a - b) * 2^shift for a - b <= 0 (and shift >= 0), to about an ulp.
// a - b is kept exactly as hi + lo (Knuth's two-sum); exp(hi) = 2^k e^r by
// Cody-Waite reduction (|r| <= ln2 / 2, ln2 split so k * ln2_hi is exact),
// e^r by Taylor to degree 7, and e^lo = 1 + lo folded into r; the shift
// joins k, so a result that would be subnormal unshifted keeps every bit.
// Where the result rounds to 0 it is 0; NaN (from -inf - -inf) gives 0 too.
fn exp_difference(a: f32, b: f32, shift: i32) -> f32 {
    let hi = a - b;
    if !(hi >= -104.0 - 0.6931472 * f32(shift)) {
        return 0.0;
    }
    let lo = sum_error(a, -b, hi);
    let k = round(hi * 1.442695041);
    let r = ((hi - k * 0.693145752) - k * 1.428606765e-6) + lo;
    var p = 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // Two halves: 2^k alone is not an f32 below k = -149.
    let e = i32(k) + shift;
    let half = e / 2;
    return ldexp(ldexp(p, half), e - half);
}

// The online softmax state of part of a row: the sum of exp(x - base) over
// it as `sum - carry` (carry: Kahan's lost low bits), the reference `base`
// (a multiple of REFERENCE_STEP at or above every x seen; -inf while empty),
// and whether an unmasked NaN or +inf was seen. The outputs divide
// exp(x - base) by the sum in the same frame, so a row whose other terms
// vanish beside its max gives exactly 1 there, as Keras does.
struct Running {
    base: f32,
    sum: f32,
    carry: f32,
    poisoned: u32,
}

fn running_empty() -> Running {
    return Running(neg_inf(), 0.0, 0.0, 0u);
}

// `r` relative to the higher reference `base`; an empty part stays empty.
fn rebased(r: Running, base: f32) -> Running {
    if r.sum == 0.0 {
        return Running(base, 0.0, 0.0, r.poisoned);
    }
    let f = exp_difference(r.base, base, 0);
    return Running(base, r.sum * f, r.carry * f, r.poisoned);
}

// Adds the element at `o` to `r`; a -inf logit adds nothing.
fn accumulate(r: Running, o: vec2<u32>) -> Running {
    var x = f32(input[o.x]);
    if is_masked(o) {
        x = MASKED_LOGIT;
    }
    var out = r;
    if poisons_row(x) {
        out.poisoned = 1u;
        return out;
    }
    if is_neg_inf(x) {
        return out;
    }
    if x > out.base {
        out = rebased(out, reference_for(x));
    }
    // Kahan: the term less what the last addition lost.
    let y = exp_difference(x, out.base, 0) - out.carry;
    let s = out.sum + y;
    out.carry = (s * opaque_one() - out.sum) - y;
    out.sum = s;
    return out;
}

fn combine(a: Running, b: Running) -> Running {
    let base = max(a.base, b.base);
    let ra = rebased(a, base);
    let rb = rebased(b, base);
    let s = ra.sum + rb.sum;
    let err = sum_error(ra.sum, rb.sum, s);
    return Running(base, s, (ra.carry + rb.carry) - err, a.poisoned | b.poisoned);
}

// Outputs are exp(x - base) / sum, both scaled by 2^TOTAL_SHIFT: exactly
// (powers of two), and so that terms far below the max are not computed as
// subnormals (base may sit 16 above the max, so the sum may be as small as
// e^-16).
const TOTAL_SHIFT: i32 = 24;

// The whole row's sum of exp(x - base), scaled by 2^TOTAL_SHIFT: 0 when the
// row has no finite entry (its outputs are then NaN).
fn row_total(row: Running) -> f32 {
    return ldexp(row.sum - row.carry, TOTAL_SHIFT);
}

// The softmax output at `o` given its whole row's state and `row_total`.
// Outputs are never negative, so the sign bit is cleared by bits: Chromium's
// WebGPU (SwiftShader) wrote a masked position's 0.0 as -0, where Keras has +0.
fn softmax_at(o: vec2<u32>, row: Running, total: f32) -> f32 {
    return bitcast<f32>(bitcast<u32>(softmax_value(o, row, total)) & 0x7fffffffu);
}

fn softmax_value(o: vec2<u32>, row: Running, total: f32) -> f32 {
    if is_masked(o) {
        return 0.0;
    }
    if row.poisoned != 0u {
        return nan();
    }
    return exp_difference(f32(input[o.x]), row.base, TOTAL_SHIFT) / total;
}
