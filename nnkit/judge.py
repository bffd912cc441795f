"""The verdict on one recorded outcome: passed or not, and a message a student can act on.

Runs in the grader's process only (nnkit.preprocessor). A record is hostile data (nnkit.codec):
whatever it holds, `judge` returns a verdict and never raises, so one malformed record never costs
the other cells of the notebook their grades. A record that does not follow the schema fails its
check with the reason. The kit's own errors are not the student's: a KitError (the references
disagree) still stops the grader loudly, and an unexpected error while comparing fails the
check with a message that blames the kit and asks the instructor to review it.
"""
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from nnkit import cases, limits
from nnkit.cases import CASES
from nnkit.codec import Malformed, Unrepresentable, decode, digest
from nnkit.references import KitError, expected
from nnkit.tolerance import tolerance_for


class Verdict(NamedTuple):
    passed: bool
    message: str
    review: str = ""  # set when the instructor should look at this check: the kit failed to judge it


class Wrong(Exception):
    """Raised inside the comparison with the message for the student."""


def judge(outcome) -> Verdict:
    case = CASES.get(outcome.get("case")) if isinstance(outcome, dict) and isinstance(outcome.get("case"), str) else None
    if case is None:
        return Verdict(False, "a check the kit does not know was recorded: the record is not the grader's")
    heading = f"{case.function}: {case.what}"
    try:
        problems, detail, hint = assess(case, outcome)
    except Malformed as malformed:
        problems, detail, hint = [f"the grader could not read what this check recorded: {malformed}"], "", False
    except KitError:
        raise
    except Exception as error:  # a bug of the kit's; the student loses this check only, and it is reviewed
        return Verdict(False, f"{heading}\n  the grader could not judge this answer: an error in the kit, not "
                              "in your code; your instructor will review it",
                       review=f"the judge failed on {case.name}: {type(error).__name__}: {error}"[:300])
    if problems:
        hint = f"\n  Hint: {case.hint}" if hint and case.hint else ""
        return Verdict(False, heading + "".join(f"\n  {p}" for p in problems) + hint)
    return Verdict(True, f"{heading}\n  passed{detail}")


def assess(case, outcome: dict) -> tuple[list[str], str, bool]:
    """(problems, detail when right, whether the case's hint applies)."""
    if "oversized" in outcome:  # the grader dropped it on arrival (nnkit.execute)
        size = field(outcome["oversized"], int, "oversized")
        raise Malformed(f"the answer was too large to record ({size / 2**20:.1f} MiB; "
                        f"the limit is {limits.RECORD_BYTES // 2**20} MiB)")
    if outcome.get("input_digest") != case_digest(case.name):
        return ["the check ran on other inputs than the grader's: the kit's files were changed in this notebook"], "", False
    error = outcome.get("exception")
    if error is not None:
        return [exception_problem(field(error, dict, "exception"))], "", not not_written(error)
    problems = []
    numeric = [w for w in field(outcome.get("warnings", []), list, "warnings") if isinstance(w, dict) and w.get("numeric") is True]
    if numeric:  # other warnings (deprecations...) are noise, not a wrong answer
        problems.append("your function emitted warnings: " + "; ".join(
            f"{str(w.get('category'))[:60]}: {str(w.get('message'))[:200]}" for w in numeric[:3]))
    mutated = [str(name)[:40] for name in field(outcome.get("mutated", []), list, "mutated")]
    if mutated:
        names = ", ".join(f"`{name}`" for name in mutated)
        problems.append(f"your function modified its input {names}; compute a new array instead "
                        "(e.g. no in-place `x[x < 0] = 0`, `w -= ...`)")
    detail = ""
    if outcome.get("result") is None:
        raise Malformed("no answer was recorded")
    try:
        detail = CHECKS[case.check](decode(outcome["result"]), case)
    except Wrong as wrong:
        problems.append(str(wrong))
    return problems, detail, True


@lru_cache(maxsize=None)
def case_digest(name: str) -> str:
    return digest(CASES[name].make_args())


