//! NumPy's `.npy` format for f32 arrays (what `numpy.save` writes from
//! `layer.get_weights()[0]`): read versions 1.0, 2.0 and 3.0, write 1.0.
//!
//! Read: dtypes `<f4`, `>f4`, `<f8` and `>f8` (float64 is rounded to f32),
//! C or Fortran order (Fortran is transposed to row-major), any shape
//! including `()` and `(n,)`. Anything else is an [`Error::Npy`] that says
//! what was found.

use crate::error::{Error, Result};

const MAGIC: &[u8] = b"\x93NUMPY";

/// Reads a `.npy` file's bytes as `(shape, row-major f32 values)`.
///
/// ```
/// use wgpu_activations::keras::{read_npy, write_npy};
/// let bytes = write_npy(&[2, 2], &[1.0, 2.0, 3.0, 4.0])?;
/// assert_eq!(read_npy(&bytes)?, (vec![2, 2], vec![1.0, 2.0, 3.0, 4.0]));
/// assert!(read_npy(b"not numpy").is_err());
/// # Ok::<(), wgpu_activations::Error>(())
/// ```
pub fn read_npy(bytes: &[u8]) -> Result<(Vec<usize>, Vec<f32>)> {
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err(Error::Npy("not a .npy file (no \\x93NUMPY magic)".into()));
    }
    let (major, minor) = (bytes[6], bytes[7]);
    let (header_len, start): (usize, usize) = match major {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        _ => {
            return Err(Error::Npy(format!(
                "unsupported .npy version {major}.{minor} (1.0, 2.0 and 3.0 are read)"
            )))
        }
    };
    let end = start
        .checked_add(header_len)
        .filter(|&e| e <= bytes.len())
        .ok_or_else(|| Error::Npy("the header runs past the end of the data".into()))?;
    // Version 3 allows UTF-8 in the header; 1 and 2 are Latin-1, which the
    // keys and values we read never go beyond ASCII for.
    let header = std::str::from_utf8(&bytes[start..end])
        .map_err(|_| Error::Npy("the header is not text".into()))?;
    let header = Header::parse(header)?;
    // The crate's own count, so a shape every other entry point refuses (an
    // empty one whose other dims overflow, found by tests/fuzz.rs) is
    // refused here too.
    let count = crate::shape::element_count(&header.shape)
        .map_err(|e| Error::Npy(format!("shape {:?}: {e}", header.shape)))?;
    let (width, little) = match header.descr.as_str() {
        "<f4" => (4, true),
        ">f4" => (4, false),
        "<f8" => (8, true),
        ">f8" => (8, false),
        other => {
            return Err(Error::Npy(format!(
                "dtype {other:?} is not float32 or float64 (expected '<f4', as numpy.save writes float32 weights)"
            )))
        }
    };
    let data = &bytes[end..];
    let needed = count
        .checked_mul(width)
        .ok_or_else(|| Error::Npy(format!("shape {:?} is too large", header.shape)))?;
    if data.len() < needed {
        return Err(Error::Npy(format!(
            "shape {:?} of {} needs {needed} bytes of data but only {} follow the header",
            header.shape,
            header.descr,
            data.len()
        )));
    }
    let values: Vec<f32> = data[..needed]
        .chunks_exact(width)
        .map(|c| match (width, little) {
            (4, true) => f32::from_le_bytes([c[0], c[1], c[2], c[3]]),
            (4, false) => f32::from_be_bytes([c[0], c[1], c[2], c[3]]),
            (_, true) => f64::from_le_bytes(c.try_into().expect("8 bytes")) as f32,
            (_, false) => f64::from_be_bytes(c.try_into().expect("8 bytes")) as f32,
        })
        .collect();
    let values = if header.fortran_order {
        fortran_to_c(&header.shape, &values)
    } else {
        values
    };
    Ok((header.shape, values))
}

/// Reads a `.npy` file from disk (see [`read_npy`]).
///
/// ```no_run
/// let (shape, alpha) = wgpu_activations::keras::read_npy_file("alpha.npy")?;
/// # Ok::<(), wgpu_activations::Error>(())
/// ```
#[cfg(not(target_arch = "wasm32"))]
pub fn read_npy_file(path: impl AsRef<std::path::Path>) -> Result<(Vec<usize>, Vec<f32>)> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| Error::Npy(format!("{}: {e}", path.display())))?;
    read_npy(&bytes).map_err(|e| match e {
        Error::Npy(m) => Error::Npy(format!("{}: {m}", path.display())),
        other => other,
    })
}

