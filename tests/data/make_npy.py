"""Writes the .npy fixtures tests/keras_config.rs reads, with real numpy.

Run from the repository root: python3 tests/data/make_npy.py
"""
import numpy as np

# A PReLU alpha as `layer.get_weights()[0]` holds it for inputs (batch, h, 3)
# with shared_axes=[1]: shape (1, 3), float32, C order, format 1.0.
np.save("tests/data/prelu_alpha.npy", np.array([[0.25, -0.5, 1.5]], dtype=np.float32))

# The other layouts the reader accepts.
a = (np.arange(6, dtype=np.float64) / 4 - 0.5).reshape(2, 3)
np.save("tests/data/fortran_f8_be.npy", np.asfortranarray(a.astype(">f8")))
np.save("tests/data/scalar_f4.npy", np.float32(0.75))
with open("tests/data/v2_f4.npy", "wb") as f:
    np.lib.format.write_array(f, a.astype(np.float32), version=(2, 0))
with open("tests/data/int32.npy", "wb") as f:
    np.save(f, np.arange(3, dtype=np.int32))
