//! The deterministic random generator behind [`Initializer::sample`]:
//! SplitMix64 to seed xoshiro256**, Marsaglia's polar method for normals,
//! and the `libm` crate's natural logarithm.
//!
//! Everything here uses only integer arithmetic, the IEEE-754 basic
//! operations `+ - * /` and `sqrt`, which Rust guarantees correctly rounded
//! and never fuses, and `libm::log`, plain Rust built from those same
//! operations on every target. That is what lets a `Some(seed)` promise
//! bit-identical values on every platform: `f64::ln`, `sin` and `cos` come
//! from the platform's libm and may differ in the last bit between
//! platforms, hence the polar method and `libm::log` instead of Box–Muller
//! and `f64::ln` (ARCHITECTURE.md, "Libraries we use"). The pinned values in
//! `sampling.rs`'s tests hold that promise.
//!
//! [`Initializer::sample`]: super::Initializer::sample

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

/// The process-wide count of unseeded calls, hashed for a fresh seed: the
/// count makes successive calls differ even if two `RandomState`s shared
/// their keys, and the hash keys make different processes differ.
static UNSEEDED_CALLS: AtomicU64 = AtomicU64::new(0);

fn fresh_seed() -> u64 {
    RandomState::new().hash_one(UNSEEDED_CALLS.fetch_add(1, Ordering::Relaxed))
}

/// SplitMix64 (Steele, Lea and Flood), used to spread a seed over the
/// xoshiro state: consecutive seeds give unrelated states, and the four
/// words can never all be zero (xoshiro's one bad state).
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// xoshiro256** (Blackman and Vigna) with a cached second normal from the
/// polar method.
///
/// Only integer operations and IEEE-754 `+ - * /` and `sqrt` (which Rust
/// guarantees correctly rounded, and never fuses) are used, so a seed gives
/// the same bits on every platform. `f64::ln`, `sin` and `cos` come from the
/// platform's libm and may differ in the last bit between platforms, which
/// is why the polar method with [`ln`] below replaces Box–Muller.
pub(super) struct Rng {
    state: [u64; 4],
    spare_normal: Option<f64>,
}

impl Rng {
    pub(super) fn new(seed: Option<u64>) -> Self {
        let mut sm = seed.unwrap_or_else(fresh_seed);
        Rng {
            state: [
                splitmix64(&mut sm),
                splitmix64(&mut sm),
                splitmix64(&mut sm),
                splitmix64(&mut sm),
            ],
            spare_normal: None,
        }
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, 1)` on the 2^53 multiples of 2^-53: the top bits,
    /// which are xoshiro's strongest.
    pub(super) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Marsaglia's polar method: two independent standard normals per
    /// accepted point, the second kept for the next call.
    pub(super) fn standard_normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        loop {
            let u = 2.0 * self.unit() - 1.0;
            let v = 2.0 * self.unit() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let factor = (-2.0 * libm::log(s) / s).sqrt();
                self.spare_normal = Some(v * factor);
                return u * factor;
            }
        }
    }

    /// A standard normal conditioned on `|z| <= 2`, by redrawing, as Keras's
    /// truncated normal discards values more than two standard deviations out.
    pub(super) fn truncated_standard_normal(&mut self) -> f64 {
        loop {
            let z = self.standard_normal();
            if z.abs() <= 2.0 {
                return z;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_reference_output() {
        // The first output for state 0, as published with SplitMix64.
        let mut state = 0;
        assert_eq!(splitmix64(&mut state), 0xe220_a839_7b1d_cdaf);
    }
}