def forbidden_import(message: str) -> str:
    """ModuleNotFoundError's message, as the student should read it: only NumPy (and the standard
    library, Matplotlib) can be imported while the hidden tests run."""
    module = message.removeprefix("No module named ").strip("'\"").split(".")[0] or "that module"
    return f"NumPy only: {module} is not available when grading (your function raised ModuleNotFoundError: {message})"


def field(value, kind: type, name: str):
    if not isinstance(value, kind):
        raise Malformed(f"its {name} is {type(value).__name__}, not {kind.__name__}")
    return value


def not_written(error: dict) -> bool:
    return error.get("type") == "NotImplementedError" and not error.get("message")


def exception_problem(error: dict) -> str:
    if not_written(error):
        return "not written yet: replace `raise NotImplementedError()` with your code"
    if error.get("type") == "ModuleNotFoundError":
        return forbidden_import(str(error.get("message") or ""))
    message = str(error.get("message") or "")[:500]
    return f"your function raised {str(error.get('type'))[:100]}" + (f": {message}" if message else "")


# --- comparisons -----------------------------------------------------------------------------------

def check_values(got, case) -> str:
    """The answer equals the reference's for this case, within tolerance."""
    return check_answer(got, expected(case.name), case.returns)


def check_answer(got, want, names: tuple = (), label: str = "answer") -> str:
    """Compare got with want (an array, a number, or a tuple of them); return a short detail if right."""
    if isinstance(want, tuple):
        items = as_items(got, len(want), names)
        return "".join(check_answer(g, w, label=name) for g, w, name in
                       zip(items, want, names or [f"item {i}" for i in range(len(want))]))
    want = np.asarray(want)
    array = as_array(got, label, want)
    if want.ndim == 0:
        if array.size != 1:
            raise Wrong(f"{label}: expected a single number, got an array of shape {array.shape}")
        array = array.reshape(())
    else:
        if array.shape != want.shape:
            raise Wrong(f"{label}: wrong shape: expected {want.shape}, got {array.shape}{shape_hint(array.shape, want.shape)}")
        if array.dtype != want.dtype:
            raise Wrong(f"{label}: wrong dtype: expected {want.dtype} (the input's), got {array.dtype}{dtype_hint(array.dtype, want.dtype)}")
    return compare_values(array, want, label)


def as_items(got, count: int, names: tuple) -> list:
    if not isinstance(got, (tuple, list)) or len(got) != count:
        what = f" ({', '.join(names)})" if names else ""
        raise Wrong(f"expected a tuple of {count} values{what}, got {describe(got)}")
    return list(got)


def as_array(got, label: str, want: np.ndarray) -> np.ndarray:
    """An answer as one numeric array: arrays and numbers as they are, a (nested) list or tuple of
    numbers or of equal-shaped arrays stacked (a list answer is as good as an array)."""
    array = stacked(got)
    if array is None:
        raise Wrong(f"{label}: expected {describe_expected(want)}, got {describe(got)}")
    if array.dtype.kind not in "iuf":
        raise Wrong(f"{label}: expected real numbers, got dtype {array.dtype}")
    return array


def stacked(got, depth: int = 0) -> np.ndarray | None:
    if isinstance(got, np.ndarray):
        return got
    if isinstance(got, (list, tuple)) and got and depth < 8:
        items = [stacked(item, depth + 1) for item in got]
        if all(item is not None for item in items) and len({(i.shape, i.dtype.kind) for i in items}) == 1:
            return np.array(items)
    return None


