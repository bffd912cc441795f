"""Property-based tests of the judge (Hypothesis): whatever a record holds, the judge returns a
verdict and never raises; every reasonable form of a right answer passes; the codec refuses what
it must without allocating what a header claims."""
import base64
import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnkit.cases import CASES
from nnkit.codec import Malformed, decode, encode, load_npy
from nnkit.records import MIME
from nnkit.judge import judge
from nnkit.preprocessor import judge_cell
from nnkit.record import run_case
from nnkit.references import expected

QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = sorted(CASES)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)


def npy_text(array) -> str:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return base64.b64encode(buffer.getvalue()).decode()


def huge_header() -> str:
    """A valid .npy header that claims 10**12 float64s, followed by 8 bytes."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)})
    return base64.b64encode(buffer.getvalue() + b"\0" * 8).decode()


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


@st.composite
def records(draw):
    """Records near the schema: a real case name and input digest, every other field hostile."""
    name = draw(st.sampled_from(NAMES))
    honest = run_case_cached(name)
    record = dict(honest)
    for key in ("exception", "result", "warnings", "mutated", "input_digest", "case", "seconds"):
        if draw(st.booleans()):
            record[key] = draw(hostile_values)
    if draw(st.booleans()):
        del record[draw(st.sampled_from(sorted(record)))]
    return record


_honest = {}


def run_case_cached(name):
    if name not in _honest:
        _honest[name] = run_case(name, lambda *args, **kwargs: None)
    return _honest[name]


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


def test_a_header_that_claims_a_terabyte_is_refused_without_allocating_it():
    with pytest.raises(Malformed, match="do not match"):
        load_npy(huge_header()[:-1] + "=")
    with pytest.raises(Malformed):
        decode({"kind": "ndarray", "npy": huge_header()})


def test_object_arrays_are_never_unpickled():
    with pytest.raises(Malformed, match="not numbers"):
        decode({"kind": "ndarray", "npy": npy_text(np.array([{"x": 1}], dtype=object))})


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
