//! Softmax on the GPU against the f64 CPU reference and real Keras: every
//! axis and axis set of ranks 1..=5 (proptest), the row lengths around
//! workgroup boundaries, more rows than 65,535, masks, non-finite rows, and
//! every Softmax golden case.
//!
//! Tolerance: within 4 f32 ulps of the f64 reference, whatever the row's
//! length or values (`SOFTMAX_ULPS`). shaders/rows/online_softmax.wgsl computes
//! exp(x - max) to about an ulp (x - max kept exact by two-sum, its own
//! range-reduced exp), compensates the row's sum, and rescales it at most
//! once per term that still weighs; the division adds half an ulp. Before
//! that the bound was 4 + 2·|ln y| + √n/2 (WGSL's exp, rounded x - max,
//! plain f32 sums), and lavapipe used up to 69 ulps of it on 4,096 values
//! in [1000, 1090). `accuracy_does_not_depend_on_row_length_or_range` holds
//! the cases that showed it.

// Native: blocks on the GPU; the browser runs tests/browser.rs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{
    assert_all_close, assert_each, assert_tensor_close, ctx, golden_cases, json_f32s, json_shape,
    keras_close, spread, Tolerance, SOFTMAX,
};
use proptest::prelude::*;
use serde_json::Value;
use wgpu_activations::wgpu::Features;
use wgpu_activations::SoftmaxMapping;
use wgpu_activations::{Error, GpuTensor, Softmax};

#[track_caller]
fn check(
    layer: &Softmax,
    shape: &[usize],
    x: &[f32],
    mask: Option<(&[usize], &[f32])>,
) -> Vec<f32> {
    let t = GpuTensor::from_slice(ctx(), shape, x).unwrap();
    let y = match mask {
        Some((ms, m)) => layer.forward_masked(
            ctx(),
            &t,
            Some(&GpuTensor::from_slice(ctx(), ms, m).unwrap()),
        ),
        None => layer.forward(ctx(), &t),
    }
    .unwrap();
    let cpu = wgpu_activations::cpu::softmax(layer, shape, x, mask).unwrap();
    let what = format!(
        "{layer:?} on {shape:?}{}",
        if mask.is_some() { " (masked)" } else { "" }
    );
    assert_tensor_close(&what, &y, shape, x, &cpu, SOFTMAX)
}

/// The sum of each row (elements sharing the coordinates outside `axes`).
fn row_sums(shape: &[usize], axes: &[i64], y: &[f32]) -> Vec<f64> {
    let rank = shape.len() as i64;
    let reduced: Vec<usize> = axes
        .iter()
        .map(|&a| (if a < 0 { a + rank } else { a }) as usize)
        .collect();
    let mut sums = std::collections::BTreeMap::<Vec<usize>, f64>::new();
    for (flat, &v) in y.iter().enumerate() {
        let mut rest = flat;
        let mut key = Vec::new();
        for axis in (0..shape.len()).rev() {
            if !reduced.contains(&axis) {
                key.push(rest % shape[axis]);
            }
            rest /= shape[axis];
        }
        *sums.entry(key).or_default() += f64::from(v);
    }
    sums.into_values().collect()
}

