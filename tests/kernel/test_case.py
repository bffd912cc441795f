"""How an assignment declares a case (nnkit.kernel.case): the arguments passed as declared, and
the author's mistakes refused with a reason."""
import numpy as np
import pytest

from nnkit.kernel.case import Case, CaseError, case


def test_a_case_passes_the_arguments_it_names_by_keyword():
    def build():
        return [("x", np.arange(3.0)), ("scale", 2.0), ("shift", 1.0)]

    case = Case("c", "a", ("f",), "what", build, keywords=("shift",))
    positional, named = case.split(build())
    assert np.array_equal(positional[0], np.arange(3.0)) and positional[1:] == [2.0] and named == {"shift": 1.0}
    got = case.run((lambda x, scale, *, shift: x * scale + shift,), build())
    assert np.array_equal(got, [1.0, 3.0, 5.0])
    assert case.apply(lambda answer, x, scale, shift=0.0: answer - shift, build(), 10.0) == 9.0  # a cross-check's form
    with pytest.raises(CaseError, match="not among its arguments"):
        Case("c", "a", ("f",), "what", build, keywords=("stride",)).split(build())


def test_a_hint_for_an_unknown_cause_is_the_author_s_error():
    with pytest.raises(CaseError, match="the causes are"):
        case("relu", "what", hints={"value": "typo"})
    with pytest.raises(CaseError, match="belongs to a cause"):
        case("relu", "what", hint="one hint for every failure")


def test_a_case_is_declared_only_in_an_assignments_cases_module():
    def conv_somewhere():
        return []

    with pytest.raises(CaseError, match="cases live in assignments/<name>/cases.py"):
        case("conv", "what")(conv_somewhere)
    conv_somewhere.__module__ = "assignments.convolution.cases"
    declared = case(("conv", "helper"), "what", keywords=["stride"])(conv_somewhere).declared_case
    assert (declared.name, declared.assignment, declared.function, declared.keywords) == (
        "conv_somewhere", "convolution", "conv", ("stride",))


def test_a_hint_is_found_by_its_cause_and_is_empty_for_another():
    made = Case("c", "a", ("f",), "what", list, hints={"values": "mind the bias"})
    assert (made.hint("values"), made.hint("dtype")) == ("mind the bias", "")
