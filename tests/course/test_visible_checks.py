"""The visible checks teach every contract the hidden tests grade (the dtype, the shape, an input
left as it was), for every graded function, and grant no points; a wrong variant of the catalogue
(tests/variants/wrong/) that passes every visible check of its notebook loses points only on a case
the notebook says the hidden tests add: PASSING_VISIBLE lists each, with why that is acceptable.

The checks run as Validate runs them, without nbgrader: the release notebook, its answer cells
filled with the references and the one variant, every cell but the hidden tests and the cells for
the student only, in order, in a Python process of its own (a variant may patch NumPy or hoard
memory), and each visible check's verdict is what it raised."""
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import pytest

from catalogue import WRONG, submission_code
from nnkit.collect.notebooks import notebook_path, read, reference_code
from nnkit.execution.execute import student_only
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ROOT

# Each wrong variant whose visible checks all pass: why (the cases that catch it are the hidden
# tests' own, named in the notebook under "The hidden tests add").
PASSING_VISIBLE = {
    "conv_torch": "right values from torch.nn.functional.conv2d: torch is importable on the student's machine, "
                  "not in the grader's sandbox, where only NumPy can be imported (each check says so)",
    "backward_torch_autograd": "right step from torch's autograd: torch is not importable where the hidden tests "
                               "run, as conv_torch",
    "sigmoid_scipy": "right values from scipy.special.expit: scipy is not importable where the hidden tests run, "
                     "as conv_torch",
}

RUNNER = r'''
import json, resource, sys
resource.setrlimit(resource.RLIMIT_DATA, (3 * 2**30, 3 * 2**30))  # a hoarding variant fails, not the machine
cells = json.load(sys.stdin)
namespace, verdicts = {"__name__": "__main__"}, {}
for grade_id, check, source in cells:
    try:
        exec(compile(source, grade_id or "<cell>", "exec"), namespace)
    except BaseException as error:  # noqa: BLE001 - the verdict of the cell
        if not check:
            verdicts[grade_id or "<cell>"] = f"setup: {type(error).__name__}: {error}"[:300]
            break
        verdicts[grade_id] = f"{type(error).__name__}: {error}"[:300]
    else:
        if check:
            verdicts[grade_id] = None
print(json.dumps(verdicts))
'''


def visible_cells(assignment: str, code: dict[str, str]) -> list[tuple[str, bool, str]]:
    """(grade id, is a visible check, source) of every cell Validate runs, the hidden tests aside."""
    from nnkit.collect.notebooks import fill

    notebook = fill(read(notebook_path("release", assignment)), code)
    cells = []
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("points") or student_only(cell):
            continue
        cells.append((meta.get("grade_id", ""), bool(meta.get("grade")), cell.source))
    return cells


def run_checks(assignment: str, code: dict[str, str]) -> dict[str, str | None]:
    """{visible check's grade id: None when it passed, else what it raised}."""
    env = dict(os.environ, PYTHONPATH=str(COURSE_ROOT), MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, "-c", RUNNER],
        input=json.dumps(visible_cells(assignment, code)),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=COURSE_ROOT / "release" / assignment,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.splitlines()[-1])


@cache
def verdicts() -> dict[str, dict[str, str | None]]:
    """{wrong variant: its visible checks' verdicts}, two processes at a time."""
    def one(name):
        assignment, code = submission_code("wrong", name)
        return name, run_checks(assignment, code)

    with ThreadPoolExecutor(2) as pool:
        return dict(pool.map(one, WRONG))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_references_pass_every_visible_check(assignment):
    checks = run_checks(assignment, reference_code(assignment))
    assert checks and all(verdict is None for verdict in checks.values()), checks


def test_every_correct_variant_passes_every_visible_check():
    """The checks ask for the contract, not for the reference's way of meeting it."""
    from catalogue import CORRECT

    for name in CORRECT:
        assignment, code = submission_code("correct", name)
        checks = run_checks(assignment, code)
        assert checks and all(verdict is None for verdict in checks.values()), (name, checks)


def test_a_wrong_variant_passes_every_visible_check_only_for_a_listed_reason():
    passing = sorted(name for name, checks in verdicts().items() if checks and all(v is None for v in checks.values()))
    assert passing == sorted(PASSING_VISIBLE), {name: verdicts()[name] for name in set(passing) ^ set(PASSING_VISIBLE)}


def test_every_graded_function_has_a_visible_check_teaching_dtype_shape_and_input_and_granting_no_points():
    """Each graded function's check cell follows its answer, is worth no points, states which cases
    the hidden tests add, and asserts the dtype, the shape and an unmodified input."""
    from catalogue import graded_cells

    for assignment in ASSIGNMENTS:
        notebook = read(notebook_path("source", assignment))
        checks = {c.metadata["nbgrader"]["grade_id"]: c for c in notebook.cells
                  if c.metadata.get("nbgrader", {}).get("grade") and not c.metadata["nbgrader"].get("points")}
        for function in sorted(set(graded_cells()[assignment].values())):
            cell = checks.get(f"check_{function}")
            assert cell is not None, f"{assignment}: no visible check of {function}"
            assert not cell.metadata["nbgrader"].get("points")
            source = cell.source
            assert "The hidden tests add:" in source, (function, source)
            for contract in (".dtype", ".shape", "modified"):
                assert contract in source, (function, contract, source)
