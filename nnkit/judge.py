"""The verdict on one recorded outcome: passed or not, and a message a student can act on.

Runs in the grader's process only (nnkit.preprocessor); it trusts nothing in the record but
data, decoded without unpickling.
"""
from typing import NamedTuple

import numpy as np

from nnkit import cases
from nnkit.cases import CASES
from nnkit.codec import Unrepresentable, decode, digest
from nnkit.references import expected
from nnkit.tolerance import tolerance_for


class Verdict(NamedTuple):
    passed: bool
    message: str


class Wrong(Exception):
    """Raised inside the comparison with the message for the student."""


def judge(outcome: dict) -> Verdict:
    case = CASES[outcome["case"]]
    problems = outcome_problems(case, outcome)
    detail = ""
    if not outcome.get("exception") and outcome.get("input_digest") == digest(case.make_args()):
        try:
            detail = check_training(outcome) if case.function == "train" else check_answer(
                decode(outcome["result"]), expected(case.name))
        except Wrong as wrong:
            problems.append(str(wrong))
    heading = f"{case.function}: {case.what}"
    if problems:
        hint = f"\n  Hint: {case.hint}" if case.hint else ""
        return Verdict(False, heading + "".join(f"\n  {p}" for p in problems) + hint)
    return Verdict(True, f"{heading}\n  passed{detail}")


def outcome_problems(case, outcome: dict) -> list[str]:
    """What went wrong around the answer itself: other inputs, an exception, warnings, mutation."""
    if outcome.get("input_digest") != digest(case.make_args()):
        return ["the check ran on other inputs than the grader's: the kit's files were changed in this notebook"]
    if outcome.get("exception"):
        error = outcome["exception"]
        return [f"your function raised {error['type']}: {error['message']}"]
    problems = []
    numeric = [w for w in outcome.get("warnings", []) if w.startswith("RuntimeWarning")]
    if numeric:  # other warnings (deprecations...) are noise, not a wrong answer
        problems.append("your function emitted warnings: " + "; ".join(numeric))
    if outcome.get("mutated"):
        names = ", ".join(f"`{name}`" for name in outcome["mutated"])
        problems.append(f"your function modified its input {names}; compute a new array instead "
                        "(e.g. no in-place `x[x < 0] = 0`, `w -= ...`)")
    return problems


def check_answer(got, want, label: str = "answer") -> str:
    """Compare got with want (an array, a float, or a tuple of them); return a short detail if right."""
    if isinstance(want, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            raise Wrong(f"expected a tuple of {len(want)} arrays, got {describe(got)}")
        names = ("w_new", "b_new") if len(want) == 2 else [f"item {i}" for i in range(len(want))]
        return "".join(check_answer(g, w, name) for g, w, name in zip(got, want, names))
    if isinstance(got, (Unrepresentable, list, tuple)):
        raise Wrong(f"{label}: expected {describe_expected(want)}, got {describe(got)}")
    want = np.asarray(want)
    if want.ndim == 0:
        if got.size != 1:
            raise Wrong(f"{label}: expected a single number, got an array of shape {got.shape}")
        got = got.reshape(())
    else:
        if got.shape != want.shape:
            raise Wrong(f"{label}: wrong shape: expected {want.shape}, got {got.shape}{shape_hint(got.shape, want.shape)}")
        if got.dtype != want.dtype:
            raise Wrong(f"{label}: wrong dtype: expected {want.dtype} (the input's), got {got.dtype}")
    return compare_values(got, want, label)


def compare_values(got: np.ndarray, want: np.ndarray, label: str) -> str:
    if got.dtype.kind not in "iuf" or want.dtype.kind not in "iuf":
        raise Wrong(f"{label}: expected real numbers, got dtype {got.dtype}")
    tol = tolerance_for(want.dtype)
    g, w = got.astype(np.float64), want.astype(np.float64)
    error = np.abs(g - w)
    bad = ~(error <= tol.atol + tol.rtol * np.abs(w))  # NaN counts as bad
    if bad.any():
        error = np.where(np.isnan(error), np.inf, error)
        worst = np.unravel_index(int(np.argmax(np.where(bad, error, -1))), w.shape) if w.ndim else ()
        where = f" at index {tuple(int(i) for i in worst)}" if w.ndim else ""
        nan = f" ({int(np.isnan(g).sum())} are NaN, {int(np.isinf(g).sum())} infinite)" if not np.isfinite(g).all() else ""
        count = f"{int(bad.sum())} of {w.size} values are wrong{nan}; the largest error is" if w.ndim else "error"
        raise Wrong(f"{label}: wrong values: {count} {error[worst]:.3g}{where}: "
                    f"expected {w[worst]:.6g}, got {g[worst]:.6g} "
                    f"(allowed: |got - expected| <= {tol.describe()})")
    return f" ({label} largest error {float(error.max()) if error.size else 0.0:.2g})" if error.size else ""


def check_training(outcome: dict) -> str:
    got = decode(outcome["result"])
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise Wrong(f"train must return (w, b, losses), got {describe(got)}")
    w, b, losses = got
    for name, value, shape in (("w", w, (784, 1)), ("b", b, (1,))):
        if isinstance(value, Unrepresentable) or np.asarray(value).size != int(np.prod(shape)):
            raise Wrong(f"{name}: expected an array of shape {shape}, got {describe(value)}")
    losses = np.asarray([np.asarray(v).item() if not isinstance(v, Unrepresentable) else np.nan
                         for v in (losses if isinstance(losses, (list, tuple)) else [losses])]).ravel()
    if losses.size != cases.TRAIN_EPOCHS or not np.all(np.isfinite(losses)):
        raise Wrong(f"losses: expected {cases.TRAIN_EPOCHS} finite numbers, one per epoch, got {losses.size}: "
                    f"{np.array2string(losses[:5], precision=3)}...")
    if not losses[-1] < losses[0]:
        raise Wrong(f"the loss went up from {losses[0]:.4f} to {losses[-1]:.4f}: the step must go against the gradient")
    x, y = cases.binary_digits("test")
    z = x @ np.asarray(w, dtype=np.float64).reshape(784, 1) + np.asarray(b, dtype=np.float64).reshape(1)
    accuracy = float(np.mean((z > 0) == (y > 0.5)))
    if not accuracy >= cases.ACCURACY_THRESHOLD:
        raise Wrong(f"held-out accuracy {accuracy:.3f} is below {cases.ACCURACY_THRESHOLD}"
                    f" (loss {losses[0]:.4f} -> {losses[-1]:.4f})")
    return f" (held-out accuracy {accuracy:.3f}, loss {losses[0]:.4f} -> {losses[-1]:.4f})"


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
