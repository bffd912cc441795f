"""grades.csv (nnkit.views.export): a row per submission with its state in words, a column per cell
that carries points (from the gradebook), an empty score where there are no grades, written whole."""
import csv

from nnkit.gradebook.db import OWN_GRADEBOOK_MARKER, open_gradebook
from nnkit.gradebook.states import State, Submission
from nnkit.judging.review import Kind, Review
from nnkit.views import export
from nnkit.views.export import rows


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


FORMULAS = ["=HYPERLINK(\"http://evil.example\", \"12\")", "+1+1", "-2+3", "@SUM(A1:A9)", "\tcmd", "\rcmd"]


def test_a_cell_a_student_controls_never_starts_a_formula():
    entries = [Submission(student, "activations", State.NOT_GRADABLE, max_score=12.0,
                          reviews=[Review(Kind.NOT_GRADABLE, None, "=cmd|' /C calc'!A0 is a symbolic link\x1b[2J")])
               for student in FORMULAS]
    entries.append(Submission("graded", "activations", State.GRADED, score=9.0, max_score=12.0,
                              cells={"test_relu_mnist": 0.0}))
    got = rows(None, ["activations"], entries=entries)
    for row in got[:-1]:
        assert row["student_id"][0] not in "=+-@\t\r" and row["student_id"].lstrip("'") != ""
        assert row["status"].startswith("not gradable: =cmd") and row["status"].endswith("\\x1b[2J")
    assert [row["student_id"] for row in got[:3]] == ["'" + FORMULAS[0], "'+1+1", "'-2+3"]
    assert got[-1]["score"] == 9.0 and got[-1]["test_relu_mnist"] == 0.0 and got[-1]["student_id"] == "graded"
