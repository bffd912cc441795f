"""Running nbgrader on the course and reading its gradebook (for the demo and the tests)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from nnkit.gradebook import open_gradebook
from nnkit.mnist import COURSE_ROOT
from nnkit.notebooks import ASSIGNMENTS


def scratch_course(root: Path) -> Path:
    """A throwaway course folder that shares the kit's code and sources (links) but has its own
    gradebook, release and submissions: grading there never touches the real course's state."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("nnkit", "solutions", "data", "source"):
        (root / name).symlink_to(COURSE_ROOT / name)
    shutil.copy(COURSE_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    return root


def nbgrader_env() -> dict:
    """The environment for nbgrader: this Python's bin/ first, for the `alembic` and `jupyter` it runs."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


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


def format_table(table: dict[str, dict[str, tuple[float, float]]], failed: set = frozenset()) -> str:
    """The grade table; a submission in `failed` ((student, assignment) pairs) is marked `!`."""
    header = ["student", *ASSIGNMENTS, "total"]
    rows = [header]
    for student in sorted(table):
        got = [table[student].get(a) for a in ASSIGNMENTS]
        cells = [(f"{g[0]:g}/{g[1]:g}" if g else "-") + ("!" if (student, a) in failed else "")
                 for a, g in zip(ASSIGNMENTS, got)]
        score = sum(g[0] for g in got if g)
        most = sum(g[1] for g in got if g)
        rows.append([student, *cells, f"{score:g}/{most:g}"])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
                     for row in rows)


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
