"""Comparing an answer with the reference: shapes, dtypes, values within tolerance, the forms a right
answer may take (an array, a nested list or tuple, a NumPy scalar, a 0-d array), and the message a
student reads when it is wrong. Grader side; used by the judge and by an assignment's own checks
(assignments/<name>/key/reference.py, e.g. backprop's training).

The one place that says how close an answer must be (FLOAT64, FLOAT32): numpy.isclose's rule,
|got - expected| <= atol + rtol * |expected| (equal infinities agree, NaN never does), plus, for a
float32 answer that is a long sum, the rounding such a sum may carry (summation_slack).
"""
from typing import NamedTuple

import numpy as np

from nnkit.kernel.codec import Unrepresentable
from nnkit.kernel.i18n import _


class Tolerance(NamedTuple):
    rtol: float
    atol: float

    def describe(self) -> str:
        """As the notebooks state it: `1e-9 + 1e-7·|expected|`."""
        return f"{short(self.atol)} + {short(self.rtol)}·|expected|"


def short(x: float) -> str:
    mantissa, exponent = f"{x:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


# Far above the rounding differences between correct formulations (loops vs einsum, summation order,
# a stable sigmoid's two branches: ~1e-15 relative in float64, ~1e-6 in float32), far below the
# smallest error a wrong formula makes on the hidden cases (~1e-2).
FLOAT64 = Tolerance(rtol=1e-7, atol=1e-9)
FLOAT32 = Tolerance(rtol=1e-4, atol=1e-5)


def tolerance_for(dtype) -> Tolerance:
    return FLOAT32 if np.dtype(dtype).itemsize <= 4 and np.dtype(dtype).kind == "f" else FLOAT64


# How a long sum's slack is stated next to the tolerance (nnkit.judging.compare.summation_slack).
SUMMATION_SLACK = "γ(n)·Σ|terms|"


def summation_slack(terms, magnitude, dtype):
    """What a correct float32 sum of `terms` products may differ from the exact sum by, in any order
    (a loop, pairwise, BLAS, einsum): γ(n)·Σ|terms|, γ(n) = n·u / (1 - n·u), u = 2**-24, Higham's
    bound ("Accuracy and Stability of Numerical Algorithms", 3.1). `magnitude` is Σ|terms| (an array
    for an array of sums). A sum whose terms cancel may sit far below Σ|terms|, where FLOAT32's
    relative part is no room at all. Zero for float64 answers: compared as tightly as any other."""
    if tolerance_for(dtype) is FLOAT64:
        return np.zeros_like(np.asarray(magnitude, dtype=np.float64))
    u = np.finfo(np.float32).eps / 2
    return terms * u / (1 - terms * u) * np.asarray(magnitude, dtype=np.float64)


class Wrong(Exception):
    """Raised inside the comparison with the message for the student, and its cause (one of
    nnkit.kernel.case.CAUSES: "values", "dtype", "shape"), which picks the case's hint."""

    def __init__(self, message: str, cause: str = "values"):
        super().__init__(message)
        self.cause = cause


def check_values(got, case, want) -> str:
    """The default check of a case: the answer equals the reference's, within tolerance."""
    return check_answer(got, want, case.returns)


def check_answer(got, want, names: tuple = (), label: str = "answer", slack=0.0, hints=None) -> str:
    """Compare got with want (an array, a number, or a tuple of them); return a short detail if right.
    For a tuple, `slack` and `hints` (added to a wrong value's message) may be tuples, one per item."""
    if isinstance(want, tuple):
        items = as_items(got, len(want), names)
        slacks = slack if isinstance(slack, tuple) else (slack,) * len(want)
        hints = hints if isinstance(hints, tuple) else ("",) * len(want)
        return "".join(check_answer(g, w, label=name, slack=s, hints=h) for g, w, name, s, h in
                       zip(items, want, names or [f"item {i}" for i in range(len(want))], slacks, hints, strict=True))
    want = np.asarray(want)
    array = as_array(got, label, want)
    if want.ndim == 0:
        if array.size != 1:
            raise Wrong(
                _("{label}: expected a single number, got an array of shape {shape}").format(
                    label=label, shape=array.shape
                ),
                "shape",
            )
        array = array.reshape(())
    else:
        if array.shape != want.shape:
            raise Wrong(
                _("{label}: wrong shape: expected {want}, got {got}").format(
                    label=label, want=want.shape, got=array.shape
                )
                + shape_hint(array.shape, want.shape),
                "shape",
            )
        if array.dtype != want.dtype:
            raise Wrong(_("{label}: wrong dtype: expected {want} (the input's), got {got}").format(
                label=label, want=want.dtype, got=array.dtype) + dtype_hint(array.dtype, want.dtype), "dtype")
    return compare_values(array, want, label, hint=hints or "", slack=slack)


def as_items(got, count: int, names: tuple) -> list:
    if not isinstance(got, (tuple, list)) or len(got) != count:
        what = f" ({', '.join(names)})" if names else ""
        raise Wrong(
            _("expected a tuple of {count} values{what}, got {got}").format(count=count, what=what, got=describe(got)),
            "shape",
        )
    return list(got)


