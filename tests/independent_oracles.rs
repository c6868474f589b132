//! Softmax (any axes, with and without masks) and PReLU (alpha's shape,
//! Keras's input spec, the forward value) checked against oracles that share
//! no code with the crate: plain loops over multi-indices written here, f64
//! arithmetic, and Keras's rules as ../shared/keras/SEMANTICS.md states them.
//!
//! The crate's CPU reference (`wgpu_activations::cpu`) reuses the GPU path's
//! axis resolution, mask broadcasting and PReLU input check, so a bug there
//! would make both paths agree and every GPU-vs-CPU test pass. Here both the
//! GPU forward and the CPU reference are held to the oracles: softmax within
//! `SOFTMAX_ULPS` of the f64 oracle, PReLU bit for bit, and every shape or
//! axis list Keras rejects must be an error on both paths.

// Native: blocks on the GPU; the browser runs tests/browser.rs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::oracles::{
    keras_alpha_shape, multi_indices, offset_of, oracle_axes, oracle_mask_offsets,
};
use common::{ctx, softmax_close, ulps, SOFTMAX_ULPS};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use wgpu_activations::{GpuTensor, Layer, PReLU, Softmax, SoftmaxMapping};

/// Fixed seed and no regression files: a failure reproduces on every run,
/// and this file is the only one the suite adds.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(0x5EED_0AC1E),
        failure_persistence: None,
        // Each shrink step runs the GPU; a few hundred find a small case.
        max_shrink_iters: 256,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------
// Multi-index arithmetic and the shape rules are written out in
// tests/common/oracles.rs, so that nothing comes from the crate.

/// A small deterministic generator (SplitMix64) for values derived from a
/// proptest seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[(self.next() % from.len() as u64) as usize]
    }
}

// ---------------------------------------------------------------------------
// The softmax oracle.

/// Keras 3's softmax in f64: masked logits become -1e9 (the f32 rule), then
/// `exp(x - max) / sum` over the reduced axes for each position of the
/// others, then masked outputs become 0. (Keras's multi-axis path computes
/// `exp(x - logsumexp)`, the same function rounded more often.) With `max`
/// propagating NaN as numpy's and XLA's does, plain arithmetic yields Keras's
/// non-finite rules with no special case: a NaN or `+inf` row is NaN
/// (`inf - inf`), an all-`-inf` row is NaN, a `-inf` entry is 0.
fn oracle_softmax(shape: &[usize], reduced: &[bool], x: &[f32], keep: Option<&[bool]>) -> Vec<f32> {
    let kept = |i: usize| keep.is_none_or(|k| k[i]);
    // A row is one position on the kept axes times every position on the
    // reduced ones: split the shape into those two grids and add them.
    let outer: Vec<usize> = shape
        .iter()
        .zip(reduced)
        .map(|(&d, &r)| if r { 1 } else { d })
        .collect();
    let inner: Vec<usize> = shape
        .iter()
        .zip(reduced)
        .map(|(&d, &r)| if r { d } else { 1 })
        .collect();
    let mut out = vec![None; x.len()];
    for base in multi_indices(&outer) {
        let members: Vec<usize> = multi_indices(&inner)
            .iter()
            .map(|step| {
                let index: Vec<usize> = base.iter().zip(step).map(|(a, b)| a + b).collect();
                offset_of(shape, &index)
            })
            .collect();
        let logits: Vec<f64> = members
            .iter()
            .map(|&i| if kept(i) { f64::from(x[i]) } else { -1e9 })
            .collect();
        let max = logits.iter().fold(f64::NEG_INFINITY, |m, &v| {
            if m.is_nan() || v.is_nan() {
                f64::NAN
            } else {
                m.max(v)
            }
        });
        let exps: Vec<f64> = logits.iter().map(|&v| (v - max).exp()).collect();
        let sum: f64 = exps.iter().sum();
        for (&i, &e) in members.iter().zip(&exps) {
            assert!(out[i].is_none(), "oracle: element {i} in two rows");
            out[i] = Some(if kept(i) { (e / sum) as f32 } else { 0.0 });
        }
    }
    out.into_iter()
        .enumerate()
        .map(|(i, v)| v.unwrap_or_else(|| panic!("oracle: element {i} in no row")))
        .collect()
}

fn softmax_layer(axes: &[i64], as_int: bool, mapping: SoftmaxMapping) -> Softmax {
    let layer = match axes {
        [axis] if as_int => Softmax::new(*axis),
        _ => Softmax::axes(axes),
    };
    layer.with_mapping(mapping)
}

