//! Fuzzing with proptest: every public constructor and forward driven with
//! arbitrary parameters (NaN, ±inf, negative, huge, subnormal, any bit
//! pattern), shapes of rank 0..=8 with zero dims and products that overflow
//! u32 or usize, arbitrary axes, masks and alpha of the wrong shape.
//!
//! The properties: nothing panics (proptest turns a panic into a failing,
//! shrunk case); every rejection is a clear error (it names the argument,
//! the shape or the limit, and is never a wgpu validation error, which would
//! mean the input reached the GPU unchecked); every accepted forward equals
//! the CPU reference within the suite's tolerances.
//!
//! Cases per property are the constants below: 4 validation properties of
//! [`VALIDATION_CASES`] and 4 GPU properties of [`GPU_CASES`], 20,480 cases a
//! run (the README's figure); `WGPU_ACTIVATIONS_FUZZ_SCALE=10` runs ten times
//! as many. Tensors that reach the GPU hold at most [`MAX_GPU_ELEMENTS`], so the
//! suite stays quick on a software adapter and under GL with one test thread.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{close, ctx, ulps, Tolerance, SOFTMAX_ULPS};
use proptest::prelude::*;
use wgpu_activations::shape::{element_count, prelu_alpha_shape};
use wgpu_activations::{
    Error, GpuTensor, Initializer, Layer, LeakyReLU, PReLU, ReLU, Sequential, Softmax,
    SoftmaxMapping, ThresholdedReLU, ELU,
};

/// Cases of the pure validation properties (constructors, shapes).
const VALIDATION_CASES: u32 = 4096;
/// Cases of the properties that upload tensors and run forwards.
const GPU_CASES: u32 = 1024;
/// The most elements a fuzzed tensor may hold when it reaches the GPU.
const MAX_GPU_ELEMENTS: usize = 96;

fn config(cases: u32) -> ProptestConfig {
    let scale = std::env::var("WGPU_ACTIVATIONS_FUZZ_SCALE")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(1);
    ProptestConfig {
        cases: cases * scale,
        // Rejected inputs are replaced, so `cases` cases always run.
        max_global_rejects: cases * scale,
        ..ProptestConfig::default()
    }
}

/// Any f32 a caller could pass: specials, extremes, subnormals, ordinary
/// values and arbitrary bit patterns (including NaNs with payloads).
fn wild_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        prop::sample::select(vec![
            f32::NAN,
            -f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            0.0,
            -0.0,
            f32::MAX,
            f32::MIN,
            f32::MIN_POSITIVE,
            -f32::MIN_POSITIVE,
            1e-45,
            -1e-45,
            1e-40,
            -1e-40,
            1.0,
            -1.0,
            88.7,
            -88.7,
            1e30,
            -1e30,
        ]),
        -10.0f32..10.0,
        any::<u32>().prop_map(f32::from_bits),
    ]
}

/// Dimensions: empty, unit, small, and huge ones whose products overflow
/// u32 or usize.
fn wild_dim() -> impl Strategy<Value = usize> {
    prop_oneof![
        4 => Just(0usize),
        4 => Just(1usize),
        8 => 2usize..6,
        1 => Just(u32::MAX as usize),
        1 => Just(u32::MAX as usize + 1),
        1 => Just(1usize << 33),
        1 => Just(usize::MAX / 2),
        1 => Just(usize::MAX),
    ]
}

fn wild_shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(wild_dim(), 0..=8)
}

/// Axes in and out of range, negative, repeated, and extreme.
fn wild_axes() -> impl Strategy<Value = Vec<i64>> {
    prop::collection::vec(
        prop_oneof![
            8 => -9i64..9,
            1 => Just(i64::MIN),
            1 => Just(i64::MAX),
        ],
        0..4,
    )
}

/// The length of `shape`'s data: its element count when that is small, else
/// a small wrong length (so `from_slice` must reject it).
fn data_len(shape: &[usize], skew: usize) -> usize {
    match element_count(shape) {
        Ok(n) if n <= MAX_GPU_ELEMENTS => {
            // Mostly right, sometimes one off, to fuzz the length check too.
            match skew % 16 {
                0 => n + 1,
                1 if n > 0 => n - 1,
                _ => n,
            }
        }
        _ => skew % 4,
    }
}