def as_array(got, label: str, want: np.ndarray) -> np.ndarray:
    """An answer as one numeric array: arrays and numbers as they are, a (nested) list or tuple of
    numbers or of equal-shaped arrays stacked (a list answer is as good as an array)."""
    array = stacked(got)
    if array is None:
        raise Wrong(
            _("{label}: expected {want}, got {got}").format(
                label=label, want=describe_expected(want), got=describe(got)
            ),
            "shape",
        )
    if array.dtype.kind not in "iuf":
        raise Wrong(
            _("{label}: expected real numbers, got dtype {dtype}").format(label=label, dtype=array.dtype), "dtype"
        )
    return array


def stacked(got, depth: int = 0) -> np.ndarray | None:
    if isinstance(got, np.ndarray):
        return got
    if isinstance(got, (list, tuple)) and got and depth < 8:
        items = [stacked(item, depth + 1) for item in got]
        if all(item is not None for item in items) and len({(i.shape, i.dtype.kind) for i in items}) == 1:
            return np.array(items)
    return None


def compare_values(got: np.ndarray, want: np.ndarray, label: str, hint: str = "", slack=0.0) -> str:
    """numpy.isclose's rule: |got - expected| <= atol + rtol * |expected| (+ slack, a long sum's:
    summation_slack); equal infinities agree, NaN never does."""
    tol = tolerance_for(want.dtype)
    g, w = got.astype(np.float64), want.astype(np.float64)
    slack = np.broadcast_to(np.asarray(slack, dtype=np.float64), w.shape)
    with np.errstate(all="ignore"):
        within_slack = np.isfinite(w) & (np.abs(g - w) <= tol.atol + tol.rtol * np.abs(w) + slack)
        close = np.isclose(g, w, rtol=tol.rtol, atol=tol.atol) | within_slack
        error = np.where(close, np.where(np.isfinite(w), np.abs(g - w), 0.0), np.abs(g - w))
    error = np.where(np.isnan(error), np.inf, error)
    if not close.all():
        worst = np.unravel_index(int(np.argmax(np.where(close, -1.0, error))), w.shape) if w.ndim else ()
        where = _(" at index {index}").format(index=tuple(int(i) for i in worst)) if w.ndim else ""
        nan = _(" ({nan} are NaN, {inf} infinite)").format(nan=int(np.isnan(g).sum()), inf=int(np.isinf(g).sum())) \
            if not np.isfinite(g).all() else ""
        count = (_("{wrong} of {size} values are wrong{nan}; the largest error is").format(
            wrong=int((~close).sum()), size=w.size, nan=nan) + where + ":" if w.ndim else "")
        want_text, got_text = distinct(float(w[worst]), float(g[worst]))
        with np.errstate(all="ignore"):
            difference = float(g[worst] - w[worst])
            bound = tol.atol + tol.rtol * abs(float(w[worst])) + float(slack[worst])
        allowed = tol.describe() + (f" + {SUMMATION_SLACK}" if slack.any() else "")
        raise Wrong(_("{label}: wrong values: {count}expected {want}, got {got}, a difference of {difference} "
                      "(allowed: |got - expected| <= {allowed} = {bound:.2g})").format(
            label=label, count=count + " " if count else "", want=want_text, got=got_text,
            difference=f"{difference:+.2g}", allowed=allowed, bound=bound) + hint)
    return _(" ({label} largest error {error:.2g})").format(label=label, error=float(error.max())) if error.size else ""


def distinct(want: float, got: float, least: int = 6) -> tuple[str, str]:
    """Two numbers printed with the fewest significant digits, `least` at the least, that tell them
    apart (1.0150301 and 1.0150312, never 1.01503 twice), up to float64's 17."""
    for digits in range(least, 18):
        style = "#" if digits > least else ""  # beyond the least, both to as many digits, trailing zeros kept
        shown = f"{want:{style}.{digits}g}", f"{got:{style}.{digits}g}"
        if shown[0] != shown[1]:
            break
    return shown


def describe(value) -> str:
    if isinstance(value, Unrepresentable):
        return repr(value)
    if isinstance(value, (tuple, list)):
        return _("a {kind} of {count} items").format(kind=type(value).__name__, count=len(value))
    return _("an array of shape {shape}").format(shape=np.shape(value))


def describe_expected(want) -> str:
    want = np.asarray(want)
    return _("a number") if want.ndim == 0 else _("a numpy array of shape {shape} and dtype {dtype}").format(
        shape=want.shape, dtype=want.dtype)


def shape_hint(got: tuple, want: tuple) -> str:
    if len(got) == len(want) >= 2 and got[:-2] + got[-2:][::-1] == want:
        return _(" (are H and W swapped?)")
    return ""


def dtype_hint(got: np.dtype, want: np.dtype) -> str:
    if got == np.float64 and want == np.float32:
        return _("; float64 usually comes from a buffer made with `np.zeros(...)` or `np.empty(...)` "
                 "without `dtype=x.dtype`, or from mixing in a float64 array")
    return ""
