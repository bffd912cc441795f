"""`nbgrader export` for this course: one CSV row per student and assignment, with the score of
every hidden-test cell. Registered as ExportApp.plugin_class in nbgrader_config.py.

Columns: student_id, assignment, timestamp, score, max_score, status (graded / missing /
"not gradable: <reason>" from the last batch run's autograded/batch.json), then one column per
graded cell (`test_<case>`), empty for the cells of other assignments.
"""
import csv
import json
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin

FIXED = ["student_id", "assignment", "timestamp", "score", "max_score", "status"]


def cell_columns(gradebook: Gradebook, assignments: list) -> list[str]:
    return [cell.name for a in assignments for notebook in a.notebooks for cell in notebook.grade_cells]


def batch_failures(root: Path) -> dict[tuple[str, str], str]:
    """{(student, assignment): reason} of the submissions the last batch run could not grade."""
    log = root / "autograded" / "batch.json"
    failures = json.loads(log.read_text())["failures"] if log.is_file() else []
    return {(f["student"], f["assignment"]): f["reason"] for f in failures}


def rows(gradebook: Gradebook, students: list[str] = (), assignments: list[str] = (),
         failures: dict = {}) -> list[dict]:
    chosen = [a for a in gradebook.assignments if not assignments or a.name in assignments]
    result = []
    for assignment in chosen:
        for student in gradebook.students:
            if students and student.id not in students:
                continue
            row = {"student_id": student.id, "assignment": assignment.name, "max_score": assignment.max_score}
            try:
                submission = gradebook.find_submission(assignment.name, student.id)
            except MissingEntry:
                row.update(timestamp="", score=0.0, status="missing")
            else:
                reason = failures.get((student.id, assignment.name))
                status = f"not gradable: {reason}" if reason else "graded"
                row.update(timestamp=submission.timestamp or "", score=submission.score, status=status)
                for notebook in submission.notebooks:
                    row.update({grade.name: grade.score for grade in notebook.grades})
            result.append(row)
    return result


class CellScoresCsv(ExportPlugin):
    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or "grades.csv"
        assignments = [a for a in gradebook.assignments if not self.assignment or a.name in self.assignment]
        columns = FIXED + cell_columns(gradebook, assignments)
        self.log.info("Exporting grades with per-cell scores to %s", dest)
        with open(dest, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=columns, restval="")
            writer.writeheader()
            writer.writerows(rows(gradebook, [str(s) for s in self.student], [str(a) for a in self.assignment],
                                  batch_failures(Path(self.parent.coursedir.root))))
