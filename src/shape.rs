//! Shape arithmetic: element counts without overflow, and PReLU's alpha shape
//! and broadcasting, following Keras exactly.

use std::collections::BTreeMap;

use crate::error::{Error, Result};

/// The number of elements of `shape`, or an error if the product overflows.
///
/// As in NumPy, the product of the non-zero dims must fit too, even when a
/// zero dim makes the tensor empty: strides and merged axes are products of
/// dims, and this keeps every one of them in range.
pub(crate) fn element_count(shape: &[usize]) -> Result<usize> {
    let non_zero = shape
        .iter()
        .filter(|&&d| d != 0)
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .ok_or_else(|| {
            Error::Shape(if shape.contains(&0) {
                format!(
                    "shape {shape:?}: the product of its non-zero dims overflows usize \
                     (refused even for an empty tensor, as in NumPy)"
                )
            } else {
                format!("shape {shape:?} has more elements than fit in usize")
            })
        })?;
    Ok(if shape.contains(&0) { 0 } else { non_zero })
}

/// Fails unless `x` holds exactly the elements of `shape`.
pub(crate) fn check_len<T>(shape: &[usize], x: &[T]) -> Result<()> {
    let len = element_count(shape)?;
    if len == x.len() {
        Ok(())
    } else {
        Err(Error::Shape(format!(
            "shape {shape:?} holds {len} elements but {} values were given",
            x.len()
        )))
    }
}

/// Keras's PReLU parameter shape: `input_shape[1:]` with
/// `param_shape[i - 1] = 1` for each `i` in `shared_axes`, using Python list
/// indexing (so `0` shares the last axis and `-1` the one before it).
pub(crate) fn prelu_alpha_shape(input_shape: &[usize], shared_axes: &[i64]) -> Result<Vec<usize>> {
    if input_shape.is_empty() {
        return Err(Error::Shape(
            "PReLU needs an input of rank 1 or more (a batch axis); got a scalar".into(),
        ));
    }
    let mut shape = input_shape[1..].to_vec();
    let n = shape.len() as i64;
    for &axis in shared_axes {
        // Saturating: an axis near i64::MIN is out of range, not an overflow.
        let index = axis.saturating_sub(1);
        let resolved = if index < 0 {
            index.saturating_add(n)
        } else {
            index
        };
        if !(0..n).contains(&resolved) {
            return Err(Error::argument(
                "shared_axes",
                format!(
                    "shared_axes={shared_axes:?} is out of range for an input of rank {}: \
                     each axis i must satisfy {} <= i <= {} (Keras: list assignment index out of range)",
                    input_shape.len(),
                    2 - input_shape.len() as i64,
                    input_shape.len() as i64 - 1
                ),
            ));
        }
        shape[resolved as usize] = 1;
    }
    Ok(shape)
}

/// The row-major strides of a tensor of shape `small` along each axis of
/// `shape` it is broadcast against, aligned from the right as numpy
/// aligns them: 0 where it broadcasts (an axis of size 1, or one it does
/// not have). `None` unless it has at most `shape`'s rank and each of its
/// dims is 1 or `shape`'s. The one broadcasting rule of the crate: masks,
/// PReLU's alpha on the GPU and in its CPU twin.
pub(crate) fn broadcast_strides(small: &[usize], shape: &[usize]) -> Option<Vec<usize>> {
    let offset = shape.len().checked_sub(small.len())?;
    let mut strides = vec![0; shape.len()];
    let mut stride = 1;
    for axis in (offset..shape.len()).rev() {
        let dim = small[axis - offset];
        if dim != 1 && dim != shape[axis] {
            return None;
        }
        if dim != 1 {
            strides[axis] = stride;
        }
        stride *= dim;
    }
    Some(strides)
}

