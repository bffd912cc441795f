"""Grading one submission through nbgrader's Python API, with every cause of failure kept as data.

NbGraderAPI.autograde returns only nbgrader's closing message and finds the submission by glob
(a student id with `[`, `*` or `?` names other folders). Here `precheck` refuses, with a reason a
student can act on, a submission without its notebook, an empty or non-notebook file, or anything
but regular files and folders (nnkit.collect.nofollow); `SubmissionAutograde` grades exactly the
given folder and keeps the exception that stopped it (`failure`); `CourseAPI.autograde` runs it as
NbGraderAPI does and returns a gradebook.outcomes.Outcome.
"""
import os
import time
import traceback
from pathlib import Path

import nbformat
from nbgrader.apps.api import NbGraderAPI
from nbgrader.converters import Autograde, GenerateAssignment
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import capture_log, temp_attrs

from nnkit.collect import paths
from nnkit.collect.escape import escaped, shortened
from nnkit.collect.nofollow import survey
from nnkit.collect.paths import course_config
from nnkit.gradebook.outcomes import KIT_CAUSES, Outcome
from nnkit.kernel import limits


def precheck(folder: Path, notebooks: list[str]) -> tuple[str, str] | None:
    """(cause, reason) when the submission in `folder` cannot be graded as it is, else None; every
    limit on its files (nnkit.kernel.limits) checked by one walk that reads none of them, every name
    in the reason escaped (nnkit.collect.escape)."""
    if folder.is_symlink():
        return "special_file", "the submission folder is a symbolic link"
    if not folder.is_dir():
        return "missing", "no submission folder"
    held = survey(folder)
    if held.entries > limits.SUBMISSION_FILES:
        return "too_many_files", (f"more than {limits.SUBMISSION_FILES} files and folders in the submission: "
                                  "hand in the notebook and the few files it needs")
    if held.special:  # never followed or opened, here or later (nnkit.collect.nofollow)
        return "special_file", "; ".join(f"{escaped(name)} is {what}" for name, what in held.special) + \
            ": a submission holds only regular files and folders"
    if held.long_paths:
        return "long_path", (f"{shortened(held.long_paths[0])} is a path longer than {limits.PATH_BYTES} bytes: "
                             "shorten its folders' names")
    if held.bytes > limits.SUBMISSION_BYTES:
        return "too_large", (f"the submission's files hold {held.bytes:,} bytes, more than the "
                             f"{limits.SUBMISSION_BYTES:,} allowed: hand in the notebook without its data")
    found = sorted(p.name for p in folder.iterdir() if p.suffix == ".ipynb" and p.is_file())
    for notebook in notebooks:
        expected = f"{notebook}.ipynb"
        if expected not in found:
            others = [name for name in found if name not in {f"{n}.ipynb" for n in notebooks}]
            if others:
                return "renamed", (f"no {expected} in the submission (found {', '.join(map(escaped, others))}): "
                                   f"rename it to {expected}")
            return "empty", f"the submission holds no notebook (expected {expected})"
        path = folder / expected
        if path.stat().st_size == 0:
            return "empty_file", f"{expected} is not a notebook (empty file)"
        if path.stat().st_size > limits.NOTEBOOK_BYTES:
            return "notebook_too_large", (f"{expected} holds {path.stat().st_size:,} bytes, more than the "
                                          f"{limits.NOTEBOOK_BYTES:,} allowed: clear its outputs and save it again")
        try:
            nbformat.read(str(path), as_version=4)
        except nbformat.reader.NotJSONError:
            return "not_json", f"{expected} is not a notebook (not JSON)"
        except Exception as error:  # nbformat's validation and reader errors
            message = escaped(str(error)[:200])
            return "not_notebook", f"{expected} is not a readable notebook ({type(error).__name__}: {message})"
    return None


def qualified_name(error: BaseException) -> str:
    kind = type(error)
    return f"{kind.__module__}.{kind.__qualname__}" if kind.__module__ != "builtins" else kind.__qualname__


