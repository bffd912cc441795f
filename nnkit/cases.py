"""Every hidden-test case of the course: each assignment's `assignments/<name>/cases.py`, imported in
course order (course.toml), registers its own (nnkit.casebook). Nothing here names an assignment.

A case builds its inputs deterministically (real MNIST digits from the bundled sample, random
kernels and weights from a fixed seed: nnkit.inputs), so the student's kernel, which records what
the function returns, and the grader, which judges that answer, rebuild exactly the same arguments.
Kernel side.
"""
import importlib

from nnkit.casebook import REGISTRY, Case, CaseError, case  # noqa: F401  (the names assignments use)
from nnkit.syllabus import ASSIGNMENTS

for _assignment in ASSIGNMENTS:
    importlib.import_module(f"assignments.{_assignment}.cases")

CASES: dict[str, Case] = REGISTRY


def cases_of(assignment: str) -> list[Case]:
    return [c for c in CASES.values() if c.assignment == assignment]