/// Shapes of rank 0..=8 that fit on the GPU in this suite, zero dims included.
fn small_shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(
        prop_oneof![4 => Just(1usize), 4 => 2usize..4, 1 => Just(0usize), 1 => 4usize..8],
        0..=8,
    )
    .prop_filter("small enough for the GPU cases", |s| {
        element_count(s).is_ok_and(|n| n <= MAX_GPU_ELEMENTS)
    })
}

/// A shape with data whose length usually matches it: mostly shapes that
/// run, a quarter arbitrary ones.
fn shaped_data() -> impl Strategy<Value = (Vec<usize>, Vec<f32>)> {
    let shape = prop_oneof![3 => small_shape(), 1 => wild_shape()];
    (shape, any::<usize>()).prop_flat_map(|(shape, skew)| {
        let len = data_len(&shape, skew);
        (Just(shape), prop::collection::vec(wild_f32(), len))
    })
}

/// Whether `e` is a clear rejection of user input: it names what was wrong
/// and is not an error of the GPU itself.
fn assert_clear(e: &Error, what: &str) {
    let text = e.to_string();
    match e {
        Error::InvalidArgument { argument, message } => assert!(
            message.contains(argument),
            "{what}: the message does not name {argument}: {message}"
        ),
        Error::Shape(message) => assert!(
            message.chars().any(|c| c.is_ascii_digit() || c == '[') || message.contains("build("),
            "{what}: a shape error that names no shape, axis, size or remedy: {message}"
        ),
        Error::TooLarge { limit_name, .. } => {
            assert!(text.contains(limit_name), "{what}: {text}")
        }
        other => panic!("{what}: user input must be rejected before the GPU, got {other:?}"),
    }
}

/// How close a forward must be to its reference.
#[derive(Clone, Copy, Debug)]
enum Bound {
    /// The elementwise layers: exact, ELU 4 ulps (tests/elementwise.rs).
    Elementwise(Tolerance),
    /// Softmax: tests/softmax.rs's 4 ulps (`SOFTMAX_ULPS`), plus `extra`
    /// ulps for inexact layers before it in a chain.
    Softmax { extra: u64 },
}

fn softmax_close(got: f32, want: f32, extra: u64) -> bool {
    if got.is_nan() || want.is_nan() {
        return got.is_nan() && want.is_nan();
    }
    if want.abs() < f32::MIN_POSITIVE && got.abs() < f32::MIN_POSITIVE {
        return true;
    }
    ulps(got, want) <= extra.saturating_add(SOFTMAX_ULPS)
}

/// Uploads `data` as `shape`; a rejection must be clear and must be right
/// (the length or the size is really wrong).
fn upload(shape: &[usize], data: &[f32]) -> Option<GpuTensor> {
    match GpuTensor::from_slice(ctx(), shape, data) {
        Ok(t) => {
            assert_eq!(element_count(shape).unwrap(), data.len());
            assert_eq!(t.shape(), shape);
            Some(t)
        }
        Err(e) => {
            assert_clear(&e, &format!("from_slice({shape:?}, {} values)", data.len()));
            let fits = element_count(shape).is_ok_and(|n| n == data.len());
            assert!(
                !fits || matches!(e, Error::TooLarge { .. } | Error::Shape(_)),
                "{shape:?} with {} values rejected: {e}",
                data.len()
            );
            None
        }
    }
}

/// Runs `layer` on the GPU (through `forward`, and through `forward_into` and
/// `forward_in_place` where it can) and on the CPU, and checks the outcome:
/// accepted means equal to the reference; rejected means a clear error.
fn check_forward(layer: &dyn Layer, shape: &[usize], data: &[f32], bound: Bound) {
    let Some(x) = upload(shape, data) else {
        return;
    };
    let what = format!("{} on {shape:?}", layer.class_name());
    let gpu = layer.forward(ctx(), &x).and_then(|y| {
        assert_eq!(y.shape(), shape, "{what}: output shape");
        y.to_vec_blocking(ctx())
    });
    let gpu = match gpu {
        Ok(values) => values,
        Err(e) => {
            assert_clear(&e, &what);
            return;
        }
    };
    let want = layer
        .reference(shape, data)
        .unwrap_or_else(|e| panic!("{what}: the GPU accepted what the reference rejects: {e}"));
    assert_eq!(gpu.len(), want.len(), "{what}: lengths");
    for (i, (&g, &w)) in gpu.iter().zip(&want).enumerate() {
        let ok = match bound {
            Bound::Elementwise(tol) => close(g, w, tol),
            Bound::Softmax { extra } => softmax_close(g, w, extra),
        };
        assert!(
            ok,
            "{what}: element {i}, input {:e}: gpu {g:e} vs cpu {w:e}",
            data[i]
        );
    }
    // The other entry points give the same values.
    let out = GpuTensor::from_slice(ctx(), shape, &vec![0.0; data.len()]).unwrap();
    layer.forward_into(ctx(), &x, &out).unwrap();
    assert_eq!(
        out.to_vec_blocking(ctx())
            .unwrap()
            .iter()
            .map(|v| v.to_bits())
            .collect::<Vec<_>>(),
        gpu.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        "{what}: forward_into"
    );
    if layer.supports_in_place() {
        layer.forward_in_place(ctx(), &x).unwrap();
        let in_place = x.to_vec_blocking(ctx()).unwrap();
        assert_eq!(
            in_place.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            gpu.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            "{what}: forward_in_place"
        );
    }
}