fn error_text<T>(r: &wgpu_activations::Result<T>) -> String {
    match r {
        Ok(_) => "Ok".into(),
        Err(e) => format!("Err({e})"),
    }
}

/// Runs `Softmax(axes)` on the GPU and through the CPU reference and holds
/// both to the oracle: the same acceptance as Keras, then every element
/// within `SOFTMAX_ULPS`.
#[track_caller]
fn check_softmax(
    case: &str,
    axes: &[i64],
    as_int: bool,
    mapping: SoftmaxMapping,
    shape: &[usize],
    x: &[f32],
    mask: Option<(&[usize], &[f32])>,
) {
    let layer = softmax_layer(axes, as_int, mapping);
    let ctx = ctx();
    let input = GpuTensor::from_slice(ctx, shape, x).unwrap();
    let gpu = match mask {
        Some((mask_shape, values)) => GpuTensor::from_slice(ctx, mask_shape, values)
            .and_then(|m| layer.forward_masked(ctx, &input, Some(&m))),
        None => layer.forward(ctx, &input),
    }
    .and_then(|y| y.to_vec_blocking(ctx));
    let cpu = wgpu_activations::cpu::softmax(&layer, shape, x, mask);

    let what = format!(
        "{case}: Softmax(axis={axes:?}{}, {mapping:?}) on {shape:?}, mask shape {:?}",
        if as_int { " as int" } else { "" },
        mask.map(|(s, _)| s)
    );
    let reduced = oracle_axes(axes, shape.len());
    let offsets = mask.map(|(mask_shape, _)| oracle_mask_offsets(shape, mask_shape));
    let (Some(reduced), Some(offsets)) = (reduced, offsets.map_or(Some(None), |o| o.map(Some)))
    else {
        assert!(
            gpu.is_err() && cpu.is_err(),
            "{what}: Keras rejects this, but gpu gave {} and cpu {}",
            error_text(&gpu),
            error_text(&cpu)
        );
        return;
    };
    let (gpu, cpu) = match (gpu, cpu) {
        (Ok(g), Ok(c)) => (g, c),
        (g, c) => panic!(
            "{what}: Keras accepts this, but gpu gave {} and cpu {}",
            error_text(&g),
            error_text(&c)
        ),
    };
    let mask_value = |i: usize| offsets.as_ref().zip(mask).map(|(o, (_, v))| v[o[i]]);
    let keep: Option<Vec<bool>> = offsets.as_ref().map(|_| {
        // `> 0.5` is Keras's cut: 0.5 itself and NaN are masked.
        (0..x.len()).map(|i| mask_value(i).unwrap() > 0.5).collect()
    });
    let want = oracle_softmax(shape, &reduced, x, keep.as_deref());
    let indices = multi_indices(shape);
    assert_eq!(
        (gpu.len(), cpu.len()),
        (want.len(), want.len()),
        "{what}: lengths"
    );
    for i in 0..want.len() {
        for (path, got) in [("gpu", gpu[i]), ("cpu reference", cpu[i])] {
            assert!(
                softmax_close(got, want[i]),
                "{what}: {path} at {:?} (flat {i}), input {:e}, mask {:?}: {path} {got:e} ({:#010x}) \
                 vs oracle {:e} ({:#010x}), {} ulps, {SOFTMAX_ULPS} allowed (gpu {:e}, cpu {:e})",
                indices[i],
                x[i],
                mask_value(i),
                got.to_bits(),
                want[i],
                want[i].to_bits(),
                if got.is_nan() || want[i].is_nan() { u64::MAX } else { ulps(got, want[i]) },
                gpu[i],
                cpu[i],
            );
        }
    }
}

/// Logits in `[-scale/2, scale/2)`; with `specials`, one in 24 is a value at
/// the edge of the rules (NaN, infinities, the masked logit and below it).
fn logits(n: usize, seed: u64, scale: f32, specials: bool) -> Vec<f32> {
    let mut rng = Rng(seed);
    let edge = [
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        -1e9,
        -3e9,
        3e38,
        -3e38,
        0.0,
        -0.0,
    ];
    (0..n)
        .map(|_| {
            if specials && rng.unit() < 1.0 / 24.0 {
                rng.pick(&edge)
            } else {
                ((rng.unit() - 0.5) * f64::from(scale)) as f32
            }
        })
        .collect()
}

/// Mask values: about `density` of them keep their position. Both sides
/// include the values next to Keras's `> 0.5` cut, and NaN (masked).
fn mask_values(n: usize, seed: u64, density: f64) -> Vec<f32> {
    let mut rng = Rng(seed ^ 0xA5A5_A5A5);
    let keep = [0.5f32.next_up(), 0.7, 1.0, 2.0];
    let drop = [0.0f32, 0.3, 0.5, -1.0, f32::NAN];
    (0..n)
        .map(|_| {
            if rng.unit() < density {
                rng.pick(&keep)
            } else {
                rng.pick(&drop)
            }
        })
        .collect()
}

