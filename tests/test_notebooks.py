"""The notebooks are consistent with the kit: every case graded once, points stated right, the
instructor's answers equal to the solutions modules, release/ and submitted/ in sync."""
import inspect
import re

import nbformat
import pytest

from catalogue import graded_cells
from nnkit.cases import CASES
from nnkit.course import generate_release
from nnkit.mnist import COURSE_ROOT
from nnkit.notebooks import ASSIGNMENTS, is_answer_cell, notebook_path, read, reference_code
from nnkit.preprocessor import recorded_cases
from nnkit.tolerance import FLOAT32, FLOAT64
from scripts.make_submissions import DEMO_STUDENTS, demo_notebook
from solutions import activations, backprop, convolution

SOLUTION_MODULES = {"activations": [activations], "convolution": [convolution], "backprop": [backprop, activations]}


def graded(assignment):
    return [c for c in read(notebook_path("source", assignment)).cells if c.metadata.get("nbgrader", {}).get("grade")]


def test_every_case_is_graded_by_exactly_one_cell():
    used = [case for a in ASSIGNMENTS for cell in graded(a) for case in recorded_cases(cell.source)]
    assert sorted(used) == sorted(CASES)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_hidden_cells_say_what_they_test_and_their_points(assignment):
    """Every graded cell is a hidden test with points and its case's description, or a visible
    check with no points (so that nbgrader's Validate fails when it fails)."""
    for cell in graded(assignment):
        points = cell.metadata["nbgrader"]["points"]
        assert cell.metadata["nbgrader"]["locked"]
        if not recorded_cases(cell.source):
            assert points == 0 and cell.source.startswith("# Check your "), cell.source[:80]
            continue
        (case,) = recorded_cases(cell.source)
        assert points > 0
        assert cell.source.splitlines()[0] == f"# Hidden test ({points} point{'s' if points != 1 else ''}): {CASES[case].what}"
        assert "### BEGIN HIDDEN TESTS" in cell.source


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_intro_states_the_total_and_the_tolerances(assignment):
    intro = read(notebook_path("source", assignment)).cells[0].source
    total = sum(c.metadata["nbgrader"]["points"] for c in graded(assignment))
    assert f"**Total: {total} points**" in intro
    for tol in (FLOAT64, FLOAT32):
        assert f"`{tol.describe()}`" in intro


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_instructor_answers_are_the_solutions_modules(assignment):
    modules = SOLUTION_MODULES[assignment]
    for name, code in reference_code(assignment).items():
        module = next(m for m in modules if hasattr(m, name))
        assert code == inspect.getsource(getattr(module, name)).rstrip(), f"{assignment}: {name} differs from {module.__name__}"


def notebook_json(path):
    return nbformat.writes(nbformat.read(str(path), as_version=4))


def test_release_is_what_nbgrader_generates_from_source(course):
    generate_release(course)
    for assignment in ASSIGNMENTS:
        assert notebook_json(notebook_path("release", assignment, course)) == \
            notebook_json(notebook_path("release", assignment)), f"release/{assignment} is stale: make demo"
    generated = sorted(p.relative_to(course / "release") for p in (course / "release").rglob("*") if p.is_file())
    committed = sorted(p.relative_to(COURSE_ROOT / "release") for p in (COURSE_ROOT / "release").rglob("*") if p.is_file())
    assert generated == committed


def test_release_has_stubs_and_no_hidden_tests():
    for assignment in ASSIGNMENTS:
        text = notebook_path("release", assignment).read_text()
        assert "BEGIN HIDDEN TESTS" not in text and "record(" not in text and "nnkit" not in text
        assert "BEGIN SOLUTION" not in text and "raise NotImplementedError()" in text
        answer_cells = [c for c in read(notebook_path("release", assignment)).cells if is_answer_cell(c)]
        assert all("raise NotImplementedError()" in c.source for c in answer_cells)


@pytest.mark.parametrize("student", DEMO_STUDENTS)
def test_demo_submissions_are_in_sync(student):
    for assignment in ASSIGNMENTS:
        path = COURSE_ROOT / "submitted" / student / assignment / f"{assignment}.ipynb"
        assert notebook_json(path) == nbformat.writes(demo_notebook(student, assignment)), \
            f"{path} is stale: python -m scripts.make_submissions"


def test_every_graded_function_is_an_answer_cell_of_its_notebook():
    for assignment, cells in graded_cells().items():
        assert set(cells.values()) <= set(reference_code(assignment))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_release_folder_alone_runs_with_correct_answers(tmp_path, assignment):
    """What a student is handed (release/<assignment>/) runs outside the course, without the
    grading internals, and the instructor's answers pass its visible checks."""
    import os
    import shutil

    from nbclient import NotebookClient

    folder = tmp_path / assignment
    shutil.copytree(COURSE_ROOT / "release" / assignment, folder)
    notebook = demo_notebook("correct", assignment)
    env_path = os.environ.pop("PYTHONPATH", None)
    try:
        NotebookClient(notebook, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        if env_path is not None:
            os.environ["PYTHONPATH"] = env_path
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id", "").startswith("check_"):
            assert "visible checks passed" in "".join(o.get("text", "") for o in cell.outputs)
