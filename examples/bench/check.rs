//! The outputs a figure is reported for must be right: each configuration's
//! output is compared with the CPU reference (`wgpu_activations::cpu`, run on
//! the input exactly as the tensor holds it) before it is timed, within the
//! documented bounds. A truncated softmax was once timed and reported; this is
//! what stops that.
//!
//! Bounds, in ulps of the stored type (docs/ACCURACY.md, Accuracy and Half
//! precision; docs/KERAS.md, Activation functions):
//! - f32: the piecewise-linear layers bit for bit; ELU and Softmax within 4;
//!   the `keras.activations` functions within 5.
//! - f16: the reference (f32 from f32/f64 arithmetic) rounded to f16; the
//!   piecewise-linear layers then exact, ELU and Softmax within 1. Where the
//!   rounded reference is subnormal, 0 is accepted too (WGSL may flush).
//!
//! ±0 count as equal and NaN matches NaN: the sign of zero is the tests'
//! to hold (tests/elementwise.rs), and this check must not stop a benchmark
//! run over it.

use std::fmt;

use wgpu_activations::{half::f16, AnyLayer, DType, GpuContext, GpuTensor, Layer};

/// The documented bound for one layer, in ulps of each stored type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tolerance {
    pub f32_ulps: u32,
    pub f16_ulps: u32,
}

/// The piecewise-linear layers: one rounding of an exact result.
pub const EXACT: Tolerance = Tolerance {
    f32_ulps: 0,
    f16_ulps: 0,
};

/// ELU and Softmax: within 4 f32 ulps of the f64 reference, hence within one
/// f16 ulp once both are rounded to f16.
pub const ROUNDED: Tolerance = Tolerance {
    f32_ulps: 4,
    f16_ulps: 1,
};

/// The `keras.activations` functions of the main table: the loosest forward
/// bound among them in docs/KERAS.md's table (mish, gelu: 5 f32 ulps).
pub const FUNCTION: Tolerance = Tolerance {
    f32_ulps: 5,
    f16_ulps: 1,
};

impl Tolerance {
    /// The bound docs/ACCURACY.md states for a layer.
    pub fn of(layer: &dyn Layer) -> Self {
        match layer.class_name() {
            "ELU" | "Softmax" => ROUNDED,
            "Activation" => FUNCTION,
            _ => EXACT,
        }
    }

    /// The loosest bound among `layers`. For a chain this is only right when
    /// the layers after a rounding one do not magnify its error; the bench's
    /// chain passes ELU's positive outputs through unchanged and zeroes its
    /// negative ones (ThresholdedReLU(0.1)), so it holds there.
    pub fn loosest(layers: &[AnyLayer]) -> Self {
        layers.iter().map(|l| Self::of(l)).fold(EXACT, |a, b| Self {
            f32_ulps: a.f32_ulps.max(b.f32_ulps),
            f16_ulps: a.f16_ulps.max(b.f16_ulps),
        })
    }

    fn ulps(self, dtype: DType) -> u32 {
        match dtype {
            DType::F32 => self.f32_ulps,
            DType::F16 => self.f16_ulps,
        }
    }
}

/// An output outside its bound: the first such element.
#[derive(Debug)]
pub struct Mismatch {
    pub what: String,
    pub index: usize,
    pub input: f32,
    pub got: f32,
    pub want: f32,
    /// `want` as the tensor's type stores it (differs for f16).
    pub want_stored: f32,
    pub dtype: DType,
    pub allowed: u32,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: element {} (input {}) is {} on the GPU but the CPU reference gives {}",
            self.what, self.index, self.input, self.got, self.want
        )?;
        if self.want_stored != self.want {
            write!(f, " ({} as {})", self.want_stored, self.dtype)?;
        }
        write!(
            f,
            ", more than the {} {} ulps the README allows. No figure is reported for a \
             wrong output.",
            self.allowed, self.dtype
        )
    }
}

impl std::error::Error for Mismatch {}

/// What a passed check saw: the largest distance and the bound, in ulps of
/// the stored type.
pub struct Passed {
    pub worst: u32,
    pub allowed: u32,
    pub dtype: DType,
}

