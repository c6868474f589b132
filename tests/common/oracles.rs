//! Shape rules written out in the tests, so that no oracle shares code with
//! the crate's GPU path: element counts, Keras's axes, mask broadcasting,
//! PReLU's alpha shape and softmax rows, each the plain way. The fuzz
//! targets include this file too (`#[path]`).

/// The number of elements of `shape`, or an error where it overflows `usize`.
pub fn element_count(shape: &[usize]) -> Result<usize, String> {
    shape.iter().try_fold(1usize, |n, &d| {
        n.checked_mul(d)
            .ok_or_else(|| format!("{shape:?} overflows usize"))
    })
}

/// Every multi-index of `shape`, in row-major order (the last axis fastest).
pub fn multi_indices(shape: &[usize]) -> Vec<Vec<usize>> {
    let total: usize = shape.iter().product();
    let mut all = Vec::with_capacity(total);
    let mut index = vec![0; shape.len()];
    for _ in 0..total {
        all.push(index.clone());
        for axis in (0..shape.len()).rev() {
            index[axis] += 1;
            if index[axis] < shape[axis] {
                break;
            }
            index[axis] = 0;
        }
    }
    all
}

/// The row-major offset of `index` in `shape`.
pub fn offset_of(shape: &[usize], index: &[usize]) -> usize {
    assert_eq!(shape.len(), index.len());
    let mut offset = 0;
    for (&dim, &i) in shape.iter().zip(index) {
        assert!(i < dim, "index {index:?} outside {shape:?}");
        offset = offset * dim + i;
    }
    offset
}

/// Keras's `axis` against an input of `rank`: which axes are reduced, or
/// `None` where Keras raises (an empty list, an axis out of range, an axis
/// named twice, e.g. `[1, -1]` on rank 2).
pub fn oracle_axes(axes: &[i64], rank: usize) -> Option<Vec<bool>> {
    if axes.is_empty() {
        return None;
    }
    let mut reduced = vec![false; rank];
    for &axis in axes {
        let resolved = if axis < 0 { axis + rank as i64 } else { axis };
        if resolved < 0 || resolved >= rank as i64 || reduced[resolved as usize] {
            return None;
        }
        reduced[resolved as usize] = true;
    }
    Some(reduced)
}

/// The reduced axes' indices, ascending ([`oracle_axes`] as a list).
pub fn reduced_axes(axes: &[i64], rank: usize) -> Result<Vec<usize>, String> {
    let reduced = oracle_axes(axes, rank).ok_or_else(|| format!("Keras refuses axis {axes:?}"))?;
    Ok((0..rank).filter(|&a| reduced[a]).collect())
}

/// For each element of `shape`, the offset of the mask value it reads, with
/// the mask aligned from the right as numpy broadcasts; `None` where Keras 3
/// refuses the mask (more dims than the input, or a dim that is neither 1
/// nor the input's: Keras does not let the mask widen the output).
pub fn oracle_mask_offsets(shape: &[usize], mask_shape: &[usize]) -> Option<Vec<usize>> {
    if mask_shape.len() > shape.len() {
        return None;
    }
    let lead = shape.len() - mask_shape.len();
    for (j, &m) in mask_shape.iter().enumerate() {
        if m != 1 && m != shape[lead + j] {
            return None;
        }
    }
    Some(
        multi_indices(shape)
            .iter()
            .map(|index| {
                let mask_index: Vec<usize> = mask_shape
                    .iter()
                    .enumerate()
                    .map(|(j, &m)| if m == 1 { 0 } else { index[lead + j] })
                    .collect();
                offset_of(mask_shape, &mask_index)
            })
            .collect(),
    )
}

/// Keras's alpha shape for PReLU: `input_shape[1:]` with
/// `param_shape[i - 1] = 1` for each `i` in `shared_axes`, with Python's
/// list indexing (negative counts from the end, out of range is an
/// IndexError: `None` here). A scalar input has no alpha (`None`).
pub fn keras_alpha_shape(input_shape: &[usize], shared_axes: &[i64]) -> Option<Vec<usize>> {
    let mut param = input_shape.get(1..)?.to_vec();
    let len = param.len() as i64;
    for &i in shared_axes {
        let mut k = i.checked_sub(1)?;
        if k < 0 {
            k += len;
        }
        if k < 0 || k >= len {
            return None;
        }
        param[k as usize] = 1;
    }
    Some(param)
}

/// The flat indices of a row-major tensor of `shape`, grouped into rows:
/// the elements that share their coordinates outside `reduced` (ascending
/// axis indices). Rows come in row-major order of those coordinates.
pub fn rows(shape: &[usize], reduced: &[usize]) -> Vec<Vec<usize>> {
    let kept: Vec<usize> = (0..shape.len()).filter(|a| !reduced.contains(a)).collect();
    let kept_shape: Vec<usize> = kept.iter().map(|&a| shape[a]).collect();
    let mut out = vec![Vec::new(); kept_shape.iter().product()];
    for (flat, index) in multi_indices(shape).iter().enumerate() {
        let kept_index: Vec<usize> = kept.iter().map(|&a| index[a]).collect();
        out[offset_of(&kept_shape, &kept_index)].push(flat);
    }
    out
}
