"""Running nbgrader on the course and reading its gradebook (for the demo and the tests)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from nnkit.gradebook import OWN_GRADEBOOK_MARKER, open_gradebook, with_tools_on_path
from nnkit.mnist import COURSE_ROOT
from nnkit.notebooks import ASSIGNMENTS


def scratch_course(root: Path, own_gradebook: bool = True, copy_kit: bool = False) -> Path:
    """A throwaway course folder that shares the kit's code and sources (links; copies with
    `copy_kit`, for code that may try to change them) but has its own release and submissions,
    and its own embedded gradebook (unless `own_gradebook` is False: a test of a shared gradebook
    server): grading there never touches the real course's state."""
    root.mkdir(parents=True, exist_ok=True)
    if own_gradebook:
        (root / OWN_GRADEBOOK_MARKER).touch()
    for name in ("nnkit", "assignments", "data", "source", "course.toml"):
        if copy_kit and (COURSE_ROOT / name).is_dir():
            shutil.copytree(COURSE_ROOT / name, root / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        elif copy_kit:
            shutil.copy(COURSE_ROOT / name, root / name)
        else:
            (root / name).symlink_to(COURSE_ROOT / name)
    shutil.copy(COURSE_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    return root


def nbgrader_env() -> dict:
    """The environment for nbgrader: this Python's bin/ first, for the `alembic` and `jupyter` it runs."""
    return with_tools_on_path(dict(os.environ))


def nbgrader(*args: str, root: Path = COURSE_ROOT) -> subprocess.CompletedProcess:
    """Run an nbgrader command in a course folder (which holds its nbgrader_config.py)."""
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=nbgrader_env(),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def generate_release(root: Path = COURSE_ROOT) -> None:
    for assignment in ASSIGNMENTS:
        nbgrader("generate_assignment", assignment, "--force", root=root)


def autograde(assignment: str, root: Path = COURSE_ROOT) -> None:
    """Autograde every submission of an assignment, regrading those already graded."""
    nbgrader("autograde", assignment, "--force", root=root)


def scores(root: Path = COURSE_ROOT) -> dict[str, dict[str, tuple[float, float]]]:
    """{student: {assignment: (score, max_score)}} from the course's gradebook."""
    from nbgrader.api import MissingEntry

    table: dict[str, dict[str, tuple[float, float]]] = {}
    with open_gradebook(root) as gradebook:
        for student in gradebook.students:
            for assignment in gradebook.assignments:
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                except MissingEntry:
                    continue
                table.setdefault(student.id, {})[assignment.name] = (submission.score, submission.max_score)
    return table


def cell_scores(assignment: str, student: str, root: Path = COURSE_ROOT) -> dict[str, float]:
    """{grade cell id: points scored} of one student's autograded notebook."""
    with open_gradebook(root) as gradebook:
        notebook = gradebook.find_submission_notebook(assignment, assignment, student)
        return {grade.name: grade.score for grade in notebook.grades}


def format_table(entries: list, assignments: list[str] = ASSIGNMENTS) -> str:
    """The grade table, a row per student, from nnkit.states Submissions. A cell is `score/max`
    followed by the state's mark (? to review, ! not gradable, * not graded yet, - missing); the
    total counts every assignment shown, so every row has the same denominator."""
    from nnkit.states import LEGEND, MARKS, State

    by_student: dict[str, dict[str, object]] = {}
    for entry in entries:
        by_student.setdefault(entry.student, {})[entry.assignment] = entry
    header = ["student", *assignments, "total"]
    rows = [header]
    for student in sorted(by_student):
        got = [by_student[student].get(a) for a in assignments]
        cells = [("-" if e is None or e.state == State.MISSING else
                  (f"{e.score:g}/{e.max_score:g}" if e.score is not None else "") + e.mark) for e in got]
        score = sum(e.score for e in got if e is not None and e.score is not None)
        most = sum(e.max_score for e in got if e is not None)
        rows.append([student, *cells, f"{score:g}/{most:g}"])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    table = "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
                      for row in rows)
    shown = {e.state for e in entries} - {State.GRADED}
    legend = ", ".join(f"{MARKS[state]} {LEGEND[state]}" for state in State if state in shown)
    return table + (f"\n({legend})" if legend else "")


def gradebook_problems(root: Path = COURSE_ROOT) -> list[str]:
    """Inconsistencies in a course's gradebook (none expected): a submitted notebook without a grade
    for each of its graded cells, a score outside [0, max], a student with two submissions of one
    assignment."""
    problems = []
    with open_gradebook(root) as gradebook:
        for assignment in gradebook.assignments:
            students = [s.student.id for s in assignment.submissions]
            problems += [f"{s} has {students.count(s)} submissions of {assignment.name}"
                         for s in set(students) if students.count(s) > 1]
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    cells = {cell.name for cell in notebook.notebook.grade_cells}
                    grades = {grade.name: grade for grade in notebook.grades}
                    if set(grades) != cells:
                        problems.append(f"{submission.student.id}/{assignment.name}: grades for {sorted(grades)}, "
                                        f"cells {sorted(cells)}")
                    for grade in grades.values():
                        if grade.score is not None and not 0 <= grade.score <= grade.max_score:
                            problems.append(f"{submission.student.id}/{assignment.name}/{grade.name}: {grade.score}")
    return problems