impl fmt::Display for Passed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "within {} {} ulps of the CPU reference ({} allowed)",
            self.worst, self.dtype, self.allowed
        )
    }
}

/// Compares `output` (of `input`'s type) with `want`, the CPU reference on
/// `input`, the values the input tensor holds.
pub fn output(
    ctx: &GpuContext,
    what: &str,
    output: &GpuTensor,
    input: &[f32],
    want: &[f32],
    tolerance: Tolerance,
) -> Result<Passed, Box<dyn std::error::Error>> {
    let dtype = output.dtype();
    let allowed = tolerance.ulps(dtype);
    // The output widened exactly (f16 to f32), for the message.
    let (compared, got) = match dtype {
        DType::F32 => {
            let got = output.to_vec_blocking(ctx)?;
            (check_f32(&got, want, allowed), got)
        }
        DType::F16 => {
            let got = output.to_f16_vec_blocking(ctx)?;
            let compared = check_f16(&got, want, allowed);
            (compared, got.iter().map(|h| h.to_f32()).collect())
        }
    };
    let worst = compared.map_err(|index| {
        let want_stored = match dtype {
            DType::F32 => want[index],
            DType::F16 => f16::from_f32(want[index]).to_f32(),
        };
        Box::new(Mismatch {
            what: what.to_string(),
            index,
            input: input[index],
            got: got[index],
            want: want[index],
            want_stored,
            dtype,
            allowed,
        }) as Box<dyn std::error::Error>
    })?;
    Ok(Passed {
        worst,
        allowed,
        dtype,
    })
}

/// f32 outputs: the largest distance in ulps, or the first element over `allowed`.
fn check_f32(got: &[f32], want: &[f32], allowed: u32) -> Result<u32, usize> {
    // Neighbouring floats one apart, ±0 together.
    let ordinal = |v: f32| {
        let bits = i64::from(v.to_bits() as i32);
        if bits < 0 {
            i64::from(i32::MIN) - bits
        } else {
            bits
        }
    };
    let distance = |(&g, &w): (&f32, &f32)| {
        if g.is_nan() || w.is_nan() {
            if g.is_nan() && w.is_nan() {
                0
            } else {
                u64::MAX
            }
        } else if w != 0.0 && w.abs() < f32::MIN_POSITIVE && g == 0.0 {
            0 // a subnormal flushed, which WGSL allows
        } else {
            ordinal(g).abs_diff(ordinal(w))
        }
    };
    worst(
        got.len(),
        want.len(),
        got.iter().zip(want).map(distance),
        allowed,
    )
}

/// f16 outputs against the f32 reference rounded to f16: the largest
/// distance in f16 ulps, or the first element over `allowed`.
fn check_f16(got: &[f16], want: &[f32], allowed: u32) -> Result<u32, usize> {
    let ordinal = |v: f16| {
        let bits = i64::from(v.to_bits() as i16);
        if bits < 0 {
            i64::from(i16::MIN) - bits
        } else {
            bits
        }
    };
    let distance = |(&g, &w): (&f16, &f32)| {
        let w = f16::from_f32(w);
        if g.is_nan() || w.is_nan() {
            if g.is_nan() && w.is_nan() {
                0
            } else {
                u64::MAX
            }
        } else if w.classify() == std::num::FpCategory::Subnormal && g == f16::ZERO {
            0 // a subnormal flushed, which WGSL allows
        } else {
            ordinal(g).abs_diff(ordinal(w))
        }
    };
    worst(
        got.len(),
        want.len(),
        got.iter().zip(want).map(distance),
        allowed,
    )
}

/// The largest of `distances`, or the index of the first over `allowed`.
fn worst(
    got: usize,
    want: usize,
    distances: impl Iterator<Item = u64>,
    allowed: u32,
) -> Result<u32, usize> {
    assert_eq!(got, want, "output and reference lengths differ");
    let mut worst = 0;
    for (i, d) in distances.enumerate() {
        if d > u64::from(allowed) {
            return Err(i);
        }
        worst = worst.max(d as u32);
    }
    Ok(worst)
}
