"""Every hidden-test case of the course: each assignment's `assignments/<name>/cases.py`, imported in
course order (course.toml), registers its own (nnkit.kernel.case). Nothing here names an assignment.

An assignment listed in course.toml whose cases module is not there (one being added, or one the
sandbox does not show: nnkit.kernel.config) is skipped: the others' cases are all there. A cases module that is there but fails to import is the author's error and stops the
kit loudly, as it should: its hidden tests cannot run.

A case builds its inputs deterministically (real MNIST digits from the bundled sample, random
kernels and weights from a fixed seed: nnkit.kernel.inputs), so the student's kernel, which records what
the function returns, and the grader, which judges that answer, rebuild exactly the same arguments.
Kernel side.
"""
import importlib
import importlib.util

from nnkit.kernel.case import REGISTRY, Case
from nnkit.kernel.config import LISTED


def _present(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its package (assignments/<name>/) is not there either
        return False


for _assignment in LISTED:
    if _present(f"assignments.{_assignment}.cases"):
        importlib.import_module(f"assignments.{_assignment}.cases")

CASES: dict[str, Case] = REGISTRY
