"""Running nbgrader on a course and reading its gradebook: helpers for the tests, the benchmarks and
the demo's scripts. Production code never imports this module (tests/architecture/test_imports.py checks it)."""
import os
from pathlib import Path

from nnkit.gradebook.db import open_gradebook
from nnkit.gradebook.tools import nbgrader, with_tools_on_path
from nnkit.kernel.config import COURSE_ROOT


def nbgrader_env() -> dict:
    """The environment for nbgrader: this Python's bin/ first, for the `alembic` and `jupyter` it runs."""
    return with_tools_on_path(dict(os.environ))


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


def usage_of(notebook) -> dict:
    """What a graded notebook's cgroup measured ({} when it had none): peak_memory_bytes,
    memory_limit_bytes, oom_kills, peak_processes, process_limit, forks_refused."""
    from nnkit.judging.review import METADATA_KEY

    usage = notebook.get("metadata", {}).get(METADATA_KEY, {}).get("usage", {})
    return usage if isinstance(usage, dict) else {}
