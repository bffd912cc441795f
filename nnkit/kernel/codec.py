"""What crosses from the student's kernel to the grader: plain JSON, arrays as base64 .npy bytes.

The trust boundary: whatever `decode` reads, the student's code could have written. It never
unpickles (np.load(allow_pickle=False)), checks an .npy header's shape against the bytes there before
allocating, accepts numeric arrays only, and raises `Malformed` on anything else (a failed check,
never a crash). `fingerprint` (both sides: did the function change its inputs, which inputs was it
given) uses only ndarray's own methods and hashlib, bound when this module is imported at the
kernel's start-up, so a student cell reassigning `np.array_equal` or `hashlib.sha256` changes nothing.
"""
import base64
import binascii
import hashlib
import io

import numpy as np

NUMERIC_KINDS = "biufc"  # bool, int, uint, float, complex: what an answer may be made of
MAX_DEPTH = 5  # containers in containers in an answer, e.g. a tuple holding a 4-d array as nested lists
MAX_ITEMS = 10_000  # items of one container encoded one by one (a ragged list, say)

_sha256 = hashlib.sha256
_ndarray = np.ndarray
_tobytes = np.ndarray.tobytes
_isinstance, _type, _repr, _str, _len = isinstance, type, repr, str, len


class Malformed(ValueError):
    """A record, or a value in it, that does not follow the schema: the check fails with this reason."""


# --- kernel side ---------------------------------------------------------------------------------

def npy_bytes(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode()


def encode(value, depth: int = 0) -> dict:
    """A returned value as JSON: numbers and numeric arrays as .npy bytes; a list or tuple of
    numbers or of equal-shaped arrays as one array (its first axis is the list); other lists and
    tuples item by item; anything else described by its type and repr."""
    if isinstance(value, (tuple, list)):
        kind = "tuple" if isinstance(value, tuple) else "list"
        if depth < MAX_DEPTH:
            stacked = stack(value)
            if stacked is not None:
                return {"kind": kind, "npy": npy_bytes(stacked)}
            if len(value) <= MAX_ITEMS:
                return {"kind": kind, "items": [encode(item, depth + 1) for item in value]}
        return {"kind": "other", "type": type(value).__name__, "repr": f"a {kind} of {len(value)} items"}
    if isinstance(value, (np.ndarray, np.generic, float, int)) and not isinstance(value, (bool, np.bool_)):
        array = np.asarray(value)
        if array.dtype.kind in NUMERIC_KINDS:
            return {"kind": "ndarray" if isinstance(value, np.ndarray) else "scalar",
                    "type": type(value).__name__, "npy": npy_bytes(array)}
    try:
        text = repr(value)[:200]
    except Exception:  # a student's object whose __repr__ fails is still described
        text = "?"
    return {"kind": "other", "type": type(value).__name__, "repr": text}


def stack(items) -> np.ndarray | None:
    """The items as one numeric array (numbers, or arrays of one shape), or None."""
    if not items or not all(isinstance(item, (np.ndarray, np.generic, float, int)) and
                            not isinstance(item, (bool, np.bool_)) for item in items):
        return None
    shapes = {np.shape(item) for item in items}
    if len(shapes) != 1:
        return None
    array = np.array(items)
    return array if array.dtype.kind in NUMERIC_KINDS else None


# --- both sides ----------------------------------------------------------------------------------

def fingerprint(value) -> bytes:
    """The exact state of one argument: an array's dtype, shape and bytes, a number's type and repr."""
    if _isinstance(value, _ndarray):
        head = _str((value.dtype.str, value.shape)).encode()
        return head + _sha256(_tobytes(value, "C")).digest()
    return _repr((_type(value).__name__, value)).encode()


def digest(args: list) -> str:
    """A fingerprint of a case's named arguments, to prove the kernel used the inputs the grader rebuilds."""
    h = _sha256()
    for name, value in args:
        h.update(name.encode())
        h.update(fingerprint(value))
    return h.hexdigest()


# --- grader side ---------------------------------------------------------------------------------

class Unrepresentable:
    """A returned value that is not a number or an array (None, a string, a torch tensor...)."""

    def __init__(self, type_name: str, text: str):
        self.type_name, self.text = type_name, text

    def __repr__(self):
        return f"a {self.type_name} ({self.text})" if self.type_name != "NoneType" else "None"


def decode(data, depth: int = 0):
    """The value encoded: arrays (scalars as 0-d arrays), lists and tuples of them, or an
    Unrepresentable for a value that was not numeric. Raises Malformed for anything else."""
    if not isinstance(data, dict):
        raise Malformed(f"a value is {type(data).__name__}, not an object")
    kind = data.get("kind")
    if kind in ("tuple", "list"):
        if depth >= MAX_DEPTH:
            raise Malformed(f"values nested deeper than {MAX_DEPTH} levels")
        if "npy" in data:
            stacked = load_npy(data["npy"])
            if stacked.ndim == 0:
                raise Malformed("a list encoded as a single number")
            items = [np.asarray(item) for item in stacked]
            if not items:
                raise Malformed("an empty list encoded as an array")
        elif isinstance(data.get("items"), list) and len(data["items"]) <= MAX_ITEMS:
            items = [decode(item, depth + 1) for item in data["items"]]
        else:
            raise Malformed(f"a {kind} without a list of items")
        return tuple(items) if kind == "tuple" else items
    if kind in ("ndarray", "scalar"):
        return load_npy(data.get("npy"))
    if kind == "other":
        return Unrepresentable(str(data.get("type"))[:100], str(data.get("repr"))[:200])
    raise Malformed(f"unknown kind of value {str(kind)[:50]!r}")


def load_npy(text) -> np.ndarray:
    """A numeric array from base64 .npy bytes; never unpickles, never allocates more than is there."""
    if not isinstance(text, str):
        raise Malformed("array bytes missing")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise Malformed("array bytes are not valid base64") from None
    stream = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(stream)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}[version]
        shape, fortran, dtype = read_header(stream)
    except Exception as error:  # numpy raises ValueError, SyntaxError... on a bad header
        raise Malformed(f"not an .npy array ({type(error).__name__})") from None
    if dtype.kind not in NUMERIC_KINDS or dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
        raise Malformed(f"an array of dtype {dtype}, not numbers")
    size = 1
    for n in shape:
        size *= n
    if size * dtype.itemsize != len(raw) - stream.tell():
        raise Malformed(f"the array's bytes do not match its shape {shape} and dtype {dtype}")
    stream.seek(0)
    try:
        return np.load(stream, allow_pickle=False)
    except Exception as error:
        raise Malformed(f"not an .npy array ({type(error).__name__})") from None