fn shape_strategy() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..=6, 1..=4)
}

/// A shape and a non-empty set of its axes, in any order, each written as a
/// positive or a negative index at random.
fn shape_and_axes() -> impl Strategy<Value = (Vec<usize>, Vec<i64>)> {
    shape_strategy()
        .prop_flat_map(|shape| {
            let rank = shape.len();
            (
                Just(shape),
                prop::sample::subsequence((0..rank).collect::<Vec<_>>(), 1..=rank).prop_shuffle(),
                prop::collection::vec(any::<bool>(), rank),
            )
        })
        .prop_map(|(shape, axes, negative)| {
            let rank = shape.len() as i64;
            let axes = axes
                .into_iter()
                .map(|a| {
                    if negative[a] {
                        a as i64 - rank
                    } else {
                        a as i64
                    }
                })
                .collect();
            (shape, axes)
        })
}

/// A mask shape Keras accepts for `shape`: the last `k` input dims (k may be
/// 0 or the full rank), each kept or made 1. This covers masks that
/// broadcast on inner axes, on outer axes (fewer dims or leading 1s), both,
/// and masks of the full shape.
fn broadcastable_mask_shape(shape: Vec<usize>) -> impl Strategy<Value = Vec<usize>> {
    let rank = shape.len();
    (
        0..=rank,
        prop::collection::vec(prop::bool::weighted(0.3), rank),
    )
        .prop_map(move |(k, ones)| {
            (rank - k..rank)
                .map(|axis| if ones[axis] { 1 } else { shape[axis] })
                .collect()
        })
}

fn mappings() -> impl Strategy<Value = SoftmaxMapping> {
    prop_oneof![
        Just(SoftmaxMapping::Auto),
        Just(SoftmaxMapping::WorkgroupPerRow),
        Just(SoftmaxMapping::InvocationPerRow),
    ]
}

fn scales() -> impl Strategy<Value = f32> {
    prop_oneof![Just(1.0f32), Just(30.0), Just(1e4)]
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn softmax_over_any_axes_matches_the_oracle(
        (shape, axes) in shape_and_axes(),
        as_int in any::<bool>(),
        mapping in mappings(),
        seed in any::<u64>(),
        scale in scales(),
        specials in prop::bool::weighted(0.25),
    ) {
        let x = logits(shape.iter().product(), seed, scale, specials);
        check_softmax("any axes", &axes, as_int, mapping, &shape, &x, None);
    }

    #[test]
    fn masked_softmax_matches_the_oracle(
        ((shape, axes), mask_shape) in shape_and_axes()
            .prop_flat_map(|(s, a)| (Just((s.clone(), a)), broadcastable_mask_shape(s))),
        as_int in any::<bool>(),
        mapping in mappings(),
        seed in any::<u64>(),
        scale in scales(),
        specials in prop::bool::weighted(0.25),
        density in prop_oneof![Just(0.15), Just(0.5), Just(0.9)],
    ) {
        let x = logits(shape.iter().product(), seed, scale, specials);
        let m = mask_values(mask_shape.iter().product(), seed, density);
        check_softmax("masked", &axes, as_int, mapping, &shape, &x, Some((&mask_shape, &m)));
    }

    /// Any axis list, valid or not: accepted exactly when Keras accepts it.
    #[test]
    fn softmax_accepts_exactly_the_axes_keras_accepts(
        shape in shape_strategy(),
        axes in prop::collection::vec(-6i64..=6, 0..=5),
        seed in any::<u64>(),
    ) {
        let x = logits(shape.iter().product(), seed, 10.0, false);
        check_softmax("axis list", &axes, false, SoftmaxMapping::Auto, &shape, &x, None);
    }

    /// Any mask shape, valid or not: accepted exactly when Keras accepts it.
    #[test]
    fn masks_are_accepted_exactly_when_keras_broadcasts_them(
        shape in shape_strategy(),
        mask_shape in prop::collection::vec(prop_oneof![Just(1usize), 1usize..=6], 0..=5),
        seed in any::<u64>(),
    ) {
        let x = logits(shape.iter().product(), seed, 10.0, false);
        let m = mask_values(mask_shape.iter().product(), seed, 0.6);
        check_softmax("mask shape", &[-1], true, SoftmaxMapping::Auto, &shape, &x, Some((&mask_shape, &m)));
    }
}

