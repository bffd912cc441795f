"""grades.csv's cells a student controls (nnkit/views/export.py): neutralised as OWASP's CSV injection
guidance says, escaped; the kit's own scores left as numbers."""
from nnkit.gradebook.states import State, Submission
from nnkit.judging.review import Kind, Review
from nnkit.views.export import rows

FORMULAS = ["=HYPERLINK(\"http://evil.example\", \"12\")", "+1+1", "-2+3", "@SUM(A1:A9)", "\tcmd", "\rcmd"]


def test_a_cell_a_student_controls_never_starts_a_formula():
    entries = [Submission(student, "activations", State.NOT_GRADABLE, max_score=12.0,
                          reviews=[Review(Kind.NOT_GRADABLE, None, "=cmd|' /C calc'!A0 is a symbolic link\x1b[2J")])
               for student in FORMULAS]
    entries.append(Submission("graded", "activations", State.GRADED, score=9.0, max_score=12.0, cells={"test_relu_mnist": 0.0}))
    got = rows(None, ["activations"], entries=entries)
    for row in got[:-1]:
        assert row["student_id"][0] not in "=+-@\t\r" and row["student_id"].lstrip("'") != ""
        assert row["status"].startswith("not gradable: =cmd") and row["status"].endswith("\\x1b[2J")
    assert [row["student_id"] for row in got[:3]] == ["'" + FORMULAS[0], "'+1+1", "'-2+3"]
    assert got[-1]["score"] == 9.0 and got[-1]["test_relu_mnist"] == 0.0 and got[-1]["student_id"] == "graded"
