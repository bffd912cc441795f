"""Property-based tests of the judge (Hypothesis): whatever a record holds, the judge returns a
verdict and never raises; every reasonable form of a right answer passes (the codec's own refusals:
tests/kernel/test_codec.py).

Random JSON almost never names a real case, so it tests one branch (an unknown check). The
records here are made by the kit's own recorder (nnkit.kernel.record.run_case) for real cases
(nnkit.kernel.course_cases.CASES), from functions that answer right, wrong, not at all, raise, warn or modify
their input, and then have fields replaced by hostile values: a test proves that they reach
every line of the judge but its handlers of the kit's own errors."""
import ast
import base64
import dis
import inspect
import sys
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nnkit.judging import judge as judge_module
from nnkit.judging.judge import judge
from nnkit.judging.references import expected
from nnkit.judging.step import judge_cell
from nnkit.kernel import schema
from nnkit.kernel.codec import encode
from nnkit.kernel.course_cases import CASES
from nnkit.kernel.record import run_case
from nnkit.kernel.schema import MIME
from npy_texts import huge_header, npy_text

QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = sorted(CASES)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)


hostile_values = st.one_of(
    json_values,
    st.builds(lambda text: {"kind": "ndarray", "npy": text}, st.text(max_size=40)),
    st.builds(lambda raw: {"kind": "ndarray", "npy": base64.b64encode(raw).decode()}, st.binary(max_size=200)),
    st.just({"kind": "ndarray", "npy": huge_header()}),
    st.just({"kind": "ndarray", "npy": npy_text(np.array([object(), 1], dtype=object)[:1].astype(object))}),
    st.just({"kind": "ndarray", "npy": npy_text(np.zeros(3, dtype=[("a", "<f8")]))}),
    st.just({"kind": "ndarray", "npy": npy_text(np.array(["a", "b"]))}),
    st.just({"kind": "tuple", "items": [{"kind": "tuple", "items": [{"kind": "tuple", "items": [
        {"kind": "tuple", "items": [{"kind": "tuple", "items": []}]}]}]}]}),
    st.just({"kind": "list", "npy": npy_text(np.float64(3.0))}),
    st.builds(lambda value: encode(value), st.lists(st.floats(), max_size=5)),
)


def perturbed(value):
    """The same structure, every number off by one: a wrong answer of the right shape and dtype."""
    if isinstance(value, (tuple, list)):
        return type(value)(perturbed(part) for part in value)
    array = np.asarray(value)
    return (array + np.ones((), array.dtype)).astype(array.dtype)


def raises(error):
    def function(*args, **kwargs):
        raise error
    return function


def warns(want):
    def function(*args, **kwargs):
        warnings.warn("overflow encountered in exp", RuntimeWarning, stacklevel=1)
        warnings.warn("a deprecation, not a wrong answer", DeprecationWarning, stacklevel=1)
        return want
    return function


def modifies(want):
    def function(*args, **kwargs):
        for value in [*args, *kwargs.values()]:
            if isinstance(value, np.ndarray) and value.size and value.flags.writeable:
                value.flat[0] = 0 if value.flat[0] else 1
        return want
    return function


# What a student's function may do, as the recorder sees it: {behaviour: (expected answer) -> function}
BEHAVIOURS = {
    "right": lambda want: lambda *args, **kwargs: want,
    "wrong values": lambda want: lambda *args, **kwargs: perturbed(want),
    "wrong shape": lambda want: lambda *args, **kwargs: np.zeros(7),
    "returns None": lambda want: lambda *args, **kwargs: None,
    "not written": lambda want: raises(NotImplementedError()),
    "forbidden import": lambda want: raises(ModuleNotFoundError("No module named 'torch'")),
    "raises": lambda want: raises(ValueError("operands could not be broadcast together")),
    "raises without a message": lambda want: raises(ZeroDivisionError()),
    "warns": warns,
    "modifies its input": modifies,
}
_recorded = {}


def recorded(name: str, behaviour: str) -> dict:
    """The kit's own record of a case run on a function with that behaviour (computed once)."""
    if (name, behaviour) not in _recorded:
        function = BEHAVIOURS[behaviour](expected(name))
        _recorded[name, behaviour] = run_case(name, *[function] * len(CASES[name].functions))
    return _recorded[name, behaviour]


