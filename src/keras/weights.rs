//! PReLU's weight, alpha, in and out as Keras holds it: a flat f32 array
//! with its shape (`layer.get_weights()[0]`), or a `.npy` file of it.

use crate::activations::prelu::PReLU;
use crate::error::{Error, Result};
use crate::keras::npy::{read_npy, write_npy};
use crate::shape::prelu_alpha_shape;

impl PReLU {
    /// Sets alpha from Keras's weight: `values` row-major of `shape`
    /// (`layer.get_weights()[0].shape`). A built layer must have that alpha
    /// shape; an unbuilt one (as [`crate::keras::layer_from_config`] makes
    /// it) is built for inputs of shape `[1, shape...]`, which fixes the
    /// rank and every axis that `shared_axes` does not share, as Keras's
    /// input spec would. A shape no input could give (a size other than 1 on
    /// a shared axis) is an error.
    ///
    /// `shared_axes` index as in Keras (1-based counting the batch axis,
    /// Python list indexing into alpha's shape): `0` gives alpha size 1 on
    /// the last axis and `-1` on the one before, yet Keras's input spec still
    /// pins those axes (it only leaves free the axes listed as written) to
    /// the size the layer was built with, which alpha does not record. Such
    /// an axis takes its size from the first input, so a PReLU with
    /// `shared_axes=[0]` and alpha `(3, 4, 1)` runs on `(2, 3, 4, 5)`, then
    /// accepts `(_, 3, 4, 5)` only, as Keras built on `(2, 3, 4, 5)` does.
    ///
    /// ```
    /// use wgpu_activations::{Layer, PReLU};
    /// let prelu = PReLU::new().with_shared_axes(&[1]);
    /// prelu.load_alpha(&[1, 2], &[0.5, 0.25])?;
    /// assert_eq!(prelu.alpha_shape(), Some(vec![1, 2]));
    /// assert_eq!(prelu.reference(&[1, 3, 2], &[-2.0; 6])?, vec![-1.0, -0.5, -1.0, -0.5, -1.0, -0.5]);
    /// assert!(prelu.load_alpha(&[2, 1], &[0.5, 0.25]).is_err());
    ///
    /// let last = PReLU::new().with_shared_axes(&[0]);
    /// last.load_alpha(&[2, 1], &[0.5, 0.25])?;
    /// assert_eq!(last.reference(&[1, 2, 3], &[-2.0; 6])?, vec![-1.0, -1.0, -1.0, -0.5, -0.5, -0.5]);
    /// assert!(last.reference(&[1, 2, 4], &[-2.0; 8]).is_err());
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn load_alpha(&self, shape: &[usize], values: &[f32]) -> Result<()> {
        crate::shape::check_len(shape, values)?;
        match self.alpha_shape() {
            Some(built) if built != shape => {
                return Err(Error::Shape(format!(
                    "the PReLU was built with alpha of shape {built:?} but the weight has shape {shape:?}"
                )))
            }
            Some(_) => {}
            None => {
                let input_shape: Vec<usize> = std::iter::once(1).chain(shape.iter().copied()).collect();
                let expected = prelu_alpha_shape(&input_shape, self.shared_axes())?;
                if expected != shape {
                    return Err(Error::Shape(format!(
                        "alpha of shape {shape:?} does not fit shared_axes={:?}: an input of shape \
                         {input_shape:?} gives alpha of shape {expected:?} (shared axes have size 1)",
                        self.shared_axes()
                    )));
                }
                self.build(&input_shape)?;
                self.defer_python_indexed_axes();
            }
        }
        self.set_alpha(values)
    }

    /// alpha as Keras's `get_weights()[0]`: `(shape, row-major values)`,
    /// `None` before the layer is built or while a GPU update has not been
    /// read back ([`PReLU::read_alpha`]).
    ///
    /// ```
    /// use wgpu_activations::PReLU;
    /// let prelu = PReLU::new();
    /// assert_eq!(prelu.weights(), None);
    /// prelu.load_alpha(&[2], &[0.1, 0.2])?;
    /// assert_eq!(prelu.weights(), Some((vec![2], vec![0.1, 0.2])));
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn weights(&self) -> Option<(Vec<usize>, Vec<f32>)> {
        Some((self.alpha_shape()?, self.alpha()?))
    }

    /// Sets alpha from the bytes of a `.npy` file, as
    /// `numpy.save(path, layer.get_weights()[0])` writes it (see
    /// [`PReLU::load_alpha`] and [`crate::keras::read_npy`]).
    ///
    /// ```
    /// use wgpu_activations::{keras::write_npy, PReLU};
    /// let prelu = PReLU::new();
    /// prelu.load_alpha_npy(&write_npy(&[3], &[0.1, 0.2, 0.3])?)?;
    /// assert_eq!(prelu.alpha(), Some(vec![0.1, 0.2, 0.3]));
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn load_alpha_npy(&self, bytes: &[u8]) -> Result<()> {
        let (shape, values) = read_npy(bytes)?;
        self.load_alpha(&shape, &values)
    }

    /// Sets alpha from a `.npy` file on disk (see [`PReLU::load_alpha_npy`]).
    ///
    /// ```no_run
    /// let prelu = wgpu_activations::PReLU::new().with_shared_axes(&[1, 2]);
    /// prelu.load_alpha_npy_file("prelu_alpha.npy")?;
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    #[cfg(not(target_arch = "wasm32"))]
    pub fn load_alpha_npy_file(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        let (shape, values) = crate::keras::read_npy_file(path)?;
        self.load_alpha(&shape, &values)
    }

    /// alpha as the bytes of a `.npy` file (float32, C order), which
    /// `numpy.load` reads and Keras's `layer.set_weights([...])` takes.
    ///
    /// ```
    /// use wgpu_activations::{keras::read_npy, PReLU};
    /// let prelu = PReLU::new();
    /// prelu.load_alpha(&[2], &[0.5, 1.5])?;
    /// assert_eq!(read_npy(&prelu.alpha_npy()?)?, (vec![2], vec![0.5, 1.5]));
    /// assert!(PReLU::new().alpha_npy().is_err());
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn alpha_npy(&self) -> Result<Vec<u8>> {
        let (shape, values) = self.weights().ok_or_else(|| {
            Error::Shape(
                "PReLU has no alpha on the host: build it (or read_alpha after a GPU update) first"
                    .into(),
            )
        })?;
        write_npy(&shape, &values)
    }
}