/// The input shape with adjacent axes merged wherever alpha's indexing allows,
/// paired with alpha's stride along each merged axis (0 where alpha
/// broadcasts, including the batch axis). Size-1 axes are dropped.
pub(crate) fn prelu_index_plan(
    input_shape: &[usize],
    alpha_shape: &[usize],
) -> Result<Vec<(usize, usize)>> {
    let strides = broadcast_strides(alpha_shape, input_shape).ok_or_else(|| {
        Error::Shape(format!(
            "incompatible shapes for broadcasting: alpha {alpha_shape:?} against input {input_shape:?}"
        ))
    })?;
    let mut plan: Vec<(usize, usize)> = Vec::new();
    for (&dim, &alpha_stride) in input_shape.iter().zip(&strides) {
        if dim == 1 {
            continue;
        }
        match plan.last_mut() {
            Some(last) if last.1 == 0 && alpha_stride == 0 => last.0 *= dim,
            Some(last) if alpha_stride != 0 && last.1 == alpha_stride * dim => {
                *last = (last.0 * dim, alpha_stride);
            }
            _ => plan.push((dim, alpha_stride)),
        }
    }
    Ok(plan)
}

/// Keras-style axes (negative counts from the end) as sorted indices, or an
/// error naming the axis and the rank (out of range, or given twice).
pub(crate) fn normalize_axes(axes: &[i64], rank: usize) -> Result<Vec<usize>> {
    let mut out = Vec::with_capacity(axes.len());
    for &axis in axes {
        let resolved = if axis < 0 { axis + rank as i64 } else { axis };
        if !(0..rank as i64).contains(&resolved) {
            return Err(Error::argument(
                "axis",
                format!("axis {axis} is out of bounds for array of dimension {rank}"),
            ));
        }
        let resolved = resolved as usize;
        if out.contains(&resolved) {
            return Err(Error::argument(
                "axis",
                format!("axis {axis} is repeated in {axes:?} (an array of dimension {rank} has it once)"),
            ));
        }
        out.push(resolved);
    }
    out.sort_unstable();
    Ok(out)
}

/// The mask's stride along each input axis (0 where it broadcasts), for a
/// mask aligned from the right whose dims are each 1 or the input's.
pub(crate) fn mask_strides(mask_shape: &[usize], shape: &[usize]) -> Result<Vec<usize>> {
    let mismatch = |why: &str| {
        Error::Shape(format!(
            "the mask must be broadcastable to the inputs{why}. Received: inputs.shape={shape:?}, mask.shape={mask_shape:?}"
        ))
    };
    if mask_shape.len() > shape.len() {
        return Err(mismatch(" and must not have more dimensions"));
    }
    broadcast_strides(mask_shape, shape)
        .ok_or_else(|| mismatch(": each mask dimension must be 1 or match the input dimension"))
}

/// One merged axis of a softmax: size, input stride, mask stride.
pub type PlannedAxis = (usize, usize, usize);

/// Splits `shape` into kept and reduced axes (each merged where strides allow,
/// size-1 axes dropped), with input and mask strides.
pub(crate) fn softmax_plan(
    shape: &[usize],
    axes: &[usize],
    mask_strides: &[usize],
) -> (Vec<PlannedAxis>, Vec<PlannedAxis>) {
    let mut strides = vec![0; shape.len()];
    let mut stride = 1;
    for axis in (0..shape.len()).rev() {
        strides[axis] = stride;
        stride *= shape[axis];
    }
    let (mut kept, mut reduced): (Vec<PlannedAxis>, Vec<PlannedAxis>) = (Vec::new(), Vec::new());
    for axis in 0..shape.len() {
        if shape[axis] == 1 {
            continue;
        }
        let group = if axes.contains(&axis) {
            &mut reduced
        } else {
            &mut kept
        };
        let (dim, s, m) = (shape[axis], strides[axis], mask_strides[axis]);
        match group.last_mut() {
            Some(last) if last.1 == s * dim && last.2 == m * dim => *last = (last.0 * dim, s, m),
            _ => group.push((dim, s, m)),
        }
    }
    (kept, reduced)
}

/// The flat indices of a row-major tensor of `shape`, grouped by their
/// coordinates on the axes outside `reduced_axes`. Rows come in row-major
/// order of those kept coordinates; each row lists its elements in
/// row-major order.
pub(crate) fn rows(shape: &[usize], reduced_axes: &[usize]) -> Vec<Vec<usize>> {
    let n: usize = shape.iter().product();
    let mut rows: BTreeMap<Vec<usize>, Vec<usize>> = BTreeMap::new();
    for flat in 0..n {
        let coords = unravel(shape, flat);
        let key: Vec<usize> = (0..shape.len())
            .filter(|a| !reduced_axes.contains(a))
            .map(|a| coords[a])
            .collect();
        rows.entry(key).or_default().push(flat);
    }
    rows.into_values().collect()
}

