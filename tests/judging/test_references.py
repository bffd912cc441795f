"""The expected answer of each case (nnkit.judging.references): the key's reference, checked against
torch's stored result for the same inputs; a disagreement or a stale result is the kit's error.
Live torch against every stored result: tests/course/test_solutions.py."""
import numpy as np
import pytest

from nnkit import exits
from nnkit.judging import references
from nnkit.judging.compare import check_values
from nnkit.judging.references import KitError
from nnkit.kernel.course_cases import CASES

STORED = sorted(name for name, case in CASES.items() if name in references.stored_torch_results(case.assignment))
CASE = STORED[0]


def test_the_expected_answer_is_the_references_and_agrees_with_torchs_stored_result():
    case = CASES[CASE]
    args = case.make_args()
    answer = case.apply(references.key(case.assignment).REFERENCES[case.function], args)
    for ours, theirs in zip(references.parts(answer), references.stored_torch_result(CASE, args), strict=True):
        assert np.allclose(ours, theirs)
    got = references.parts(references.expected(CASE))
    assert all(np.array_equal(a, b) for a, b in zip(got, references.parts(answer), strict=True))


def test_a_torch_result_that_disagrees_is_the_kits_error_never_a_students():
    def disagreeing(name, args):
        return tuple(part + 1 for part in references.stored_torch_result(name, args))

    with pytest.raises(KitError, match=f"disagrees with torch on case {CASE}"):
        references.checked_reference(CASE, disagreeing)
    assert references.checked_reference(CASE, lambda name, args: None) is not None  # no torch version: no check


def test_a_stored_result_for_other_inputs_is_refused_with_the_command_that_rewrites_it():
    args = [(name, value + 1 if isinstance(value, np.ndarray) else value) for name, value in CASES[CASE].make_args()]
    with pytest.raises(KitError, match=r"for other inputs: run `nnkit author references backprop`"):
        references.stored_torch_result(CASE, args)


def test_parts_are_a_tuple_of_arrays_whatever_the_answer():
    assert [p.tolist() for p in references.parts((np.ones(2), 3.0))] == [[1.0, 1.0], 3.0]
    assert [p.tolist() for p in references.parts(np.zeros(1))] == [[0.0]]


def test_a_case_is_judged_by_the_default_check_or_the_one_its_key_names():
    for case in CASES.values():
        check = references.check_of(case)
        assert (check is check_values) == (case.check == "values")
        if case.check != "values":
            assert check is references.key(case.assignment).CHECKS[case.check]


def test_every_graded_function_has_a_torch_result_and_one_without_any_is_named(monkeypatch):
    assignment = CASES[CASE].assignment
    assert references.without_torch(assignment) == []
    monkeypatch.setattr(references, "stored_torch_results", lambda _: {})
    graded = {c.function for c in CASES.values() if c.assignment == assignment}
    assert references.without_torch(assignment) == sorted(graded)


def test_an_assignment_without_a_case_is_refused_and_nothing_is_written(monkeypatch, capsys):
    assignment = CASES[CASE].assignment
    monkeypatch.setattr(references, "CASES", {n: c for n, c in CASES.items() if c.assignment != assignment})
    monkeypatch.setattr(references, "write_torch_results", lambda _: pytest.fail("wrote an empty proof"))
    assert references.main([assignment]) == exits.CANNOT_CHECK
    assert f"{assignment}: no hidden-test case found" in capsys.readouterr().err
