"""The only grading code that runs in the student's kernel: call the function, record what happened.

A hidden-test cell is one line, `record("conv_single", conv)`. It builds the case's inputs,
calls the student's function on copies of them, and publishes the outcome as a display output of
MIME type nnkit.codec.MIME: the returned value, any exception, floating-point warnings, which
inputs were modified, the wall time. It decides nothing; the verdict is made by
nnkit.judge in nbgrader's own process (nnkit.preprocessor), where no student code runs.
"""
import copy
import time
import warnings

import numpy as np

from nnkit.cases import CASES
from nnkit.codec import MIME, digest, encode


def unchanged(before, after) -> bool:
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and before.shape == after.shape and before.dtype == after.dtype
                and np.array_equal(before, after, equal_nan=True))
    return type(before) is type(after) and before == after


def run_case(case_name: str, function) -> dict:
    case = CASES[case_name]
    args = case.make_args()
    given = copy.deepcopy(args)
    outcome = {"case": case_name, "input_digest": digest(args), "exception": None, "result": None}
    np.random.seed(0)  # a student's function that draws random numbers is still reproducible
    with warnings.catch_warnings(record=True) as caught, np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("always")
        start = time.perf_counter()
        try:
            outcome["result"] = encode(function(*(value for _, value in given)))
        except Exception as error:  # the student's bug is data here, reported by the judge
            outcome["exception"] = {"type": type(error).__name__, "message": str(error)[:500]}
        outcome["seconds"] = time.perf_counter() - start
    outcome["warnings"] = [f"{w.category.__name__}: {w.message}"[:300] for w in caught]
    outcome["mutated"] = [name for (name, before), (_, after) in zip(args, given) if not unchanged(before, after)]
    return outcome


def record(case_name: str, function) -> None:
    from IPython.display import publish_display_data

    outcome = run_case(case_name, function)
    publish_display_data({MIME: outcome, "text/plain": f"recorded {case_name} for the grader"})
