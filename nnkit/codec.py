"""What crosses from the student's kernel to the grader: plain JSON, arrays as base64 .npy bytes.

Decoding never unpickles (np.load(allow_pickle=False)), so a record cannot run code in the grader.
"""
import base64
import hashlib
import io

import numpy as np

MIME = "application/vnd.nnkit.record+json"


def encode(value) -> dict:
    if isinstance(value, (tuple, list)):
        return {"kind": type(value).__name__, "items": [encode(v) for v in value]}
    if isinstance(value, (np.ndarray, np.generic, float, int)) and not isinstance(value, bool):
        array = np.asarray(value)
        if array.dtype.kind in "biufc":
            buffer = io.BytesIO()
            np.save(buffer, array, allow_pickle=False)
            return {"kind": "ndarray" if isinstance(value, np.ndarray) else "scalar",
                    "type": type(value).__name__, "npy": base64.b64encode(buffer.getvalue()).decode()}
    return {"kind": "other", "type": type(value).__name__, "repr": repr(value)[:200]}


def decode(data: dict):
    """The value encoded, as arrays (scalars as 0-d arrays); 'other' values as their description."""
    kind = data.get("kind")
    if kind in ("tuple", "list"):
        return tuple(decode(item) for item in data["items"]) if kind == "tuple" else [decode(item) for item in data["items"]]
    if kind in ("ndarray", "scalar"):
        return np.load(io.BytesIO(base64.b64decode(data["npy"])), allow_pickle=False)
    return Unrepresentable(str(data.get("type")), str(data.get("repr")))


class Unrepresentable:
    """A returned value that is not a number or an array (None, a string, a torch tensor...)."""

    def __init__(self, type_name: str, text: str):
        self.type_name, self.text = type_name, text

    def __repr__(self):
        return f"a {self.type_name} ({self.text})" if self.type_name != "NoneType" else "None"


def digest(args: list) -> str:
    """A fingerprint of a case's arguments, to prove the kernel used the inputs the grader rebuilds."""
    h = hashlib.sha256()
    for name, value in args:
        h.update(name.encode())
        array = np.asarray(value)
        h.update(str((array.dtype.str, array.shape)).encode())
        h.update(np.ascontiguousarray(array).tobytes())
    return h.hexdigest()
