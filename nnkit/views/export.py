"""grades.csv for this course: one row per student and assignment, with the score of every
hidden-test cell. `nbgrader export` writes it through the plugin registered as
ExportApp.plugin_class in nbgrader_config.py; the batch calls `write_csv` directly.

Columns: student_id, assignment, timestamp, score, max_score, status (the submission's state,
nnkit.gradebook.states: graded / review: <reasons> / not gradable: <reason> / ungraded / missing), then one
column per graded cell (`test_<case>`), empty for the cells of other assignments. A submission
without grades (missing, not gradable, not graded yet) has an empty score, never a graded zero.
"""
import csv
from pathlib import Path

from nbgrader.plugins import ExportPlugin

from nnkit.gradebook.states import class_submissions
from nnkit.kernel.config import ASSIGNMENTS

FIXED = ["student_id", "assignment", "timestamp", "score", "max_score", "status"]


def cell_columns(root: Path, assignments: list[str]) -> list[str]:
    from nnkit.gradebook.db import open_gradebook
    from nnkit.gradebook.points import points_of

    with open_gradebook(root) as gradebook:
        known = {a.name for a in gradebook.assignments}
        return [cell for name in assignments if name in known for cell in points_of(gradebook, name)]


def rows(root: Path, assignments: list[str] = ASSIGNMENTS, students: list[str] = (), entries=None) -> list[dict]:
    """A row per submission (`entries`: nnkit.gradebook.states' Submissions, when the caller has them already)."""
    result = []
    for entry in class_submissions(root, list(assignments)) if entries is None else entries:
        if students and entry.student not in students:
            continue
        row = {"student_id": entry.student, "assignment": entry.assignment, "timestamp": entry.timestamp,
               "score": "" if entry.score is None else entry.score, "max_score": entry.max_score,
               "status": entry.status}
        row.update(entry.cells)
        result.append(row)
    return result


def write_csv(root: Path, dest: Path, assignments: list[str] = ASSIGNMENTS, students: list[str] = (),
              entries=None) -> Path:
    """Write grades.csv whole or not at all (a batch collecting while another reads it)."""
    temporary = dest.with_name(dest.name + ".tmp")
    with open(temporary, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIXED + cell_columns(root, assignments), restval="")
        writer.writeheader()
        writer.writerows(rows(root, assignments, students, entries))
    temporary.replace(dest)
    return dest


class CellScoresCsv(ExportPlugin):
    def export(self, gradebook) -> None:
        root = Path(self.parent.coursedir.root)
        chosen = [a for a in ASSIGNMENTS if not self.assignment or a in self.assignment]
        self.log.info("Exporting grades with per-cell scores to %s", self.to or "grades.csv")
        write_csv(root, Path(self.to or "grades.csv"), chosen, [str(s) for s in self.student])