/// Writes row-major f32 values of `shape` as a version 1.0 `.npy` file,
/// byte for byte as `numpy.save` writes a C-ordered float32 array.
///
/// ```
/// use wgpu_activations::keras::write_npy;
/// let bytes = write_npy(&[3], &[0.25, 0.5, 0.75])?;
/// assert_eq!(&bytes[..10], b"\x93NUMPY\x01\x00\x76\x00");
/// assert_eq!(bytes.len(), 128 + 12);
/// assert!(write_npy(&[2], &[1.0]).is_err());
/// # Ok::<(), wgpu_activations::Error>(())
/// ```
pub fn write_npy(shape: &[usize], values: &[f32]) -> Result<Vec<u8>> {
    crate::shape::check_len(shape, values)?;
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let shape_text = match dims.as_slice() {
        [one] => format!("({one},)"),
        many => format!("({})", many.join(", ")),
    };
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape_text}, }}");
    // numpy pads with spaces and a final newline so the data starts on a
    // 64-byte boundary.
    let unpadded = MAGIC.len() + 4 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    let header_len = u16::try_from(header.len())
        .map_err(|_| Error::Npy(format!("shape {shape:?} needs a header over 65535 bytes")))?;
    let mut out = Vec::with_capacity(10 + header.len() + values.len() * 4);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&header_len.to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
    Ok(out)
}

/// The header's three keys.
struct Header {
    descr: String,
    fortran_order: bool,
    shape: Vec<usize>,
}

impl Header {
    /// Parses the Python dict literal numpy writes, e.g.
    /// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
    fn parse(text: &str) -> Result<Self> {
        let bad = |why: &str| Error::Npy(format!("malformed header ({why}): {}", text.trim_end()));
        let body = text
            .trim()
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .ok_or_else(|| bad("not a dict"))?;
        let (mut descr, mut fortran, mut shape) = (None, None, None);
        let mut rest = body.trim_start();
        while !rest.is_empty() {
            let (key, after) = quoted(rest).ok_or_else(|| bad("expected a quoted key"))?;
            let after = after
                .trim_start()
                .strip_prefix(':')
                .ok_or_else(|| bad("expected ':'"))?
                .trim_start();
            let after = match key {
                "descr" => {
                    let (value, after) =
                        quoted(after).ok_or_else(|| bad("descr is not a string"))?;
                    descr = Some(value.to_string());
                    after
                }
                "fortran_order" => {
                    if let Some(a) = after.strip_prefix("True") {
                        fortran = Some(true);
                        a
                    } else if let Some(a) = after.strip_prefix("False") {
                        fortran = Some(false);
                        a
                    } else {
                        return Err(bad("fortran_order is not True or False"));
                    }
                }
                "shape" => {
                    let close = after.find(')').ok_or_else(|| bad("shape is not a tuple"))?;
                    let inner = after
                        .strip_prefix('(')
                        .ok_or_else(|| bad("shape is not a tuple"))?;
                    let dims = inner[..close - 1]
                        .split(',')
                        .map(str::trim)
                        .filter(|d| !d.is_empty())
                        .map(|d| d.trim_end_matches('L').parse::<usize>())
                        .collect::<std::result::Result<Vec<_>, _>>()
                        .map_err(|_| bad("a dimension is not a non-negative integer"))?;
                    shape = Some(dims);
                    &after[close + 1..]
                }
                _ => return Err(bad(&format!("unexpected key {key:?}"))),
            };
            let after = after.trim_start();
            rest = after.strip_prefix(',').unwrap_or(after).trim_start();
            if !after.starts_with(',') && !rest.is_empty() {
                return Err(bad("expected ','"));
            }
        }
        Ok(Self {
            descr: descr.ok_or_else(|| bad("no descr"))?,
            fortran_order: fortran.ok_or_else(|| bad("no fortran_order"))?,
            shape: shape.ok_or_else(|| bad("no shape"))?,
        })
    }
}

/// A single- or double-quoted string at the start of `text`, and the rest.
fn quoted(text: &str) -> Option<(&str, &str)> {
    let quote = text.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let body = &text[1..];
    let end = body.find(quote)?;
    Some((&body[..end], &body[end + 1..]))
}

/// Column-major values of `shape` reordered row-major.
fn fortran_to_c(shape: &[usize], values: &[f32]) -> Vec<f32> {
    let mut out = vec![0.0; values.len()];
    let mut index = vec![0usize; shape.len()];
    for slot in out.iter_mut() {
        // Column-major offset of the current row-major multi-index.
        let mut offset = 0;
        let mut stride = 1;
        for (&i, &d) in index.iter().zip(shape) {
            offset += i * stride;
            stride *= d;
        }
        *slot = values[offset];
        for axis in (0..shape.len()).rev() {
            index[axis] += 1;
            if index[axis] < shape[axis] {
                break;
            }
            index[axis] = 0;
        }
    }
    out
}