def compare_values(got: np.ndarray, want: np.ndarray, label: str, hint: str = "") -> str:
    """numpy.isclose's rule: |got - expected| <= atol + rtol * |expected|; equal infinities agree,
    NaN never does."""
    tol = tolerance_for(want.dtype)
    g, w = got.astype(np.float64), want.astype(np.float64)
    with np.errstate(all="ignore"):
        close = np.isclose(g, w, rtol=tol.rtol, atol=tol.atol)
        error = np.where(close, np.where(np.isfinite(w), np.abs(g - w), 0.0), np.abs(g - w))
    error = np.where(np.isnan(error), np.inf, error)
    if not close.all():
        worst = np.unravel_index(int(np.argmax(np.where(close, -1.0, error))), w.shape) if w.ndim else ()
        where = f" at index {tuple(int(i) for i in worst)}" if w.ndim else ""
        nan = f" ({int(np.isnan(g).sum())} are NaN, {int(np.isinf(g).sum())} infinite)" if not np.isfinite(g).all() else ""
        count = f"{int((~close).sum())} of {w.size} values are wrong{nan}; the largest error is" if w.ndim else "error"
        raise Wrong(f"{label}: wrong values: {count} {error[worst]:.3g}{where}: "
                    f"expected {w[worst]:.6g}, got {g[worst]:.6g} "
                    f"(allowed: |got - expected| <= {tol.describe()}){hint}")
    return f" ({label} largest error {float(error.max()):.2g})" if error.size else ""


def check_training(got, case) -> str:
    """train's (w, b, losses) are the reference's: the same losses, one per epoch, each taken
    before its step, and the same final weights; the held-out accuracy is reported."""
    want_w, want_b, want_losses = expected(case.name)
    w, b, losses = as_items(got, 3, case.returns)
    want_losses = np.asarray(want_losses, dtype=np.float64)
    if isinstance(losses, (list, tuple)) and losses:  # numbers, some perhaps as arrays or lists of one
        items = [stacked(v) for v in losses]
        if all(i is not None and i.size == 1 and i.dtype.kind in "iuf" for i in items):
            losses = np.array([i.reshape(()) for i in items])
    losses = as_array(losses, "losses", want_losses).astype(np.float64).ravel()
    if losses.size != want_losses.size or not np.all(np.isfinite(losses)):
        raise Wrong(f"losses: expected {want_losses.size} finite numbers, one per epoch, got {losses.size}: "
                    f"{np.array2string(losses[:5], precision=3)}...")
    if not losses[-1] < losses[0]:
        raise Wrong(f"the loss went up from {losses[0]:.4f} to {losses[-1]:.4f}: the step must go against the gradient")
    compare_values(losses, want_losses, "losses", hint="; each loss is the mean cross-entropy before its step, "
                                                      f"starting from w = 0, b = 0 (loss {want_losses[0]:.4f})")
    weights = []
    for name, value, want in (("w", w, np.asarray(want_w)), ("b", b, np.asarray(want_b))):
        array = as_array(value, name, want)
        if array.size != want.size:
            raise Wrong(f"{name}: expected an array of shape {want.shape}, got shape {array.shape}")
        weights.append(array.reshape(want.shape).astype(np.float64))
        compare_values(weights[-1], want, name)
    x, y = cases.binary_digits("test")
    accuracy = float(np.mean((x @ weights[0] + weights[1] > 0) == (y > 0.5)))
    return f" (held-out accuracy {accuracy:.3f}, loss {losses[0]:.4f} -> {losses[-1]:.4f})"


CHECKS = {"values": check_values, "training": check_training}


def describe(value) -> str:
    if isinstance(value, Unrepresentable):
        return repr(value)
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"an array of shape {np.shape(value)}"


def describe_expected(want) -> str:
    want = np.asarray(want)
    return "a number" if want.ndim == 0 else f"a numpy array of shape {want.shape} and dtype {want.dtype}"


def shape_hint(got: tuple, want: tuple) -> str:
    if len(got) == len(want) >= 2 and got[:-2] + got[-2:][::-1] == want:
        return " (are H and W swapped?)"
    return ""


def dtype_hint(got: np.dtype, want: np.dtype) -> str:
    if got == np.float64 and want == np.float32:
        return ("; float64 usually comes from a buffer made with `np.zeros(...)` or `np.empty(...)` "
                "without `dtype=x.dtype`, or from mixing in a float64 array")
    return ""
