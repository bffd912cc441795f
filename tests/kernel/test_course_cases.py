"""Every case of the course, collected from the assignments' cases modules (nnkit.kernel.course_cases):
each listed assignment's cases in order, each name once, no case of another module counted twice."""
import importlib.machinery
import sys
import types

import pytest

from nnkit.kernel import course_cases
from nnkit.kernel.case import CaseError, case
from nnkit.kernel.config import LISTED
from nnkit.kernel.course_cases import CASES


def fake_cases_module(monkeypatch, assignment: str, *names: str, imported=()) -> None:
    """assignments.<assignment>.cases in sys.modules, declaring a case per name (and importing others)."""
    module = types.ModuleType(f"assignments.{assignment}.cases")
    module.__spec__ = importlib.machinery.ModuleSpec(module.__name__, None)
    for name in names:
        def build():
            return [("x", 1.0)]
        build.__name__ = build.__qualname__ = name
        build.__module__ = module.__name__
        setattr(module, name, case("f", "what")(build))
    for function in imported:
        setattr(module, function.__name__, function)
    monkeypatch.setitem(sys.modules, module.__name__, module)


def test_every_listed_assignments_cases_are_collected_in_course_order():
    order = [c.assignment for c in CASES.values()]
    assert set(order) == set(LISTED) and order == sorted(order, key=LISTED.index)
    assert all(name == c.name and c.make_args.declared_case is c for name, c in CASES.items())


def test_a_case_a_module_imports_from_another_is_counted_once(monkeypatch):
    fake_cases_module(monkeypatch, "first", "one", "two")
    fake_cases_module(monkeypatch, "second", "three", imported=[sys.modules["assignments.first.cases"].one])
    assert list(course_cases.collect(["first", "second"])) == ["one", "two", "three"]


def test_two_cases_of_one_name_in_the_course_are_the_authors_error(monkeypatch):
    fake_cases_module(monkeypatch, "first", "same")
    fake_cases_module(monkeypatch, "second", "same")
    with pytest.raises(CaseError, match="two cases named same"):
        course_cases.collect(["first", "second"])


def test_an_assignment_without_its_cases_module_is_skipped():
    assert course_cases.collect(["no_such_assignment_here"]) == {}