def cause_of(error: BaseException) -> str:
    """The failure's cause as data: the first known cause of KIT_CAUSES in its chain (nbgrader
    re-raises a locked gradebook's OperationalError as its own InvalidEntry), else its own type."""
    seen, link = set(), error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        if qualified_name(link) in KIT_CAUSES:
            return qualified_name(link)
        link = link.__cause__ or link.__context__
    return qualified_name(error)


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return escaped(text.splitlines()[0][:300]) if text else type(error).__name__


class SubmissionAutograde(Autograde):
    """nbgrader's autograde of the one submission named by coursedir's student and assignment ids,
    found by path (not glob), keeping the exception that stopped it in `failure`."""
    failure: BaseException | None = None

    def init_notebooks(self) -> None:
        folder = Path(self._format_source(self.coursedir.assignment_id, self.coursedir.student_id))
        found = sorted(str(p) for p in folder.glob("*.ipynb")) if folder.is_dir() else []
        self.assignments = {str(folder): found} if found else {}
        self.notebooks = []
        if not found:
            super().init_notebooks()  # nbgrader's own error for a submission with no notebook

    def init_assignment(self, assignment_id: str, student_id: str) -> None:
        try:
            super().init_assignment(assignment_id, student_id)
        except BaseException as error:
            self.failure = self.failure or error
            raise

    def convert_single_notebook(self, notebook_filename: str) -> None:
        try:
            super().convert_single_notebook(notebook_filename)
        except BaseException as error:
            self.failure = self.failure or error
            raise


class CourseAPI(NbGraderAPI):
    """nbgrader's API for the course in `root`, configured by the course's config file alone."""

    def __init__(self, root: Path):
        config = course_config(root)
        super().__init__(CourseDirectory(config=config, root=str(root)), config=config)
        self.root = Path(root)

    def notebooks(self, assignment: str) -> list[str]:
        from nnkit.gradebook.db import open_gradebook

        with open_gradebook(self.root) as gradebook:
            return sorted(n.name for n in gradebook.find_assignment(assignment).notebooks)

    def autograde(self, assignment_id: str, student_id: str, force: bool = True, create: bool = True) -> Outcome:
        start = time.perf_counter()
        try:
            cause, reason = self.grade(assignment_id, student_id, force, create)
        except Exception as error:  # e.g. the gradebook locked before nbgrader even started
            self.log.error("%s", "".join(traceback.format_exception(error)))
            cause, reason = cause_of(error), f"{type(error).__name__}: {first_line(error)}"
        return Outcome(student_id, assignment_id, not cause, reason, cause, time.perf_counter() - start)

    def grade(self, assignment_id: str, student_id: str, force: bool, create: bool) -> tuple[str, str]:
        """('', '') when graded, else (cause, reason)."""
        problem = precheck(paths.submitted(self.root, student_id, assignment_id), self.notebooks(assignment_id))
        if problem:
            return problem
        with temp_attrs(self.coursedir, assignment_id=assignment_id, student_id=student_id):
            app = SubmissionAutograde(coursedir=self.coursedir, parent=self)
            app.force, app.create_student = force, create
            result = capture_log(app)
        if result["success"]:
            return "", ""
        error = app.failure
        if error is None:  # nbgrader stopped on its own (its message is the reason)
            last = [line for line in result.get("error", "").strip().splitlines() if line.strip()]
            return "nbgrader", escaped((last or ["nbgrader stopped"])[-1][:300])
        self.log.error("%s", "".join(traceback.format_exception(error)))
        return cause_of(error), f"{type(error).__name__}: {first_line(error)}"

    def enter_assignment(self, assignment: str) -> None:
        """Enter an assignment, its notebooks and grade cells in the gradebook from source/, whatever
        state release/ is in: nbgrader's generate_assignment with --force into a scratch release
        folder, so that release/ (and a learner's work there) is never touched."""
        import tempfile

        with tempfile.TemporaryDirectory(prefix="nnkit-release-") as scratch:
            with temp_attrs(
                self.coursedir, assignment_id=assignment, release_directory=os.path.join(scratch, "release")
            ):
                app = GenerateAssignment(coursedir=self.coursedir, parent=self)
                app.force, app.create_assignment = True, True
                result = capture_log(app)
        if not result["success"]:
            raise RuntimeError(f"nbgrader could not enter {assignment} in the gradebook:\n{result.get('error', '')}")