@st.composite
def records(draw):
    """Records of real cases, as the recorder makes them or as the grader marks an oversized one,
    with any of their fields replaced by a hostile value or removed."""
    name = draw(st.sampled_from(NAMES))
    stub = draw(st.integers(0, 9))
    if stub <= 1:  # the stubs nnkit.execution.execute keeps: a record dropped on arrival (its size), a repeated one
        kept = (schema.Oversized(name, draw(st.integers(0, 2**40)), draw(st.none() | st.integers(0, 2**30)))
                if stub == 0 else schema.Repeated(name))
        record = dict(schema.as_data(kept))
        for key in sorted(record):
            if draw(st.integers(0, 5)) == 0:
                record[key] = draw(hostile_values)
        return record
    record = dict(recorded(name, draw(st.sampled_from(sorted(BEHAVIOURS)))))
    for key in ("exception", "result", "warnings", "mutated", "input_digest", "case", "seconds"):
        if draw(st.integers(0, 5)) == 0:
            record[key] = draw(hostile_values)
    if draw(st.integers(0, 5)) == 0:
        del record[draw(st.sampled_from(sorted(record)))]
    return record


@QUICK
@given(json_values)
def test_any_json_gets_a_verdict(record):
    verdict = judge(record)
    assert not verdict.passed and verdict.message


@QUICK
@given(records())
def test_a_record_near_the_schema_gets_a_verdict_never_a_kit_error(record):
    verdict = judge(record)
    assert verdict.message and not verdict.review, verdict.review


@QUICK
@given(st.lists(records(), max_size=3), st.sampled_from(NAMES))
def test_a_cell_with_any_outputs_gets_one_verdict_per_case(records_, name):
    from nbformat.v4 import new_code_cell, new_output

    cell = new_code_cell(f'record("{name}", f)')
    cell.outputs = [new_output("display_data", data={MIME: r}) for r in records_]
    assert len(judge_cell(cell)) == 1


# --- the records above reach every branch of the judge --------------------------------------------

# Every function nnkit/judging/judge.py defines (an lru_cache'd one through its __wrapped__), so that one
# added there is covered too.
JUDGE_FUNCTIONS = tuple(getattr(f, "__wrapped__", f) for _, f in inspect.getmembers(judge_module, callable)
                        if getattr(getattr(f, "__wrapped__", f), "__module__", None) == judge_module.__name__
                        and inspect.isfunction(getattr(f, "__wrapped__", f)))


def kit_error_lines() -> set[int]:
    """The lines of judge()'s handlers of the kit's own errors (KitError, a bug while comparing):
    no record reaches them, only a kit that fails."""
    tree = ast.parse(inspect.getsource(judge_module))
    function = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "judge")
    return {line for node in ast.walk(function) if isinstance(node, ast.ExceptHandler)
            and isinstance(node.type, ast.Name) and node.type.id in ("KitError", "Exception")
            for line in range(node.lineno, node.end_lineno + 1)}


def judge_lines() -> set[int]:
    lines = {line for f in JUDGE_FUNCTIONS for _, line in dis.findlinestarts(f.__code__) if line}
    return lines - kit_error_lines()


def test_the_records_reach_every_line_of_the_judge():
    path, reached = judge_module.__file__, set()
    for function in vars(judge_module).values():  # an earlier test in this process may have filled them
        if getattr(function, "__module__", None) == judge_module.__name__ and hasattr(function, "cache_clear"):
            function.cache_clear()

    def trace(frame, event, arg):
        if frame.f_code.co_filename != path:
            return None
        reached.add(frame.f_lineno)
        return trace

    @settings(max_examples=600, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(records())
    @example({**recorded(NAMES[0], "right"), "result": None})  # no answer and no exception: rare among the draws
    def run(record):
        sys.settrace(trace)
        try:
            verdict = judge(record)
        finally:
            sys.settrace(None)
        assert verdict.message and not verdict.review, verdict.review

    run()
    source = inspect.getsource(judge_module).splitlines()
    missed = {line: source[line - 1].strip() for line in sorted(judge_lines() - reached)}
    assert missed == {}


# --- every reasonable form of a right answer passes ------------------------------------------------

def forms(value):
    """Strategies for the same value: an array, a nested list, a tuple, a NumPy scalar, a float."""
    array = np.asarray(value)
    choices = [st.just(array), st.just(array.copy(order="F"))]
    if array.ndim == 0:
        choices += [st.just(float(array)), st.just(array.dtype.type(array)), st.just(array.reshape(1)),
                    st.just([float(array)])]
    elif array.dtype == np.float64:  # a list has no dtype: it can only stand for float64
        choices += [st.just(array.tolist()), st.just([np.asarray(row) for row in array])]
    return st.one_of(choices)


def answer_forms(want):
    if isinstance(want, (tuple, list)):
        containers = st.sampled_from([tuple, list])
        return st.tuples(containers, st.tuples(*[answer_forms(part) for part in want])).map(lambda p: p[0](p[1]))
    return forms(want)


@pytest.mark.parametrize("name", NAMES)
def test_every_form_of_the_right_answer_passes(name):
    want = expected(name)

    @settings(max_examples=12, deadline=None)
    @given(answer_forms(want))
    def check(answer):
        verdict = judge(run_case(name, lambda *args, **kwargs: answer))
        assert verdict.passed, verdict.message

    check()