fn shape_and_axes() -> impl Strategy<Value = (Vec<usize>, Vec<i64>)> {
    prop::collection::vec(prop_oneof![Just(1usize), 1usize..5, 5usize..20], 1..=5)
        .prop_filter("small", |s| s.iter().product::<usize>() <= 4000)
        .prop_flat_map(|s| {
            let rank = s.len();
            (
                Just(s),
                prop::sample::subsequence((0..rank as i64).collect::<Vec<_>>(), 1..=rank),
                any::<bool>(),
            )
        })
        .prop_map(|(s, axes, negative)| {
            let rank = s.len() as i64;
            let axes = axes
                .into_iter()
                .map(|a| if negative { a - rank } else { a })
                .collect();
            (s, axes)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_axes_match_cpu(((shape, axes), seed) in (shape_and_axes(), any::<u32>()), scale in prop_oneof![Just(1.0f32), Just(30.0), Just(1e4)]) {
        let n: usize = shape.iter().product();
        let x: Vec<f32> = (0..n).map(|i| (((i as u32).wrapping_mul(2654435761).wrapping_add(seed) >> 8) as f32 / 16777216.0 - 0.5) * scale).collect();
        let layer = if axes.len() == 1 { Softmax::new(axes[0]) } else { Softmax::axes(&axes) };
        let y = check(&layer, &shape, &x, None);
        // Every row sums to 1 within 1e-5 (f32 outputs of rows up to 4000 long).
        for (row, sum) in row_sums(&shape, &axes, &y).iter().enumerate() {
            prop_assert!((sum - 1.0).abs() <= 1e-5, "row {row} sums to {sum}");
        }
    }

    #[test]
    fn masks_match_cpu(rows in 1usize..6, cols in 1usize..40, seed in any::<u32>(), broadcast in any::<bool>()) {
        let x: Vec<f32> = (0..rows * cols).map(|i| ((i as u32 ^ seed) % 17) as f32 - 8.0).collect();
        let mshape = if broadcast { vec![cols] } else { vec![rows, cols] };
        // Fractional masks, 0.5 itself (masked: keep is strictly > 0.5) and its neighbour.
        let levels = [0.0, 0.3, 0.5, 0.5f32.next_up(), 0.7, 1.0];
        let m: Vec<f32> = (0..mshape.iter().product::<usize>())
            .map(|i| levels[((i as u32).wrapping_mul(2654435761) ^ seed) as usize % levels.len()])
            .collect();
        check(&Softmax::new(-1), &[rows, cols], &x, Some((&mshape, &m)));
    }
}

/// Row lengths around the workgroup size (256) and stride boundaries, rows summing to 1.
#[test]
fn row_lengths_around_workgroup_boundaries_sum_to_one() {
    for len in [1usize, 2, 63, 64, 65, 255, 256, 257, 1000, 4097] {
        for axis in [-1i64, 0] {
            let rows = 3;
            let shape = if axis == -1 { [rows, len] } else { [len, rows] };
            let x: Vec<f32> = (0..rows * len)
                .map(|i| ((i * 7919) % 1013) as f32 * 0.01 - 5.0)
                .collect();
            let y = check(&Softmax::new(axis), &shape, &x, None);
            for r in 0..rows {
                let sum: f64 = (0..len)
                    .map(|k| {
                        f64::from(if axis == -1 {
                            y[r * len + k]
                        } else {
                            y[k * rows + r]
                        })
                    })
                    .sum();
                assert!(
                    (sum - 1.0).abs() <= 1e-5,
                    "len {len} axis {axis} row {r}: sum {sum}"
                );
            }
        }
    }
}

/// More rows than 65,535 on both kernels: the grid spreads into 2-D.
#[test]
fn more_rows_than_65535() {
    let (rows, len) = (70_000, 40);
    let x: Vec<f32> = (0..rows * len).map(|i| (i % 11) as f32 - 5.0).collect();
    for mapping in [
        SoftmaxMapping::WorkgroupPerRow,
        SoftmaxMapping::InvocationPerRow,
    ] {
        let y = check(
            &Softmax::new(-1).with_mapping(mapping),
            &[rows, len],
            &x,
            None,
        );
        assert!(y.iter().all(|v| *v > 0.0), "{mapping:?}: a row was skipped");
    }
}

/// The workgroup-memory fallback, on a device created without subgroups,
/// against the subgroup kernel on the shared context (which has them where
/// the adapter does).
#[test]
fn subgroup_and_fallback_reductions_agree() {
    let ctx_plain = common::plain_context();
    assert!(!ctx_plain.features().contains(Features::SUBGROUP));
    for (shape, axis) in [
        (&[5usize, 3000][..], -1i64),
        (&[7, 257], -1),
        (&[3000, 3], 0),
        (&[2, 3, 40, 50], 2),
    ] {
        let n: usize = shape.iter().product();
        let x: Vec<f32> = (0..n)
            .map(|i| ((i * 53) % 211) as f32 * 0.1 - 10.0)
            .collect();
        let layer = Softmax::new(axis).with_mapping(SoftmaxMapping::WorkgroupPerRow);
        check(&layer, shape, &x, None);
        let t = GpuTensor::from_slice(&ctx_plain, shape, &x).unwrap();
        let y = layer.forward(&ctx_plain, &t).unwrap();
        let what = format!("fallback {shape:?} axis {axis}");
        assert_eq!(y.shape(), shape, "{what}: shape");
        let cpu = wgpu_activations::cpu::softmax(&layer, shape, &x, None).unwrap();
        let got = y.to_vec_blocking(&ctx_plain).unwrap();
        assert_all_close(&what, &x, &got, &cpu, SOFTMAX);
    }
}

/// Both kernels on contiguous and strided rows, short and long, against the CPU.
#[test]
fn both_kernels_match_cpu_on_every_layout() {
    for (shape, axis) in [
        (&[5usize, 300][..], -1i64),
        (&[300, 7], -1),
        (&[50, 300], 0),
        (&[900, 4], 0),
        (&[3, 4, 5], 1),
    ] {
        let n = shape.iter().product();
        let x: Vec<f32> = (0..n)
            .map(|i| ((i * 37) % 101) as f32 * 0.1 - 5.0)
            .collect();
        for mapping in [
            SoftmaxMapping::WorkgroupPerRow,
            SoftmaxMapping::InvocationPerRow,
            SoftmaxMapping::Auto,
        ] {
            check(&Softmax::new(axis).with_mapping(mapping), shape, &x, None);
        }
    }
}

/// The inputs that used most of the old length- and range-dependent bound
/// (up to 69 ulps): long rows, rising maxima, outputs down to 1e-37, large
/// offsets; every mapping the adapter's loop budget allows.
#[test]
fn accuracy_does_not_depend_on_row_length_or_range() {
    let ramp: Vec<f32> = (0..65_536).map(|i| i as f32 * 1e-4).collect();
    let cases: [(&str, Vec<usize>, i64, Vec<f32>); 7] = [
        (
            "[-10, 10), 65,536",
            vec![65_536],
            -1,
            spread(65_536, -10.0, 10.0, 1),
        ),
        ("ascending by 1e-4, 65,536", vec![65_536], -1, ramp),
        (
            "[-20, 20), 200,000 (segments)",
            vec![200_000],
            -1,
            spread(200_000, -20.0, 20.0, 2),
        ),
        (
            "[-90, 0), 4,096",
            vec![4_096],
            -1,
            spread(4_096, -90.0, 0.0, 3),
        ),
        (
            "[1000, 1090), 4,096",
            vec![4_096],
            -1,
            spread(4_096, 1000.0, 1090.0, 4),
        ),
        (
            "[-5, 5) over axis 0 of 64 x 64",
            vec![64, 64],
            0,
            spread(4_096, -5.0, 5.0, 5),
        ),
        (
            "[-3, 3) in pairs",
            vec![20_000, 2],
            -1,
            spread(40_000, -3.0, 3.0, 6),
        ),
    ];
    for (what, shape, axis, x) in &cases {
        for mapping in [
            SoftmaxMapping::Auto,
            SoftmaxMapping::WorkgroupPerRow,
            SoftmaxMapping::InvocationPerRow,
        ] {
            // One invocation per 65,536-long row is past llvmpipe's budget:
            // a workgroup takes the row there (tests/loop_budget.rs), as
            // accurate.
            eprintln!("{what}: {mapping:?}");
            check(&Softmax::new(*axis).with_mapping(mapping), shape, x, None);
        }
    }
}

/// Keras gives exactly 1 where a row has one element, or where every other
/// term vanishes beside the max; a chain then thresholding at 1 depends on
/// it (tests/fuzz.rs found ThresholdedReLU after a one-element softmax
/// letting 1.0000001 through).
#[test]
fn a_lone_or_dominant_value_gives_exactly_one() {
    for mapping in [
        SoftmaxMapping::Auto,
        SoftmaxMapping::WorkgroupPerRow,
        SoftmaxMapping::InvocationPerRow,
    ] {
        let layer = Softmax::new(-1).with_mapping(mapping);
        let lone = [88.7f32, -3.0, 0.0, 1e-30, 12.5, -7e5, 3e38, -3e38];
        let y = check(&layer, &[lone.len(), 1], &lone, None);
        let ones = [1.0; 8];
        assert_all_close(
            &format!("{mapping:?}: lone"),
            &lone,
            &y,
            &ones,
            Tolerance::Exact,
        );
        // The max's neighbours 120 below vanish in f32.
        let mut x = vec![-200.0f32; 3 * 64];
        for (row, m) in [(0usize, 88.7f32), (1, -5.0), (2, 1e6)] {
            for v in &mut x[row * 64..(row + 1) * 64] {
                *v = m - 120.0;
            }
            x[row * 64 + 17] = m;
        }
        let y = check(&layer, &[3, 64], &x, None);
        for row in 0..3 {
            assert_eq!(y[row * 64 + 17], 1.0, "{mapping:?}: row {row}");
        }
    }
}

#[test]
fn extreme_and_nonfinite_rows() {
    let (inf, nan) = (f32::INFINITY, f32::NAN);
    let x = [
        1e4, -1e4, 1e4, 3e38, -3e38, 0.0, 5.0, 5.0, 5.0, inf, 0.0, 1.0, -inf, 0.0, 1.0, -inf, -inf,
        -inf, nan, 0.0, 1.0,
    ];
    // `check` compared all 21 against the CPU; these rows exactly.
    let y = check(&Softmax::new(-1), &[7, 3], &x, None);
    let exact = |what: &str, rows: std::ops::Range<usize>, want: &[f32]| {
        assert_all_close(what, &x[rows.clone()], &y[rows], want, Tolerance::Exact);
    };
    exact("1e4, -1e4, 1e4", 0..3, &[0.5, 0.0, 0.5]);
    exact("3e38, -3e38, 0", 3..6, &[1.0, 0.0, 0.0]);
    exact("inf, 0, 1", 9..12, &[nan; 3]);
    exact("-inf of -inf, 0, 1", 12..13, &[0.0]);
    exact("-inf rows and NaN, 0, 1", 15..21, &[nan; 6]);
}

#[test]
fn every_softmax_golden_case_matches_keras() {
    let mut checked = 0;
    for case in golden_cases().iter().filter(|c| c["layer"] == "Softmax") {
        let name = case["name"].as_str().unwrap();
        let layer = match case["keras2_args"].get("axis") {
            None => Softmax::default(),
            Some(Value::Number(n)) => Softmax::new(n.as_i64().unwrap()),
            Some(Value::Array(a)) => {
                Softmax::axes(&a.iter().map(|v| v.as_i64().unwrap()).collect::<Vec<_>>())
            }
            Some(other) => panic!("{name}: axis {other}"),
        };
        let shape = json_shape(&case["input_shape"]);
        let x = json_f32s(&case["input"]);
        let mask_values = common::case_mask(case);
        let mask = mask_values
            .as_ref()
            .map(|(s, v)| (s.as_slice(), v.as_slice()));
        let gpu = check(&layer, &shape, &x, mask);
        let keras = json_f32s(&case["output"]);
        let (atol, rtol) = (
            case["tolerance"]["atol"].as_f64().unwrap(),
            case["tolerance"]["rtol"].as_f64().unwrap(),
        );
        assert_each(
            &format!("{name} (keras, atol {atol}, rtol {rtol})"),
            &gpu,
            &keras,
            |_, g, k| keras_close(g, k, atol, rtol),
        );
        checked += 1;
    }
    assert_eq!(checked, 29);
}

#[test]
fn bad_axes_and_masks_are_errors_naming_them() {
    let x = GpuTensor::from_slice(ctx(), &[2, 3], &[0.0; 6]).unwrap();
    let err = Softmax::new(5).forward(ctx(), &x).unwrap_err().to_string();
    assert_eq!(err, "axis 5 is out of bounds for array of dimension 2");
    let err = Softmax::axes(&[1, -1])
        .forward(ctx(), &x)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("axis -1") && err.contains("dimension 2"),
        "{err}"
    );
    let x13 = GpuTensor::from_slice(ctx(), &[1, 3], &[0.0; 3]).unwrap();
    let m = GpuTensor::from_slice(ctx(), &[2, 3], &[1.0; 6]).unwrap();
    let err = Softmax::new(-1)
        .forward_masked(ctx(), &x13, Some(&m))
        .unwrap_err();
    assert!(
        matches!(err, Error::Shape(_))
            && err.to_string().contains("[1, 3]")
            && err.to_string().contains("[2, 3]"),
        "{err}"
    );
    let m = GpuTensor::from_slice(ctx(), &[1, 1, 3], &[1.0; 3]).unwrap();
    assert!(Softmax::new(-1)
        .forward_masked(ctx(), &x13, Some(&m))
        .unwrap_err()
        .to_string()
        .contains("more dimensions"));
}
