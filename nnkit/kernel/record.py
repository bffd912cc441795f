"""The only grading code that runs in the student's kernel: call the function, record what happened.

A hidden-test cell is one line, `record("conv_single", conv)` (or with several functions, for a
case that calls more than one). It builds the case's inputs, calls the student's function on
copies of them (by position, and by name those the case lists in `keywords`: nnkit.kernel.case), and
publishes the outcome (nnkit.kernel.schema.Outcome, the record's one schema) as a display output: the
returned value, any exception, the warnings, which inputs were modified, a digest of the inputs,
the wall time. It decides nothing; the verdict is made by
nnkit.judging.judge in nbgrader's own process (nnkit.judging.step), where no student code runs.

The facts the verdict relies on (which inputs changed, which warnings and exceptions occurred)
are computed with functions bound when this module is imported, which every grading kernel does
at start-up (nnkit.kernel.limits.KERNEL_STARTUP), before any student code runs: reassigning
`np.array_equal`, `copy.deepcopy`, `np.errstate`, `warnings.catch_warnings` or
`IPython.display.publish_display_data` in a student cell does not change what is recorded. What
a student who rewrites the kernel's memory can still fake is stated in docs/grading.md.
"""
import copy
import time
import warnings

import numpy as np

from nnkit.kernel.cases import CASES
from nnkit.kernel.codec import digest, encode, fingerprint
from nnkit.kernel.schema import Outcome, Raised, Warned, as_data, bundle

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
    return as_data(Outcome(
        case=case_name, input_digest=digest(args), exception=raised, result=result, seconds=seconds,
        warnings=_tuple(Warned(text_of(w.category.__name__, 100), text_of(w.message, 300), numeric) for numeric, w in warned),
        mutated=_tuple(name for (name, _), was, value in _zip(args, before, given) if fingerprint(value) != was)))


def record(case_name: str, *functions) -> None:
    _publish(bundle(run_case(case_name, *functions)))
