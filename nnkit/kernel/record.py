"""The only grading code that runs in the student's kernel: a hidden-test cell's `record("conv_single",
conv)` builds the case's inputs, calls the student's function on copies of them and publishes what
happened (nnkit.kernel.schema.CallRecord) as a display output. It decides nothing: the verdict is made
in nbgrader's process (nnkit.judging). The facts it records are computed with functions bound when
it is imported at the kernel's start-up (nnkit.kernel.limits.KERNEL_STARTUP), before any student
code runs. What a student who rewrites the kernel's memory can still fake: docs/grading.md.
"""
import copy
import time
import warnings

import numpy as np

from nnkit.kernel.codec import digest, encode, fingerprint
from nnkit.kernel.course_cases import CASES
from nnkit.kernel.schema import CallRecord, Raised, Warned, as_data, bundle

try:
    from IPython.display import publish_display_data as _publish
except ImportError:  # run_case alone (the tests, the mutation report) needs no IPython
    _publish = None

_perf_counter = time.perf_counter
_catch_warnings, _simplefilter = warnings.catch_warnings, warnings.simplefilter
_errstate, _seed = np.errstate, np.random.seed
_ndarray, _copy, _deepcopy = np.ndarray, np.ndarray.copy, copy.deepcopy
_isinstance, _issubclass, _type, _str, _zip, _tuple = isinstance, issubclass, type, str, zip, tuple
_RuntimeWarning, _BaseException = RuntimeWarning, BaseException


def text_of(thing, limit: int) -> str:
    try:
        return _str(thing)[:limit]
    except _BaseException:  # a student's exception whose __str__ fails is still reported
        return ""


def run_case(case_name: str, *functions) -> dict:
    """The record of one call of the student's function(s) on the case's inputs, as its JSON."""
    case = CASES[case_name]
    args = case.make_args()
    before = [fingerprint(value) for _, value in args]
    given = [_copy(value) if _isinstance(value, _ndarray) else _deepcopy(value) for _, value in args]
    named = [(name, value) for (name, _), value in _zip(args, given)]
    result = raised = None
    _seed(0)  # a student's function that draws random numbers is still reproducible
    with _catch_warnings(record=True) as caught, _errstate(over="raise", divide="raise", invalid="raise"):
        _simplefilter("always")
        start = _perf_counter()
        try:
            result = encode(case.run(functions, named))
        except _BaseException as error:  # the student's bug is data here, reported by the judge
            raised = Raised(text_of(_type(error).__name__, 100), text_of(error, 500))
        seconds = _perf_counter() - start
    warned = [(_issubclass(w.category, _RuntimeWarning), w) for w in caught]
    warned = [pair for pair in warned if pair[0]][:10] + [pair for pair in warned if not pair[0]][:10]
    return as_data(
        CallRecord(
            case=case_name,
            input_digest=digest(args),
            exception=raised,
            result=result,
            seconds=seconds,
            warnings=_tuple(
                Warned(text_of(w.category.__name__, 100), text_of(w.message, 300), numeric) for numeric, w in warned
            ),
            mutated=_tuple(name for (name, _), was, value in _zip(args, before, given) if fingerprint(value) != was),
        )
    )


def record(case_name: str, *functions) -> None:
    _publish(bundle(run_case(case_name, *functions)))
