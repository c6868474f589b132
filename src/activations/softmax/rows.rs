//! Grouping a tensor's elements into rows, the plain way: the CPU twin of the
//! row indexing in shaders/rows/rows.wgsl.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::shape::{check_len, mask_strides};

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

#[cfg(test)]
mod tests {
    use super::rows;

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
}