/// A bound on the absolute error (in units of 2^-24) of the values the
/// chain `picks` (as in `sequential_chains_match_the_reference`) produces.
/// ELU (alpha 1) is the one inexact elementwise layer: 4 ulps, only on its
/// negative outputs (|y| < 1, so under 4 units); LeakyReLU scales errors by
/// its slope and the other layers do not grow them. A softmax turns an
/// input error of e units into at most 2e ulps of its output (the
/// `extra` of [`Bound::Softmax`]); its outputs (<= 1) then carry an absolute
/// error of at most twice its whole bound.
fn chain_error(picks: &[usize], slope: f32) -> f64 {
    // A non-finite slope was rejected and the chain got the default 0.3.
    let leaky_scale = if slope.is_finite() {
        f64::from(slope.abs()).max(1.0)
    } else {
        1.0
    };
    picks.iter().fold(0.0, |error, &pick| match pick {
        1 => error * leaky_scale,
        2 => error + 4.0,
        5 => 2.0 * (2.0 * error + SOFTMAX_ULPS as f64),
        _ => error,
    })
}

fn mapping() -> impl Strategy<Value = SoftmaxMapping> {
    prop::sample::select(vec![
        SoftmaxMapping::Auto,
        SoftmaxMapping::WorkgroupPerRow,
        SoftmaxMapping::InvocationPerRow,
    ])
}

