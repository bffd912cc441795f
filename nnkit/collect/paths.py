"""Where a course keeps each submission's files: nbgrader's own `CourseDirectory.format_path`,
configured by the course's nbgrader_config.py, is the one place that builds them, so a course that
renames a step's folder or changes nbgrader's `directory_structure` is followed everywhere (the
batch, its workers, the states, the self-check and the autograder's pre-check).
"""
import os
import sys
from functools import cache
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import Config, PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"
REPORT_FILE = "report.html"


def course_config(root: Path) -> Config:
    """The course's nbgrader_config.py, and nothing else: no config from the grader's home."""
    return PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()


def course_settings(root: Path) -> Config:
    """The course's config, or nbgrader's defaults (an empty Config) when it has no nbgrader_config.py.

    Read without a trace: the config is Python, and a course's sets PYTHONPATH and sys.path for the
    processes that grade it (its unsandboxed kernels import the kit from there). A process that only
    reads a course's settings (the batch, the report, a test reading many courses) must not pass
    that course's folder on to every process it starts later: one folder holding a sitecustomize.py
    would then run in all of them."""
    if not (Path(root) / CONFIG_FILE).is_file():
        return Config()
    environ, path = dict(os.environ), list(sys.path)
    try:
        return course_config(root)
    finally:
        if dict(os.environ) != environ:
            os.environ.clear()
            os.environ.update(environ)
        sys.path[:] = path


@cache
def course_directory(root: Path) -> CourseDirectory:
    """nbgrader's CourseDirectory of the course in `root` (read once per process)."""
    root = Path(root)
    return CourseDirectory(config=course_settings(root), root=str(root))


def folder(root: Path, step: str, student: str, assignment: str) -> Path:
    """The folder of one student's assignment at one step ("source", "submitted", "autograded", "feedback")."""
    directory = course_directory(Path(root))
    return Path(directory.format_path(getattr(directory, f"{step}_directory"), student, assignment))


def source(root: Path, assignment: str) -> Path:
    """The instructor's version of an assignment (nbgrader's student id "." for source/ and release/)."""
    return folder(root, "source", ".", assignment)


def submitted(root: Path, student: str, assignment: str) -> Path:
    return folder(root, "submitted", student, assignment)


def autograded(root: Path, student: str, assignment: str) -> Path:
    return folder(root, "autograded", student, assignment)


def graded_notebook(root: Path, student: str, assignment: str) -> Path:
    """The autograded copy of an assignment's notebook (one notebook per assignment, named after it)."""
    return autograded(root, student, assignment) / f"{assignment}.ipynb"


def submitted_notebook(root: Path, student: str, assignment: str) -> Path:
    return submitted(root, student, assignment) / f"{assignment}.ipynb"


def step_root(root: Path, step: str) -> Path:
    """The course's folder of one step ("submitted", "autograded", ...), as its config names it."""
    directory = course_directory(Path(root))
    return Path(directory.root) / getattr(directory, f"{step}_directory")


def report(root: Path) -> Path:
    """The instructor's grading report (nnkit.views.report), beside the autograded submissions."""
    return step_root(root, "autograded") / REPORT_FILE


def students(root: Path) -> list[str]:
    """The students with a folder in the course's submitted/ (whatever they submitted)."""
    top = step_root(root, "submitted")
    return sorted(entry.name for entry in os.scandir(top) if entry.is_dir()) if top.is_dir() else []
