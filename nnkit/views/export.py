"""grades.csv for this course: one row per student and assignment, with the score of every
hidden-test cell. `nnkit export` and the batch call `write_csv`; `nbgrader export` writes it
through the plugin registered as ExportApp.plugin_class in nbgrader_config.py.

Columns: student_id, assignment, timestamp, score, max_score, status (the submission's state,
nnkit.gradebook.states: graded / review: <reasons> / not gradable: <reason> / ungraded / missing), then one
column per graded cell (`test_<case>`), empty for the cells of other assignments. A submission
without grades (missing, not gradable, not graded yet) has an empty score, never a graded zero.
A cell a student controls (the id, the status) is escaped and never starts a formula (`as_text`).
"""
import csv
from pathlib import Path

from nbgrader.plugins import ExportPlugin

from nnkit import exits
from nnkit.collect import paths
from nnkit.collect.escape import escaped
from nnkit.gradebook.states import class_submissions
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ROOT

FIXED = ["student_id", "assignment", "timestamp", "score", "max_score", "status"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP's CSV injection list


def as_text(value: str) -> str:
    """A cell a student controls (the student id, the status with its reasons), shown as text by any
    spreadsheet: escaped (nnkit.collect.escape), and prefixed with a quote when it begins with = + - @
    a tab or a carriage return, as OWASP's CSV injection guidance says. The scores are the kit's own
    numbers, left as they are."""
    value = escaped(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


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
        row = {"student_id": as_text(entry.student), "assignment": entry.assignment, "timestamp": entry.timestamp,
               "score": "" if entry.score is None else entry.score, "max_score": entry.max_score,
               "status": as_text(entry.status)}
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
        self.log.info("Exporting grades with per-cell scores to %s", self.to or paths.GRADES_FILE)
        write_csv(root, Path(self.to or paths.GRADES_FILE), chosen, [str(s) for s in self.student])


def main(argv=None) -> int:
    """nnkit export [--course DIR]: grades.csv rewritten from the gradebook; prints its path."""
    parser = exits.command_parser("nnkit export", "Rewrite grades.csv from the gradebook (a column per hidden test); "
                                  "print its path.", ok="written",
                                  kit_failure="the gradebook cannot be read, or the file not written")
    parser.add_argument("--course", type=Path, default=COURSE_ROOT, help="the course folder (default: this kit's)")
    root = parser.parse_args(argv).course.resolve()
    print(write_csv(root, paths.grades(root)))
    return exits.OK