proptest! {
    #![proptest_config(config(VALIDATION_CASES))]

    /// Constructors accept exactly finite, non-negative arguments (ELU's
    /// alpha may be negative; ReLU's max_value may be +inf, meaning none)
    /// and otherwise name the bad argument.
    #[test]
    fn constructors_accept_exactly_valid_arguments(
        max_value in prop::option::of(wild_f32()),
        a in wild_f32(),
        b in wild_f32(),
    ) {
        let valid = |v: f32| v.is_finite() && v >= 0.0;
        let relu = ReLU::new(max_value, a, b);
        let max_ok = max_value.is_none_or(|m| valid(m) || m == f32::INFINITY);
        prop_assert_eq!(relu.is_ok(), max_ok && valid(a) && valid(b), "ReLU::new({:?}, {}, {})", max_value, a, b);
        match relu {
            Ok(r) => {
                prop_assert_eq!(r.max_value(), max_value.filter(|m| m.is_finite()));
                prop_assert_eq!(r.negative_slope().to_bits(), a.to_bits());
                prop_assert_eq!(r.threshold().to_bits(), b.to_bits());
            }
            Err(e) => assert_clear(&e, "ReLU::new"),
        }
        for (name, result) in [
            ("LeakyReLU::new", LeakyReLU::new(a).map(|l| l.negative_slope())),
            ("LeakyReLU::from_alpha", LeakyReLU::from_alpha(a).map(|l| l.negative_slope())),
            ("ThresholdedReLU::new", ThresholdedReLU::new(a).map(|l| l.theta())),
        ] {
            prop_assert_eq!(result.is_ok(), valid(a), "{}({})", name, a);
            match result {
                Ok(v) => prop_assert_eq!(v.to_bits(), a.to_bits()),
                Err(e) => assert_clear(&e, name),
            }
        }
        match ELU::new(a) {
            Ok(l) => {
                prop_assert!(a.is_finite());
                prop_assert_eq!(l.alpha().to_bits(), a.to_bits());
            }
            Err(e) => {
                prop_assert!(!a.is_finite(), "ELU::new({}) rejected", a);
                assert_clear(&e, "ELU::new");
            }
        }
    }

    /// Uploads: a shape and a data length either agree and fit, or the
    /// rejection names the problem; masks the same.
    #[test]
    fn uploads_validate_shape_and_length(shape in wild_shape(), skew in any::<usize>(), bits in any::<u64>()) {
        let len = data_len(&shape, skew);
        let data: Vec<f32> = (0..len).map(|i| i as f32 - 3.0).collect();
        if let Some(t) = upload(&shape, &data) {
            prop_assert_eq!(t.len(), len);
            if len <= 8 {
                prop_assert_eq!(t.to_vec_blocking(ctx()).unwrap(), data);
            }
        }
        let keep: Vec<bool> = (0..len).map(|i| bits >> (i % 64) & 1 == 1).collect();
        match GpuTensor::from_mask(ctx(), &shape, &keep) {
            Ok(m) => prop_assert_eq!(m.len(), len),
            Err(e) => assert_clear(&e, "from_mask"),
        }
    }

    /// The CPU reference of every layer on arbitrary shapes and lengths:
    /// no panic, a clear error when the data does not fit the shape.
    #[test]
    fn references_validate_their_input(
        shape in wild_shape(),
        skew in any::<usize>(),
        axes in wild_axes(),
    ) {
        let len = data_len(&shape, skew);
        let data: Vec<f32> = (0..len).map(|i| (i as f32 - 5.0) * 0.75).collect();
        let layers: Vec<Box<dyn Layer>> = vec![
            Box::new(ReLU::default()),
            Box::new(ELU::default()),
            Box::new(PReLU::new().with_shared_axes(&axes)),
            Box::new(Softmax::axes(&axes)),
            Box::new(Sequential::new().with(LeakyReLU::default()).with(Softmax::new(-1))),
        ];
        for layer in &layers {
            match layer.reference(&shape, &data) {
                Ok(y) => prop_assert_eq!(y.len(), len),
                Err(e) => assert_clear(&e, &format!("{}::reference({shape:?})", layer.class_name())),
            }
        }
        let fits = element_count(&shape).is_ok_and(|n| n == len);
        prop_assert!(fits || ReLU::default().reference(&shape, &data).is_err());
    }

    /// PReLU's builder: any shared axes, input shape and initializer; then
    /// set_alpha with values of any length. Accepted alpha is finite.
    #[test]
    fn prelu_build_and_set_alpha(
        shape in wild_shape(),
        axes in wild_axes(),
        init in wild_f32(),
        alpha_len in 0usize..40,
        alpha_value in wild_f32(),
    ) {
        let prelu = PReLU::new().with_shared_axes(&axes).with_initializer(Initializer::Constant(init));
        // Building allocates alpha, as Keras does; an alpha that is legal but
        // gigabytes large is left out to spare the machine (larger than u32
        // indexing must be refused, and is kept).
        let built_len = prelu_alpha_shape(&shape, &axes).ok().and_then(|a| element_count(&a).ok());
        prop_assume!(built_len.is_none_or(|n| n <= 1 << 20 || n > u32::MAX as usize));
        match prelu.build(&shape) {
            Ok(()) => {
                let alpha_shape = prelu.alpha_shape().unwrap();
                let alpha = prelu.alpha().unwrap();
                prop_assert_eq!(alpha.len(), element_count(&alpha_shape).unwrap());
                prop_assert_eq!(alpha_shape.len(), shape.len() - 1);
                prop_assert!(alpha.iter().all(|v| v.is_finite()), "alpha {:?} from Constant({})", alpha.first(), init);
            }
            Err(e) => {
                assert_clear(&e, &format!("PReLU{axes:?}.build({shape:?}), Constant({init})"));
                prop_assert!(!prelu.is_built());
            }
        }
        let values = vec![alpha_value; alpha_len];
        match prelu.set_alpha(&values) {
            Ok(()) => {
                prop_assert!(alpha_value.is_finite() || alpha_len == 0);
                prop_assert_eq!(prelu.alpha().unwrap(), values);
            }
            Err(e) => assert_clear(&e, "set_alpha"),
        }
    }
}

