"""The catalogue of implementations in tests/variants/: wrong ones, each of which must lose points
on its function, and correct ones, each of which must get full marks."""
from functools import cache
from pathlib import Path

from nnkit.collect.notebooks import implementations_in, notebook_path, read, reference_code
from nnkit.judging.cells import recorded_cases
from nnkit.kernel.config import ASSIGNMENTS
from nnkit.kernel.course_cases import CASES

VARIANTS = Path(__file__).parent.parent / "variants"
WRONG = sorted(p.stem for p in (VARIANTS / "wrong").glob("*.py"))
CORRECT = sorted(p.stem for p in (VARIANTS / "correct").glob("*.py"))
# The kit's rule for a graded function (docs/authoring.md): at least this many plausible wrong variants.
WRONG_PER_FUNCTION = 4

# Which exercise functions call which, in the reference answers: a wrong `f` may also cost
# points on the functions that use it, and on no others.
USES = {
    "sigmoid_grad": {"sigmoid"},
    "backward": {"forward", "sigmoid_grad", "cross_entropy_grad", "sigmoid"},
    "train": {"forward", "sigmoid", "cross_entropy", "backward", "sigmoid_grad", "cross_entropy_grad"},
}


def variant(kind: str, name: str) -> tuple[str, str]:
    """(function, code) of one catalogue entry: each file defines exactly one exercise function
    (and any helpers of its own, which go into the answer cell with it)."""
    ((function, code),) = implementations_in((VARIANTS / kind / f"{name}.py").read_text(), graded_functions()).items()
    return function, code


@cache
def graded_functions() -> frozenset:
    return frozenset(function for cells in graded_cells().values() for function in cells.values())


@cache
def graded_cells() -> dict[str, dict[str, str]]:
    """{assignment: {grade cell id: function it tests}} from the source notebooks (read once; do not
    change what it returns)."""
    cells = {}
    for assignment in ASSIGNMENTS:
        cells[assignment] = {}
        for cell in read(notebook_path("source", assignment)).cells:
            for case in recorded_cases(cell.source):
                cells[assignment][cell.metadata["nbgrader"]["grade_id"]] = CASES[case].function
    return cells


def assignment_of(function: str) -> str:
    return next(a for a, cells in graded_cells().items() if function in cells.values())


def affected_by(function: str) -> set[str]:
    return {function} | {user for user, used in USES.items() if function in used}


def submission_code(kind: str, name: str) -> tuple[str, dict[str, str]]:
    """(assignment, implementations) of a submission: the reference answers with one variant."""
    function, code = variant(kind, name)
    assignment = assignment_of(function)
    return assignment, {**reference_code(assignment), function: code}


def hidden_test_lines(assignment):
    lines, inside = set(), False
    for cell in read(notebook_path("source", assignment)).cells:
        for line in cell.source.splitlines():
            if line.strip() in ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"):
                inside = line.strip() == "### BEGIN HIDDEN TESTS"
            elif inside and line.strip():
                lines.add(line.strip())
    return lines
