"""grades.csv (nnkit.views.export): a row per submission with its state in words, a column per cell
that carries points (from the gradebook), an empty score where there are no grades, written whole."""
import csv

from nnkit.gradebook.db import OWN_GRADEBOOK_MARKER, open_gradebook
from nnkit.gradebook.states import State, Submission
from nnkit.judging.review import Kind, Review
from nnkit.views import export


def gradebook_with_cells(root) -> None:
    (root / OWN_GRADEBOOK_MARKER).touch()
    with open_gradebook(root) as book:
        book.add_assignment("a")
        book.add_notebook("a", "a")
        for name, points in (("test_relu", 2), ("check_shape", 0), ("test_sigmoid", 1)):
            book.add_grade_cell(name, "a", "a", max_score=points, cell_type="code")


def test_grades_csv_has_a_column_per_cell_with_points_and_says_each_state(tmp_path):
    gradebook_with_cells(tmp_path)
    entries = [Submission("ann", "a", State.GRADED, 3, 3, cells={"test_relu": 2, "test_sigmoid": 1}, timestamp="t1"),
               Submission("bob", "a", State.NOT_GRADABLE, None, 3, [Review(Kind.NOT_GRADABLE, None, "not JSON")])]
    dest = export.write_csv(tmp_path, tmp_path / "grades.csv", ["a", "unknown"], entries=entries)
    with open(dest, newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == export.FIXED + ["test_relu", "test_sigmoid"]
    assert [(r["student_id"], r["score"], r["status"], r["test_relu"]) for r in rows] == [
        ("ann", "3", "graded", "2"), ("bob", "", "not gradable: not JSON", "")]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("grades")] == ["grades.csv"]


def test_rows_keep_only_the_students_asked_for():
    entries = [Submission("ann", "a", State.GRADED, 1, 1), Submission("bob", "a", State.UNGRADED, None, 1)]
    assert [r["student_id"] for r in export.rows(None, ["a"], ["bob"], entries)] == ["bob"]
    assert export.rows(None, ["a"], (), entries)[1]["status"] == "ungraded"
