"""Every hidden-test case of the course, CASES: each assignment's `assignments/<name>/cases.py`,
imported in course order, declares its own (nnkit.kernel.case). An assignment whose cases module
is not there (one being added, or one the sandbox does not show) is skipped; one that fails to
import stops the kit loudly: its hidden tests cannot run. A case builds its inputs
deterministically (nnkit.kernel.inputs), so the student's kernel and the grader rebuild the same
arguments.
"""
import importlib
import importlib.util
import types

from nnkit.kernel.case import Case, CaseError
from nnkit.kernel.config import LISTED


def _present(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its package (assignments/<name>/) is not there either
        return False


def declared_in(module, assignment: str) -> list[Case]:
    """The cases a cases module declares with @case, in their order (not those it imports)."""
    functions = [value for value in vars(module).values() if isinstance(value, types.FunctionType)]
    found = [getattr(function, "declared_case", None) for function in functions]
    return [c for c in found if isinstance(c, Case) and c.assignment == assignment]


def collect(assignments) -> dict[str, Case]:
    """{name: case} of every case the listed assignments declare; a name is unique in the course."""
    cases: dict[str, Case] = {}
    for assignment in assignments:
        if not _present(f"assignments.{assignment}.cases"):
            continue
        for declared in declared_in(importlib.import_module(f"assignments.{assignment}.cases"), assignment):
            if declared.name in cases:
                raise CaseError(f"two cases named {declared.name} (in {cases[declared.name].assignment} and "
                                f"{assignment}): names are unique in the course")
            cases[declared.name] = declared
    return cases


CASES: dict[str, Case] = collect(LISTED)