/// Whether each element of a tensor of `shape` is kept by `mask`
/// (`(mask_shape, values)`, broadcast from the right, kept where `value > 0.5`);
/// all kept without a mask.
pub(crate) fn kept(shape: &[usize], mask: Option<(&[usize], &[f32])>) -> Result<Vec<bool>> {
    let n: usize = shape.iter().product();
    let Some((mask_shape, values)) = mask else {
        return Ok(vec![true; n]);
    };
    check_len(mask_shape, values)?;
    let strides = mask_strides(mask_shape, shape)?;
    Ok((0..n)
        .map(|flat| {
            let coords = unravel(shape, flat);
            let index: usize = coords.iter().zip(&strides).map(|(c, s)| c * s).sum();
            values[index] > 0.5
        })
        .collect())
}

/// The coordinates of element `flat` of a row-major tensor of `shape`.
pub(crate) fn unravel(shape: &[usize], flat: usize) -> Vec<usize> {
    let mut rest = flat;
    let mut coords = vec![0; shape.len()];
    for axis in (0..shape.len()).rev() {
        coords[axis] = rest % shape[axis];
        rest /= shape[axis];
    }
    coords
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn alpha_shapes_match_keras_examples() {
        let s = [2, 3, 4, 5];
        assert_eq!(prelu_alpha_shape(&s, &[]).unwrap(), vec![3, 4, 5]);
        assert_eq!(prelu_alpha_shape(&s, &[1]).unwrap(), vec![1, 4, 5]);
        assert_eq!(prelu_alpha_shape(&s, &[2, 3]).unwrap(), vec![3, 1, 1]);
        assert_eq!(prelu_alpha_shape(&s, &[1, 2, 3]).unwrap(), vec![1, 1, 1]);
        assert_eq!(prelu_alpha_shape(&s, &[3]).unwrap(), vec![3, 4, 1]);
        assert_eq!(prelu_alpha_shape(&s, &[-1]).unwrap(), vec![3, 1, 5]);
        assert_eq!(prelu_alpha_shape(&s, &[-2]).unwrap(), vec![1, 4, 5]);
        assert!(prelu_alpha_shape(&s, &[-3]).is_err());
        assert!(prelu_alpha_shape(&[], &[]).is_err());
        assert_eq!(prelu_alpha_shape(&[7], &[]).unwrap(), Vec::<usize>::new());
    }

    #[test]
    fn index_plan_reproduces_broadcast_indexing() {
        // Check the plan against direct broadcasting for several shapes.
        let cases: [(&[usize], &[usize]); 6] = [
            (&[2, 3, 4, 5], &[3, 4, 5]),
            (&[2, 3, 4, 5], &[1, 4, 5]),
            (&[2, 3, 4, 5], &[3, 1, 1]),
            (&[2, 3, 4, 5], &[3, 4, 1]),
            (&[2, 1, 4, 1, 3], &[1, 4, 1, 3]),
            (&[6], &[]),
        ];
        for (input, alpha) in cases {
            let plan = prelu_index_plan(input, alpha).unwrap();
            let n: usize = input.iter().product();
            for flat in 0..n {
                let mut rest = flat;
                let mut planned = 0;
                for &(dim, stride) in plan.iter().rev() {
                    planned += (rest % dim) * stride;
                    rest /= dim;
                }
                // Direct: unravel flat into coordinates, drop broadcast axes.
                let mut rest = flat;
                let mut direct = 0;
                let mut alpha_stride = 1;
                for axis in (0..input.len()).rev() {
                    let c = rest % input[axis];
                    rest /= input[axis];
                    let offset = input.len() - alpha.len();
                    if axis >= offset {
                        let a = alpha[axis - offset];
                        if a != 1 {
                            direct += c * alpha_stride;
                        }
                        alpha_stride *= a;
                    }
                }
                assert_eq!(planned, direct, "{input:?} {alpha:?} at {flat}");
            }
        }
    }

    /// Merging is what makes the plan short (one loop per merged axis in
    /// the kernel); an unmerged plan still indexes right, so the test above
    /// cannot see it (`cargo mutants` found both merge rules untested).
    #[test]
    fn index_plan_merges_what_alpha_allows() {
        // Broadcast axes (stride 0) merge with each other...
        assert_eq!(
            prelu_index_plan(&[2, 3, 4, 5], &[1, 1, 5]).unwrap(),
            vec![(24, 0), (5, 1)]
        );
        // ...and alpha's own contiguous axes merge into one.
        assert_eq!(
            prelu_index_plan(&[2, 3, 4, 5], &[3, 4, 5]).unwrap(),
            vec![(2, 0), (60, 1)]
        );
        assert_eq!(
            prelu_index_plan(&[2, 3, 4, 5], &[3, 1, 1]).unwrap(),
            vec![(2, 0), (3, 1), (20, 0)]
        );
    }

    /// Was this function's doc example.
    #[test]
    fn element_count_example() {
        use super::element_count;
        assert_eq!(element_count(&[2, 3, 4]).unwrap(), 24);
        assert_eq!(element_count(&[]).unwrap(), 1);
        assert_eq!(element_count(&[5, 0]).unwrap(), 0);
        assert!(element_count(&[usize::MAX, 2]).is_err());
        assert!(element_count(&[0, usize::MAX, 2]).is_err());
    }

    /// Was this function's doc example.
    #[test]
    fn prelu_alpha_shape_example() {
        use super::prelu_alpha_shape;
        assert_eq!(
            prelu_alpha_shape(&[2, 3, 4, 5], &[1, 2]).unwrap(),
            vec![1, 1, 5]
        );
        assert_eq!(
            prelu_alpha_shape(&[2, 3, 4, 5], &[0]).unwrap(),
            vec![3, 4, 1]
        );
        assert!(prelu_alpha_shape(&[2, 3, 4, 5], &[4]).is_err());
    }

    /// Was this function's doc example.
    #[test]
    fn prelu_index_plan_example() {
        use super::prelu_index_plan;
        // (2, 3, 4, 5) with alpha (1, 1, 5): batch and two shared axes merge.
        assert_eq!(
            prelu_index_plan(&[2, 3, 4, 5], &[1, 1, 5]).unwrap(),
            vec![(24, 0), (5, 1)]
        );
    }

    /// Was this function's doc example.
    #[test]
    fn normalize_axes_example() {
        use super::normalize_axes;
        assert_eq!(normalize_axes(&[-1, 0], 3).unwrap(), vec![0, 2]);
        assert!(normalize_axes(&[5], 2).is_err());
        assert!(normalize_axes(&[1, -1], 2).is_err());
    }

    /// Was this function's doc example.
    #[test]
    fn mask_strides_example() {
        use super::mask_strides;
        assert_eq!(mask_strides(&[1, 5], &[3, 5]).unwrap(), vec![0, 1]);
        assert_eq!(mask_strides(&[5], &[2, 3, 5]).unwrap(), vec![0, 0, 1]);
        assert!(mask_strides(&[2, 3], &[1, 3]).is_err());
    }

    /// Was this function's doc example.
    #[test]
    fn softmax_plan_example() {
        use super::softmax_plan;
        let (kept, reduced) = softmax_plan(&[2, 3, 4], &[1, 2], &[0, 0, 1]);
        assert_eq!(kept, vec![(2, 12, 0)]);
        assert_eq!(reduced, vec![(3, 4, 0), (4, 1, 1)]);
    }

    #[test]
    fn rows_group_by_kept_coordinates() {
        assert_eq!(rows(&[2, 3], &[1]), vec![vec![0, 1, 2], vec![3, 4, 5]]);
        assert_eq!(
            rows(&[2, 3], &[0]),
            vec![vec![0, 3], vec![1, 4], vec![2, 5]]
        );
        assert_eq!(rows(&[2, 3], &[0, 1]), vec![vec![0, 1, 2, 3, 4, 5]]);
        assert_eq!(rows(&[2, 3], &[]).len(), 6);
    }

    /// Lengths must agree exactly, either way; the error names the shape.
    #[test]
    fn check_len_accepts_exactly_the_shapes_length() {
        assert!(check_len(&[2, 3], &[0.0f32; 6]).is_ok());
        assert!(check_len(&[0, 3], &[0.0f32; 0]).is_ok());
        for wrong in [5, 7, 0] {
            let err = check_len(&[2, 3], &vec![0.0f32; wrong]).unwrap_err();
            assert!(err.to_string().contains("[2, 3]"), "{err}");
        }
    }

    /// numpy's broadcasting from the right, stride 0 where the smaller
    /// tensor broadcasts.
    #[test]
    fn broadcast_strides_align_from_the_right() {
        assert_eq!(broadcast_strides(&[3, 4], &[3, 4]), Some(vec![4, 1]));
        assert_eq!(broadcast_strides(&[1, 4], &[3, 4]), Some(vec![0, 1]));
        assert_eq!(broadcast_strides(&[3, 1], &[3, 4]), Some(vec![1, 0]));
        assert_eq!(broadcast_strides(&[4], &[2, 3, 4]), Some(vec![0, 0, 1]));
        assert_eq!(broadcast_strides(&[3, 1], &[2, 3, 4]), Some(vec![0, 1, 0]));
        assert_eq!(broadcast_strides(&[], &[2]), Some(vec![0]));
        assert_eq!(broadcast_strides(&[2, 3], &[1, 3]), None);
        assert_eq!(broadcast_strides(&[2], &[3]), None);
        assert_eq!(broadcast_strides(&[1, 1, 3], &[1, 3]), None);
    }

    /// A mask keeps where its broadcast value is strictly above 0.5.
    #[test]
    fn kept_follows_the_broadcast_mask() {
        assert_eq!(kept(&[2, 2], None).unwrap(), vec![true; 4]);
        let keep = kept(&[2, 3], Some((&[3], &[1.0, 0.5, 0.75]))).unwrap();
        assert_eq!(keep, vec![true, false, true, true, false, true]);
        let keep = kept(&[2, 3], Some((&[2, 1], &[0.0, 1.0]))).unwrap();
        assert_eq!(keep, vec![false, false, false, true, true, true]);
        assert!(kept(&[2, 3], Some((&[3], &[1.0, 0.0]))).is_err());
        assert!(kept(&[2, 3], Some((&[2], &[1.0, 0.0]))).is_err());
    }

    #[test]
    fn unravel_gives_row_major_coordinates() {
        assert_eq!(unravel(&[2, 3, 4], 0), vec![0, 0, 0]);
        assert_eq!(unravel(&[2, 3, 4], 5), vec![0, 1, 1]);
        assert_eq!(unravel(&[2, 3, 4], 23), vec![1, 2, 3]);
        assert_eq!(unravel(&[5], 4), vec![4]);
    }

    /// Neighbouring axes on one side merge where both the input's and the
    /// mask's strides allow, and only there.
    #[test]
    fn softmax_plan_merges_what_strides_allow() {
        // No mask: the two reduced axes merge into one contiguous run.
        assert_eq!(
            softmax_plan(&[2, 3, 4], &[1, 2], &[0, 0, 0]),
            (vec![(2, 12, 0)], vec![(12, 1, 0)])
        );
        // A full mask merges the same way, its strides following the input's.
        assert_eq!(
            softmax_plan(&[2, 3, 4], &[0, 1], &[12, 4, 1]),
            (vec![(4, 1, 1)], vec![(6, 4, 4)])
        );
        // A mask that broadcasts along the last axis only keeps them apart.
        assert_eq!(
            softmax_plan(&[2, 3, 4], &[1, 2], &[0, 1, 0]),
            (vec![(2, 12, 0)], vec![(3, 4, 1), (4, 1, 0)])
        );
        // Size-1 axes drop out; kept axes merge too.
        assert_eq!(
            softmax_plan(&[2, 1, 3, 5], &[3], &[0, 0, 0, 0]),
            (vec![(6, 5, 0)], vec![(5, 1, 0)])
        );
    }
}