proptest! {
    #![proptest_config(config(GPU_CASES))]

    /// The elementwise layers with arbitrary (valid) parameters on arbitrary
    /// shapes and values.
    #[test]
    fn elementwise_forwards_match_the_reference(
        (shape, data) in shaped_data(),
        which in 0usize..5,
        p in prop::array::uniform3(wild_f32()),
    ) {
        let layer: Option<Box<dyn Layer>> = match which {
            0 => ReLU::new(Some(p[0].abs()), p[1].abs(), p[2].abs()).ok().map(|l| Box::new(l) as _),
            1 => LeakyReLU::new(p[0].abs()).ok().map(|l| Box::new(l) as _),
            2 => ELU::new(p[0]).ok().map(|l| Box::new(l) as _),
            3 => ThresholdedReLU::new(p[0].abs()).ok().map(|l| Box::new(l) as _),
            _ => ReLU::new(None, p[1].abs(), 0.0).ok().map(|l| Box::new(l) as _),
        };
        // Non-finite parameters were rejected (checked above); fall back to defaults.
        let layer = layer.unwrap_or_else(|| Box::new(ReLU::default()));
        let tol = if which == 2 { Tolerance::Ulps(4) } else { Tolerance::Exact };
        check_forward(layer.as_ref(), &shape, &data, Bound::Elementwise(tol));
    }

    /// PReLU with arbitrary shared axes and alpha on arbitrary shapes,
    /// including inputs that do not fit what it was built for.
    #[test]
    fn prelu_forwards_match_the_reference(
        (shape, data) in shaped_data(),
        built_for in prop::option::of(wild_shape()),
        axes in wild_axes(),
        seed in any::<u32>(),
    ) {
        let prelu = PReLU::new().with_shared_axes(&axes);
        if let Some(built) = &built_for {
            let n = prelu_alpha_shape(built, &axes).ok().and_then(|a| element_count(&a).ok());
            // As above: legal but huge alphas are not built.
            if n.is_some_and(|n| n <= 4096) && prelu.build(built).is_ok() {
                let n = n.unwrap();
                {
                    let alpha: Vec<f32> = (0..n).map(|i| ((i as u32 ^ seed) % 7) as f32 * 0.25 - 0.5).collect();
                    prelu.set_alpha(&alpha).unwrap();
                }
            }
        }
        check_forward(&prelu, &shape, &data, Bound::Elementwise(Tolerance::Exact));
    }

    /// Softmax over arbitrary axes with every mapping, unmasked and masked
    /// by masks of arbitrary shape.
    #[test]
    fn softmax_forwards_match_the_reference(
        (shape, data) in shaped_data(),
        axes in prop_oneof![3 => prop::collection::vec(-3i64..3, 1..3), 1 => wild_axes()],
        mapping in mapping(),
        mask_shape in prop::option::weighted(0.75, prop_oneof![small_shape(), wild_shape()]),
        bits in any::<u64>(),
    ) {
        let layer = Softmax::axes(&axes).with_mapping(mapping);
        prop_assert_eq!(layer.axis_list(), axes.as_slice());
        let Some(other_shape) = mask_shape else {
            check_forward(&layer, &shape, &data, Bound::Softmax { extra: 0 });
            return Ok(());
        };
        // Half the masks broadcast (a suffix of the input's shape with some
        // dims 1), half are arbitrary.
        let mask_shape = if bits & 1 == 0 {
            let keep_rank = (bits >> 1) as usize % (shape.len() + 1);
            shape[shape.len() - keep_rank..]
                .iter()
                .enumerate()
                .map(|(i, &d)| if bits >> (8 + i) & 1 == 1 { 1 } else { d })
                .collect()
        } else {
            other_shape
        };
        let Some(x) = upload(&shape, &data) else { return Ok(()) };
        let mask_len = data_len(&mask_shape, bits as usize);
        let keep: Vec<bool> = (0..mask_len).map(|i| bits >> (i % 64) & 1 == 1).collect();
        let Ok(mask) = GpuTensor::from_mask(ctx(), &mask_shape, &keep) else { return Ok(()) };
        let what = format!("Softmax{axes:?} on {shape:?} masked by {mask_shape:?}");
        match layer.forward_masked(ctx(), &x, &mask).and_then(|y| y.to_vec_blocking(ctx())) {
            Ok(gpu) => {
                let m: Vec<f32> = keep.iter().map(|&k| f32::from(u8::from(k))).collect();
                let want = wgpu_activations::cpu::softmax(&layer, &shape, &data, Some((&mask_shape, &m)))
                    .unwrap_or_else(|e| panic!("{what}: the GPU accepted what the reference rejects: {e}"));
                for (i, (&g, &w)) in gpu.iter().zip(&want).enumerate() {
                    prop_assert!(softmax_close(g, w, 0), "{}: element {}: gpu {:e} vs cpu {:e}", what, i, g, w);
                }
            }
            Err(e) => assert_clear(&e, &what),
        }
    }

    /// Chains of random layers: one submission, equal to the chained references.
    #[test]
    fn sequential_chains_match_the_reference(
        (shape, data) in shaped_data(),
        picks in prop::collection::vec(0usize..6, 0..5),
        slope in wild_f32(),
    ) {
        let mut chain = Sequential::new();
        for &pick in &picks {
            chain.push(match pick {
                0 => Box::new(ReLU::new(Some(6.0), 0.1, 0.0).unwrap()),
                1 => Box::new(LeakyReLU::new(slope.abs()).unwrap_or_default()),
                2 => Box::new(ELU::default()),
                3 => Box::new(ThresholdedReLU::default()),
                4 => Box::new(PReLU::new().with_initializer(Initializer::Constant(0.25))),
                _ => Box::new(Softmax::new(-1)),
            });
        }
        let elus = picks.iter().filter(|&&p| p == 2).count() as u32;
        let bound = match picks.iter().rposition(|&p| p == 5) {
            Some(last) => Bound::Softmax {
                extra: (2.0 * chain_error(&picks[..last], slope)).ceil() as u64,
            },
            // Without a softmax, relative errors only add up.
            None if elus > 0 => Bound::Elementwise(Tolerance::Ulps(4 * elus + 2)),
            None => Bound::Elementwise(Tolerance::Exact),
        };
        check_forward(&chain, &shape, &data, bound);
    }
}

