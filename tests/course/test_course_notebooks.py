"""The notebooks are consistent with the kit: every case graded once, points stated right, the
instructor's answers equal to the solutions modules, release/ and submitted/ in sync."""
import re

import nbformat
import pytest

from catalogue import graded_cells
from nnkit.authoring.democlass import DEMO_STUDENTS, demo_notebook
from nnkit.authoring.regenerate import generate_release
from nnkit.collect.notebooks import is_answer_cell, notebook_path, read, reference_code
from nnkit.judging.cells import recorded_cases
from nnkit.judging.compare import FLOAT32, FLOAT64
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ROOT
from nnkit.kernel.course_cases import CASES


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
        assert (
            cell.source.splitlines()[0]
            == f"# Hidden test ({points} point{'s' if points != 1 else ''}): {CASES[case].what}"
        )
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
    """Each answer cell is its function of the key's solution module (or of a module it imports
    from), character for character, docstring included; a difference names the line."""
    from nnkit.authoring.notebook_checks import answer_problems

    assert reference_code(assignment)
    assert answer_problems(assignment) == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_hidden_test_descriptions_are_the_cases(assignment):
    from nnkit.authoring.notebook_checks import description_problems

    assert description_problems(assignment) == []


def notebook_json(path):
    return nbformat.writes(nbformat.read(str(path), as_version=4))


@pytest.mark.slow
def test_release_is_what_nbgrader_generates_from_source(course):
    generate_release(course)
    for assignment in ASSIGNMENTS:
        assert notebook_json(notebook_path("release", assignment, course)) == \
            notebook_json(notebook_path("release", assignment)), f"release/{assignment} is stale: make demo"
    generated = sorted(p.relative_to(course / "release") for p in (course / "release").rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(COURSE_ROOT / "release") for p in (COURSE_ROOT / "release").rglob("*") if p.is_file()
    )
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
            f"{path} is stale: nnkit author regenerate"


def test_every_graded_function_has_its_wrong_variants():
    """The rule the guide states, held on every assignment of the course: each graded function has
    at least WRONG_PER_FUNCTION wrong variants in tests/variants/wrong/."""
    from collections import Counter

    from catalogue import WRONG, WRONG_PER_FUNCTION, variant

    counts = Counter(variant("wrong", name)[0] for name in WRONG)
    functions = {function for cells in graded_cells().values() for function in cells.values()}
    assert functions
    assert {f: counts[f] for f in sorted(functions) if counts[f] < WRONG_PER_FUNCTION} == {}


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


def validate(notebook, cwd):
    import subprocess
    import sys

    from nnkit.testing import nbgrader_env

    return subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(notebook)], cwd=cwd, env=nbgrader_env(),
                          capture_output=True, text=True, timeout=600)


@pytest.mark.slow
@pytest.mark.parametrize(
    "assignment, where, blank_too",
    [
        ("activations", "course", True),
        ("activations", "alone", True),
        ("convolution", "alone", False),
        ("backprop", "alone", False),
        ("gradients", "alone", True),  # its blank pasted forward passes too
    ],
)
def test_validate_fails_on_a_blank_notebook_and_passes_a_correct_one(tmp_path, assignment, where, blank_too):
    """nbgrader's Validate (the button runs the same validator) fails on the untouched release and
    names the failing checks, and succeeds on the instructor's answers: in the course folder (its
    config) and in a release folder handed out alone (no config at all)."""
    import shutil

    cwd = COURSE_ROOT if where == "course" else tmp_path
    folder = tmp_path / assignment
    shutil.copytree(COURSE_ROOT / "release" / assignment, folder)
    if blank_too:
        blank = validate(folder / f"{assignment}.ipynb", cwd)  # nbgrader validate exits 0 either way: its words tell
        said = blank.stdout + blank.stderr
        assert "VALIDATION FAILED" in said and "# Check your" in said and "NotImplementedError" in said, said
    nbformat.write(demo_notebook("correct", assignment), str(folder / f"{assignment}.ipynb"))
    correct = validate(folder / f"{assignment}.ipynb", cwd)
    said = correct.stdout + correct.stderr
    assert "Success! Your notebook passes all the tests." in said and "VALIDATION FAILED" not in said, said


@pytest.mark.slow
def test_validate_fails_on_a_relu_that_fails_its_own_check(tmp_path):
    import shutil

    from nnkit.collect.notebooks import fill

    shutil.copytree(COURSE_ROOT / "release" / "activations", tmp_path / "activations")
    inplace = "def relu(x):\n    x[x < 0] = 0\n    return x"
    notebook = fill(
        read(tmp_path / "activations" / "activations.ipynb"), {**reference_code("activations"), "relu": inplace}
    )
    nbformat.write(notebook, str(tmp_path / "activations" / "activations.ipynb"))
    result = validate(tmp_path / "activations" / "activations.ipynb", tmp_path)
    assert (
        "VALIDATION FAILED" in result.stdout + result.stderr
        and "relu modified its input" in result.stdout + result.stderr
    )


IMPORTS_TO_PACKAGES = {"numpy": "numpy", "matplotlib": "matplotlib", "torch": "torch", "torchvision": "torchvision"}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_release_folder_says_what_a_student_installs(assignment):
    """release/<assignment>/requirements.txt holds every package the notebook imports, and what
    the student works in (JupyterLab, nbgrader for Validate), nothing of the grader's."""
    import ast
    import sys

    lines = (COURSE_ROOT / "release" / assignment / "requirements.txt").read_text().splitlines()
    packages = {
        re.split(r"[=<>]", line)[0].strip() for line in lines if line.strip() and not line.startswith(("#", "-"))
    }
    imported = set()
    for cell in read(notebook_path("release", assignment)).cells:
        if cell.cell_type == "code":
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                continue
            imported |= {
                alias.name.split(".")[0]
                for node in ast.walk(tree)
                if isinstance(node, ast.Import)
                for alias in node.names
            }
            imported |= {
                node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
            }
    third_party = imported - set(sys.stdlib_module_names)
    assert {IMPORTS_TO_PACKAGES[name] for name in third_party} | {"jupyterlab", "nbgrader"} <= packages
    assert not packages & {"pytest", "hypothesis", "selenium", "psycopg2-binary", "mlxtend"}
    if "torch" in packages:
        assert any("download.pytorch.org/whl/cpu" in line for line in lines), "the CPU-only build, not CUDA's"


def test_the_demo_class_writer_writes_the_committed_class(tmp_path):
    """write_class (regenerate's step) into another folder writes the committed demo class, and says
    which files it changed: all of them there, none the second time."""
    from nnkit.authoring.democlass import submission_files, write_class

    written = write_class(tmp_path)
    assert len(written) == sum(len(submission_files(s, a)) for s in DEMO_STUDENTS for a in ASSIGNMENTS)
    for path in written:
        committed = COURSE_ROOT / "submitted" / path.relative_to(tmp_path)
        if path.suffix == ".ipynb":
            assert notebook_json(path) == notebook_json(committed)
        else:  # what nbgrader's collect leaves beside the notebook
            assert path.read_text() == committed.read_text(), committed
    assert write_class(tmp_path) == []

