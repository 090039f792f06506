#!/usr/bin/env python3
"""Small .npy files written by numpy itself, for NpyTest.

Run from this directory with Debian's interpreter (numpy only):
    /usr/bin/python3 make_npy_fixtures.py
Every float fixture holds arange(6).reshape(2, 3) / 4 + 0.5 = [[0.5, 0.75, 1.0], [1.25, 1.5, 1.75]],
values exact in float32 and float64.
"""
import numpy as np
from numpy.lib import format as npf

a = np.arange(6).reshape(2, 3) / 4 + 0.5

np.save("f64_le_2x3.npy", a.astype("<f8"))
np.save("f32_le_2x3.npy", a.astype("<f4"))
np.save("f32_be_2x3.npy", a.astype(">f4"))
np.save("f64_be_2x3.npy", a.astype(">f8"))
np.save("f32_scalar.npy", np.float32(2.5))
np.save("f32_empty_0x4.npy", np.zeros((0, 4), dtype="<f4"))
np.save("i64_2x3.npy", np.arange(6, dtype="<i8").reshape(2, 3))
np.save("f32_fortran_2x3.npy", np.asfortranarray(a.astype("<f4")))

# Format version 2.0 (4-byte header length); numpy picks it only for huge headers, so force it.
with open("f32_v2_2x3.npy", "wb") as f:
    npf.write_array(f, a.astype("<f4"), version=(2, 0))
print("wrote 9 files")