/// The oracles themselves, on values worked out by hand: a test that
/// compares two paths with a wrong oracle would fail on both, but a wrong
/// oracle that agrees with a wrong crate would not.
#[test]
fn oracles_give_hand_computed_values() {
    // softmax([0, ln 3]) = [1/4, 3/4].
    let y = oracle_softmax(&[2], &[true], &[0.0, 3f32.ln()], None);
    assert!(
        (y[0] - 0.25).abs() < 1e-7 && (y[1] - 0.75).abs() < 1e-7,
        "{y:?}"
    );
    // Over axis 0 of [[0, 0], [ln 3, 0]]: columns are the rows.
    let y = oracle_softmax(&[2, 2], &[true, false], &[0.0, 0.0, 3f32.ln(), 0.0], None);
    assert!(
        (y[0] - 0.25).abs() < 1e-7 && (y[2] - 0.75).abs() < 1e-7,
        "{y:?}"
    );
    assert_eq!((y[1], y[3]), (0.5, 0.5));
    // Over both axes: one row of four.
    assert_eq!(
        oracle_softmax(&[2, 2], &[true, true], &[5.0; 4], None),
        [0.25; 4]
    );
    // A fully masked row is zeros; a kept logit far below -1e9 loses to the masked ones.
    let keep = [false, false, true, false];
    assert_eq!(
        oracle_softmax(&[2, 2], &[false, true], &[1.0, 2.0, -3e9, 0.0], Some(&keep)),
        [0.0; 4]
    );
    // Non-finite rows.
    let y = oracle_softmax(
        &[3, 2],
        &[false, true],
        &[f32::NAN, 0.0, f32::INFINITY, 0.0, f32::NEG_INFINITY, 0.0],
        None,
    );
    assert!(y[..4].iter().all(|v| v.is_nan()), "{y:?}");
    assert_eq!(&y[4..], &[0.0, 1.0]);
    assert!(oracle_softmax(&[2], &[true], &[f32::NEG_INFINITY; 2], None)
        .iter()
        .all(|v| v.is_nan()));

    assert_eq!(oracle_axes(&[-1, 0], 3), Some(vec![true, false, true]));
    assert_eq!(oracle_axes(&[1, -1], 2), None);
    assert_eq!(oracle_axes(&[], 2), None);
    assert_eq!(oracle_axes(&[-3], 2), None);

    // A (3, 1) mask on (2, 3, 4): aligned from the right, so it varies with axis 1.
    let offsets = oracle_mask_offsets(&[2, 3, 4], &[3, 1]).unwrap();
    assert_eq!(&offsets[..12], &[0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    assert_eq!(&offsets[12..], &offsets[..12]);
    assert_eq!(oracle_mask_offsets(&[2, 3], &[]), Some(vec![0; 6]));
    assert_eq!(oracle_mask_offsets(&[2, 3], &[1, 2, 3]), None);
    assert_eq!(oracle_mask_offsets(&[2, 3], &[2, 1]).map(|o| o[4]), Some(1));
    assert_eq!(oracle_mask_offsets(&[2, 1], &[2, 3]), None);

    // SEMANTICS.md's PReLU examples on (2, 3, 4, 5).
    let s = [2, 3, 4, 5];
    for (shared, alpha) in [
        (&[][..], Some(vec![3, 4, 5])),
        (&[1, 2], Some(vec![1, 1, 5])),
        (&[1], Some(vec![1, 4, 5])),
        (&[2, 3], Some(vec![3, 1, 1])),
        (&[1, 2, 3], Some(vec![1, 1, 1])),
        (&[3], Some(vec![3, 4, 1])),
        (&[0], Some(vec![3, 4, 1])),
        (&[-1], Some(vec![3, 1, 5])),
        (&[-2], Some(vec![1, 4, 5])),
        (&[-3], None),
        (&[4], None),
    ] {
        assert_eq!(
            keras_alpha_shape(&s, shared),
            alpha,
            "shared_axes {shared:?}"
        );
    }
    assert!(keras_accepts(&s, &[1, 2], &[1, 1, 5], &[1, 6, 7, 5]));
    assert!(!keras_accepts(&s, &[1, 2], &[1, 1, 5], &[1, 6, 7, 6]));
    assert!(!keras_accepts(&s, &[0], &[3, 4, 1], &[2, 3, 4, 6]));

    assert_eq!(keras_prelu(-2.0, 0.25).to_bits(), (-0.5f32).to_bits());
    assert_eq!(keras_prelu(-0.0, 0.25).to_bits(), 0);
    assert_eq!(keras_prelu(-1e-30, 1e-30).to_bits(), 0);
    assert_eq!(keras_prelu(f32::NEG_INFINITY, 0.0).to_bits(), 0);
    assert!(keras_prelu(f32::NAN, 0.5).is_nan());
}

/// Masks of rank 3 and 4 on rank-4 and rank-3 inputs, broadcasting on inner
/// axes, on outer axes, on both, and of the full shape, over several axis
/// sets: the cases the issue names, spelled out so that none depends on
/// what a random run happens to draw.
#[test]
fn masks_broadcasting_on_inner_and_outer_axes() {
    let cases: [(&[usize], &[&[usize]]); 2] = [
        (
            &[2, 3, 4, 5],
            &[
                &[2, 3, 4, 5],
                &[2, 3, 1, 1],
                &[2, 3, 4, 1],
                &[2, 1, 1, 1],
                &[1, 1, 4, 5],
                &[1, 3, 4, 5],
                &[2, 1, 1, 5],
                &[1, 3, 1, 5],
                &[3, 4, 5],
                &[3, 1, 5],
                &[3, 4, 1],
                &[1, 4, 5],
                &[4, 5],
                &[5],
            ],
        ),
        (
            &[3, 4, 5],
            &[
                &[3, 4, 5],
                &[3, 1, 1],
                &[3, 4, 1],
                &[1, 4, 5],
                &[1, 1, 5],
                &[4, 1],
                &[1],
            ],
        ),
    ];
    let axis_sets: [&[i64]; 5] = [&[-1], &[0], &[1, -1], &[-2, 0], &[0, 1, 2]];
    for (shape, masks) in cases {
        let n: usize = shape.iter().product();
        let x = logits(n, n as u64, 20.0, false);
        for (k, mask_shape) in masks.iter().enumerate() {
            let m = mask_values(mask_shape.iter().product(), k as u64, 0.5);
            for axes in axis_sets {
                check_softmax(
                    "named mask",
                    axes,
                    false,
                    SoftmaxMapping::Auto,
                    shape,
                    &x,
                    Some((mask_shape, &m)),
                );
            }
        }
    }
}

/// Keras refuses these masks (more dims, even leading 1s; a dim that is
/// neither 1 nor the input's, including one that would widen a size-1
/// input axis, which numpy alone would allow).
#[test]
fn masks_keras_refuses_are_errors_on_both_paths() {
    let shape = [2, 3, 4];
    let x = logits(24, 3, 5.0, false);
    for mask_shape in [
        &[1, 2, 3, 4][..],
        &[2, 3, 4, 1],
        &[3, 3],
        &[2, 1, 3],
        &[4, 1],
        &[2, 3, 5],
    ] {
        let m = vec![1.0; mask_shape.iter().product()];
        check_softmax(
            "refused mask",
            &[-1],
            true,
            SoftmaxMapping::Auto,
            &shape,
            &x,
            Some((mask_shape, &m)),
        );
    }
    let m = [1.0, 0.0, 1.0];
    check_softmax(
        "widening mask",
        &[-1],
        true,
        SoftmaxMapping::Auto,
        &[2, 1],
        &[1.0, 2.0],
        Some((&[1, 3], &m)),
    );
}

/// Rows at the edges of Keras's rules, with each mapping.
#[test]
fn softmax_rows_at_the_edges_of_the_rules() {
    let inf = f32::INFINITY;
    let nan = f32::NAN;
    // (what, x of shape (rows, 3) over the last axis, mask (rows, 3) or none)
    let cases = [
        (
            "NaN or +inf poisons its row",
            vec![nan, 0.0, 1.0, inf, 0.0, 1.0],
            None,
        ),
        (
            "-inf entries give 0; an all -inf row is NaN",
            vec![-inf, 0.0, 1.0, -inf, -inf, -inf],
            None,
        ),
        (
            "a masked NaN or +inf is ignored",
            vec![nan, 1.0, 2.0, 3.0, inf, 2.0],
            Some(vec![0.0, 1.0, 1.0, 1.0, 0.0, 1.0]),
        ),
        (
            "fully masked rows are zeros",
            vec![1.0, 2.0, 3.0, nan, inf, -inf],
            Some(vec![0.0; 6]),
        ),
        // The masked logits (-1e9) win, and then output 0: the row is zeros.
        (
            "kept logits below -1e9 lose to masked ones",
            vec![-3e9, 0.0, 5.0, -2e9, -1e9, 0.0],
            Some(vec![1.0, 0.0, 0.0, 1.0, 1.0, 0.0]),
        ),
        (
            "kept -inf beside masked logits is 0",
            vec![-inf, 5.0, 5.0, -inf, -inf, 1.0],
            Some(vec![1.0, 0.0, 0.0, 1.0, 1.0, 1.0]),
        ),
        (
            "0.5 is masked, its successor kept",
            vec![1.0, 2.0, 3.0, 1.0, 2.0, 3.0],
            Some(vec![0.5, 0.5f32.next_up(), 1.0, nan, 0.5, 0.5]),
        ),
        (
            "far apart logits",
            vec![3e38, -3e38, 0.0, -1e4, 1e4, 0.0],
            None,
        ),
    ];
    for mapping in [
        SoftmaxMapping::Auto,
        SoftmaxMapping::WorkgroupPerRow,
        SoftmaxMapping::InvocationPerRow,
    ] {
        for (what, x, mask) in &cases {
            let mask = mask.as_deref().map(|m| (&[2usize, 3][..], m));
            check_softmax(what, &[-1], true, mapping, &[2, 3], x, mask);
            // The same rows laid out along axis 0.
            let transposed: Vec<f32> = (0..6).map(|i| x[(i % 2) * 3 + i / 2]).collect();
            let mask_t: Option<Vec<f32>> =
                mask.map(|(_, m)| (0..6).map(|i| m[(i % 2) * 3 + i / 2]).collect());
            check_softmax(
                what,
                &[0],
                true,
                mapping,
                &[3, 2],
                &transposed,
                mask_t.as_deref().map(|m| (&[3usize, 2][..], m)),
            );
        }
    }
}

// ---------------------------------------------------------------------------
// The PReLU oracle.

/// Whether a PReLU built for `built` takes an input of `call`: Keras's
/// `InputSpec` (the rank; with shared axes, every axis 1.. not listed, as
/// written, keeps its built size), then alpha broadcast against
/// `call[1:]`. One deliberate difference: with no shared axes Keras lets a
/// size-1 input axis broadcast up to alpha's size and returns a larger
/// output; an activation keeps its input's shape, so that is an error here.
fn keras_accepts(
    built: &[usize],
    shared_axes: &[i64],
    alpha_shape: &[usize],
    call: &[usize],
) -> bool {
    if call.len() != built.len() {
        return false;
    }
    if !shared_axes.is_empty() {
        for axis in 1..call.len() {
            if !shared_axes.contains(&(axis as i64)) && call[axis] != built[axis] {
                return false;
            }
        }
    }
    alpha_shape
        .iter()
        .zip(&call[1..])
        .all(|(&a, &d)| a == 1 || a == d)
}

/// Keras's `relu(x) - alpha * relu(-x)` value by value: `x` above 0; for
/// `x < 0`, `+0 - alpha * -x`, which is `alpha * x` except that a zero
/// product (alpha 0, or an underflow) is `+0`; `+0` at ±0; NaN stays NaN.
/// alpha 0 keeps `-inf` at 0 (the crate's documented policy; Keras computes
/// `0 * inf = NaN` there). The f64 product of two f32s is exact, so one
/// rounding to f32 gives the correctly rounded f32 product.
fn keras_prelu(x: f32, alpha: f32) -> f32 {
    if x > 0.0 {
        x
    } else if x < 0.0 {
        if alpha == 0.0 {
            return 0.0;
        }
        let product = (f64::from(alpha) * f64::from(x)) as f32;
        if product == 0.0 {
            0.0
        } else {
            product
        }
    } else if x == 0.0 {
        0.0
    } else {
        f32::NAN
    }
}

/// `want` exactly (NaN for NaN, zeros with their sign); the GPU may also
/// return a nonzero subnormal `want` flushed to the zero of its sign, which
/// WGSL allows.
fn prelu_same(got: f32, want: f32, flush_allowed: bool) -> bool {
    if want.is_nan() {
        return got.is_nan();
    }
    got.to_bits() == want.to_bits()
        || (flush_allowed
            && want != 0.0
            && want.abs() < f32::MIN_POSITIVE
            && got == 0.0
            && got.is_sign_negative() == want.is_sign_negative())
}

/// Runs an input through two layers, one per path (each builds on its own
/// first input, as Keras does), and holds them to the oracle: rejected
/// exactly when Keras rejects, and bit for bit otherwise. `alpha` is what
/// the oracle expects the layers to hold (`None`: not built yet).
#[track_caller]
fn check_prelu(
    case: &str,
    layers: (&PReLU, &PReLU),
    shared_axes: &[i64],
    built: Option<(&[usize], &[usize], &[f32])>,
    shape: &[usize],
    x: &[f32],
) {
    let (gpu_layer, cpu_layer) = layers;
    let ctx = ctx();
    let gpu = GpuTensor::from_slice(ctx, shape, x)
        .and_then(|t| gpu_layer.forward(ctx, &t))
        .and_then(|y| y.to_vec_blocking(ctx));
    let cpu = cpu_layer.reference(shape, x);
    let what = format!(
        "{case}: PReLU(shared_axes={shared_axes:?}) built for {:?} on {shape:?}",
        built.map(|b| b.0)
    );

    // Unbuilt, the first input builds alpha (zeros by default) for its own shape.
    let zeros;
    let expected_alpha: Option<(&[usize], &[f32])> = match built {
        Some((built_shape, alpha_shape, alpha)) => {
            keras_accepts(built_shape, shared_axes, alpha_shape, shape)
                .then_some((alpha_shape, alpha))
        }
        None => match keras_alpha_shape(shape, shared_axes) {
            Some(alpha_shape) => {
                zeros = (alpha_shape.clone(), vec![0.0; alpha_shape.iter().product()]);
                Some((&zeros.0[..], &zeros.1[..]))
            }
            None => None,
        },
    };
    let Some((alpha_shape, alpha)) = expected_alpha else {
        assert!(
            gpu.is_err() && cpu.is_err(),
            "{what}: Keras rejects this, but gpu gave {} and cpu {}",
            error_text(&gpu),
            error_text(&cpu)
        );
        return;
    };
    let (gpu, cpu) = match (gpu, cpu) {
        (Ok(g), Ok(c)) => (g, c),
        (g, c) => panic!(
            "{what}: Keras accepts this, but gpu gave {} and cpu {}",
            error_text(&g),
            error_text(&c)
        ),
    };
    for layer in [gpu_layer, cpu_layer] {
        assert_eq!(
            layer.alpha_shape().as_deref(),
            Some(alpha_shape),
            "{what}: alpha shape"
        );
    }
    assert_eq!(
        (gpu.len(), cpu.len()),
        (x.len(), x.len()),
        "{what}: lengths"
    );
    for (i, index) in multi_indices(shape).iter().enumerate() {
        // alpha lines up with the input's axes 1..; its size-1 axes broadcast.
        let alpha_index: Vec<usize> = alpha_shape
            .iter()
            .zip(&index[1..])
            .map(|(&a, &c)| if a == 1 { 0 } else { c })
            .collect();
        let a = alpha[offset_of(alpha_shape, &alpha_index)];
        let want = keras_prelu(x[i], a);
        for (path, got, flush) in [("gpu", gpu[i], true), ("cpu reference", cpu[i], false)] {
            assert!(
                prelu_same(got, want, flush),
                "{what}: {path} at {index:?} (flat {i}), input {:e} ({:#010x}), alpha {a:e} at {alpha_index:?}: \
                 {path} {got:e} ({:#010x}) vs oracle {want:e} ({:#010x}) (gpu {:e}, cpu {:e})",
                x[i],
                x[i].to_bits(),
                got.to_bits(),
                want.to_bits(),
                gpu[i],
                cpu[i],
            );
        }
    }
}

/// Inputs: mostly in [-10, 10), one in eight at a rule's edge (zeros,
/// infinities, NaN, values whose product with a small alpha underflows).
fn prelu_inputs(n: usize, rng: &mut Rng) -> Vec<f32> {
    let edge = [
        0.0,
        -0.0,
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        -1e-30,
        1e-30,
        -3e38,
        -f32::MIN_POSITIVE,
    ];
    (0..n)
        .map(|_| {
            if rng.unit() < 0.125 {
                rng.pick(&edge)
            } else {
                ((rng.unit() - 0.5) * 20.0) as f32
            }
        })
        .collect()
}

/// alpha values: mostly in [-2, 2), some 0, -0, 1, tiny and huge.
fn alpha_values(n: usize, rng: &mut Rng) -> Vec<f32> {
    let edge = [0.0, -0.0, 1.0, 1e-30, -1e-30, 1e10];
    (0..n)
        .map(|_| {
            if rng.unit() < 0.2 {
                rng.pick(&edge)
            } else {
                ((rng.unit() - 0.5) * 4.0) as f32
            }
        })
        .collect()
}

/// A later input: the built shape, or it with some dims changed, or with
/// one axis more or fewer (ranks 0..=5).
fn call_shape(built: &[usize], rng: &mut Rng) -> Vec<usize> {
    let mut shape = built.to_vec();
    match rng.next() % 4 {
        0 => {}
        1 if shape.len() < 5 => shape.push(rng.pick(&[1, 2, 3])),
        1 => {
            shape.pop();
        }
        2 => {
            shape.pop();
        }
        _ => {
            for dim in &mut shape {
                if rng.unit() < 0.5 {
                    *dim = rng.pick(&[1, 2, 3, 4, 5, 6]);
                }
            }
        }
    }
    shape
}

proptest! {
    #![proptest_config(config(128))]

    /// The first input builds each layer (or is refused, as Keras's build
    /// is); then both get the same alpha and three more inputs, some of
    /// shapes Keras's input spec refuses.
    #[test]
    fn prelu_matches_the_oracle(
        built_shape in shape_strategy(),
        shared_axes in prop::collection::vec(-4i64..=5, 0..=3),
        seed in any::<u64>(),
    ) {
        let mut rng = Rng(seed);
        let gpu_layer = PReLU::new().with_shared_axes(&shared_axes);
        let cpu_layer = PReLU::new().with_shared_axes(&shared_axes);
        let layers = (&gpu_layer, &cpu_layer);
        let x = prelu_inputs(built_shape.iter().product(), &mut rng);
        check_prelu("first input", layers, &shared_axes, None, &built_shape, &x);
        let Some(alpha_shape) = keras_alpha_shape(&built_shape, &shared_axes) else {
            return Ok(());
        };
        let alpha = alpha_values(alpha_shape.iter().product(), &mut rng);
        gpu_layer.set_alpha(&alpha).unwrap();
        cpu_layer.set_alpha(&alpha).unwrap();
        let built = Some((&built_shape[..], &alpha_shape[..], &alpha[..]));
        for _ in 0..3 {
            let shape = call_shape(&built_shape, &mut rng);
            let x = prelu_inputs(shape.iter().product(), &mut rng);
            check_prelu("later input", layers, &shared_axes, built, &shape, &x);
        }
    }
}

/// SEMANTICS.md's shapes, each built on (2, 3, 4, 5), with the inputs its
/// input-spec rules name.
#[test]
fn prelu_shapes_from_keras_examples() {
    let built_shape = [2, 3, 4, 5];
    let shared_sets: [&[i64]; 11] = [
        &[],
        &[1, 2],
        &[1],
        &[2, 3],
        &[1, 2, 3],
        &[3],
        &[0],
        &[-1],
        &[-2],
        &[-3],
        &[4],
    ];
    let calls: [&[usize]; 7] = [
        &[2, 3, 4, 5],
        &[1, 6, 7, 5],
        &[7, 3, 4, 5],
        &[2, 3, 4, 6],
        &[2, 3, 1, 5],
        &[2, 3, 4],
        &[2, 3, 4, 5, 1],
    ];
    let mut rng = Rng(7);
    for shared in shared_sets {
        let layers = (
            PReLU::new().with_shared_axes(shared),
            PReLU::new().with_shared_axes(shared),
        );
        let x = prelu_inputs(120, &mut rng);
        check_prelu(
            "example",
            (&layers.0, &layers.1),
            shared,
            None,
            &built_shape,
            &x,
        );
        let Some(alpha_shape) = keras_alpha_shape(&built_shape, shared) else {
            continue;
        };
        let alpha = alpha_values(alpha_shape.iter().product(), &mut rng);
        layers.0.set_alpha(&alpha).unwrap();
        layers.1.set_alpha(&alpha).unwrap();
        for call in calls {
            let x = prelu_inputs(call.iter().product(), &mut rng);
            check_prelu(
                "example call",
                (&layers.0, &layers.1),
                shared,
                Some((&built_shape, &alpha_shape, &alpha)),
                call,
                &x,
            );
        }
    }
}

/// Every sign and class of input against every sign and class of alpha,
/// including products that underflow (Keras: +0) and go subnormal.
#[test]
fn prelu_values_at_zeros_infinities_and_underflow() {
    let xs = [
        0.0,
        -0.0,
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        -1e-30,
        1e-30,
        -f32::MIN_POSITIVE,
        -3e38,
        -1.5,
        2.5,
    ];
    let alphas = [0.0, -0.0, 0.25, -0.25, 1e-30, -1e-30, 0.5, 1e10, -1e10];
    // Batch of xs, one alpha per column.
    let shape = [xs.len(), alphas.len()];
    let x: Vec<f32> = xs.iter().flat_map(|&v| [v; 9]).collect();
    let gpu_layer = PReLU::new();
    let cpu_layer = PReLU::new();
    for layer in [&gpu_layer, &cpu_layer] {
        layer.build(&shape).unwrap();
        layer.set_alpha(&alphas).unwrap();
    }
    check_prelu(
        "value grid",
        (&gpu_layer, &cpu_layer),
        &[],
        Some((&shape, &[9], &alphas)),
        &shape,
        &x,
    );
}
