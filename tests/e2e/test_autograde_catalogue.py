"""Real `nbgrader autograde` runs: the demo class gets its expected scores (the session's demo
class, graded by the batch: tests/support/batches.py), every wrong variant in the catalogue loses points on
its function (and only where it should), every correct variant gets full marks. One course copy per
assignment for the catalogue, graded concurrently."""
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest

from catalogue import CORRECT, WRONG, affected_by, graded_cells, hidden_test_lines, submission_code, variant
from nnkit.authoring.democlass import DEMO_STUDENTS, demo_score
from nnkit.collect.notebooks import fill, notebook_path, read, total_points
from nnkit.gradebook.scratch import scratch_course
from nnkit.gradebook.tools import nbgrader
from nnkit.kernel.config import ASSIGNMENTS
from nnkit.testing import autograde, cell_scores, gradebook_problems, scores

pytestmark = pytest.mark.slow  # every test reads a graded course


def students_of(assignment):
    entries = {}
    for kind, names in (("wrong", WRONG), ("correct", CORRECT)):
        for name in names:
            target, code = submission_code(kind, name)
            if target == assignment:
                entries[f"{kind}_{name}"] = code
    return entries


def released(root, assignment):
    """A scratch course with the assignment generated (nbgrader generate_assignment)."""
    scratch_course(root)
    nbgrader("generate_assignment", assignment, "--force", root=root)
    return root


def submit(root, assignment, students):
    release = read(notebook_path("release", assignment, root))
    for student, code in students.items():
        path = root / "submitted" / student / assignment / f"{assignment}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(fill(release, code), str(path))


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("graded")
    # The threads only wait on nbgrader; the submissions are made between, in this thread alone:
    # CPython 3.11's AST constructor keeps one recursion counter shared by all threads, so
    # ast.parse (catalogue, fill) in two threads at once can fail with "AST constructor recursion
    # depth mismatch".
    with ThreadPoolExecutor(len(ASSIGNMENTS)) as pool:
        roots = dict(zip(ASSIGNMENTS, pool.map(lambda a: released(base / a, a), ASSIGNMENTS), strict=True))
        for assignment, root in roots.items():
            submit(root, assignment, students_of(assignment))
        list(pool.map(lambda a: autograde(a, root=roots[a]), ASSIGNMENTS))
    return roots


def max_score(assignment):
    return total_points(assignment)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_demo_class(demo_class, assignment):
    table = scores(demo_class[0])
    for student in DEMO_STUDENTS:
        assert table[student][assignment] == (demo_score(student, assignment), max_score(assignment)), student
    assert gradebook_problems(demo_class[0]) == []


@pytest.mark.parametrize("name", WRONG)
def test_wrong_variant_loses_points_on_its_function_only(graded, name):
    function, _ = variant("wrong", name)
    assignment, _ = submission_code("wrong", name)
    got = cell_scores(assignment, f"wrong_{name}", graded[assignment])
    points = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
              for c in read(notebook_path("source", assignment)).cells if c.metadata.get("nbgrader", {}).get("grade")}
    cells = graded_cells()[assignment]
    own = [cell for cell, f in cells.items() if f == function]
    assert sum(got[c] for c in own) < sum(points[c] for c in own), f"{name} kept every point of {function}"
    untouched = [cell for cell, f in cells.items() if f not in affected_by(function)]
    assert all(got[c] == points[c] for c in untouched), {c: got[c] for c in untouched if got[c] != points[c]}


@pytest.mark.parametrize("name", CORRECT)
def test_correct_variant_gets_full_marks(graded, name):
    assignment, _ = submission_code("correct", name)
    assert scores(graded[assignment])[f"correct_{name}"][assignment] == (max_score(assignment), max_score(assignment))


def test_feedback_says_what_is_wrong(demo_class):
    notebook = read(demo_class[0] / "autograded" / "seed" / "backprop" / "backprop.ipynb")
    errors = {c.metadata["nbgrader"]["grade_id"]: c.outputs[0].evalue for c in notebook.cells
              if c.get("outputs") and c.outputs[0].output_type == "error"}
    assert "overflow" in errors["test_sigmoid_grad_extremes"]
    assert "modified its input `w`, `b`" in errors["test_backward_mnist"]
    assert "wrong values" in errors["test_backward_mnist"]
    assert "largest error" in errors["test_cross_entropy_grad_mnist"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_shows_verdicts_but_never_the_hidden_tests(demo_feedback, assignment):
    import html
    import re

    page = (demo_feedback / "feedback" / "seed" / assignment / f"{assignment}.html").read_text()
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "Hidden test (" in text and "passed" in text
    leaked = [line for line in hidden_test_lines(assignment) if line in text]
    assert not leaked and "BEGIN HIDDEN TESTS" not in text


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_gradebook_is_consistent_after_the_catalogue_run(graded, assignment):
    assert gradebook_problems(graded[assignment]) == []


def test_a_correct_answer_the_scan_flags_keeps_its_points_and_is_listed_for_review(graded):
    from nnkit.gradebook.states import State, class_submissions

    (entry,) = [
        e
        for e in class_submissions(graded["activations"], ["activations"])
        if e.student == "correct_cross_entropy_exec"
    ]
    assert entry.state == State.REVIEW and entry.score == max_score("activations")
    assert any("calls exec()" in reason for reason in entry.reasons), entry.reasons