/// Inputs these properties and the `cargo fuzz` target found that panicked,
/// aborted, exhausted memory or were accepted wrongly before the fixes in
/// src/shape.rs and src/layers/prelu.rs.
#[test]
fn regressions_found_by_fuzzing() {
    // `axis - 1` overflowed for i64::MIN (a panic in debug builds).
    let err = PReLU::new()
        .with_shared_axes(&[i64::MIN])
        .build(&[2, 3])
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidArgument {
                argument: "shared_axes",
                ..
            }
        ),
        "{err}"
    );
    // An empty shape whose other dims overflow was accepted, and strides
    // computed from it overflowed in the softmax and PReLU plans.
    for shape in [&[0, usize::MAX, 2][..], &[0, 5, usize::MAX, usize::MAX]] {
        let err = GpuTensor::from_slice(ctx(), shape, &[]).unwrap_err();
        assert!(
            matches!(&err, Error::Shape(m) if m.contains("usize")),
            "{err}"
        );
        assert!(PReLU::new().reference(shape, &[]).is_err());
        assert!(Softmax::new(-1).reference(shape, &[]).is_err());
    }
    // Empty tensors with large (but not overflowing) dims still work.
    let x = GpuTensor::from_slice(ctx(), &[0, 1 << 20, 3], &[]).unwrap();
    let y = Softmax::new(-1).forward(ctx(), &x).unwrap();
    assert_eq!(y.to_vec_blocking(ctx()).unwrap(), Vec::<f32>::new());
    // A NaN constant initializer gave a NaN alpha, poisoning every output.
    let err = PReLU::new()
        .with_initializer(Initializer::Constant(f32::NAN))
        .build(&[2, 3])
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidArgument {
                argument: "alpha_initializer",
                ..
            }
        ),
        "{err}"
    );
    // A forward on an empty input built (and filled) an alpha of 16 GiB.
    let prelu = PReLU::new().with_initializer(Initializer::Constant(0.25));
    let x = GpuTensor::from_slice(ctx(), &[0, u32::MAX as usize], &[]).unwrap();
    let err = prelu.forward(ctx(), &x).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                limit_name: "max_storage_buffer_binding_size",
                ..
            }
        ),
        "{err}"
    );
    assert!(!prelu.is_built());
    // An alpha beyond u32 indexing was allocated (32 GiB: the process aborted).
    let err = PReLU::new().build(&[1, 1 << 33]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                limit_name: "u32::MAX elements",
                ..
            }
        ),
        "{err}"
    );
}
