"""Hostile .npy texts for the codec's tests: what a student's kernel could send in place of an array."""
import base64
import io

import numpy as np


def npy_text(array) -> str:
    """An array as base64 .npy bytes, pickled objects allowed (the codec must refuse them)."""
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return base64.b64encode(buffer.getvalue()).decode()


def huge_header() -> str:
    """A valid .npy header that claims 10**12 float64s, followed by 8 bytes."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)})
    return base64.b64encode(buffer.getvalue() + b"\0" * 8).decode()
