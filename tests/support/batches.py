"""The tests' one way to run the instructor's batch (`python -m nnkit.batch.cli`) on a course, and the
graded courses they share: a course is graded once per run and read by every test that only
reads it; a test that changes a graded course works on its own copy (`copy_course`)."""
import shutil
import subprocess
import sys
from pathlib import Path

from nnkit.authoring.democlass import DEMO_STUDENTS
from nnkit.gradebook.scratch import scratch_course
from nnkit.gradebook.states import class_submissions
from nnkit.kernel.config import COURSE_ROOT
from nnkit.testing import nbgrader_env

# The most a batch of the tests' small classes may take, with a wide margin for a machine that
# other jobs share (no test asserts a time: a batch past it is a kit failure, not slowness).
BATCH_TIMEOUT = 900


def batch_command(root: Path, *args: str) -> list[str]:
    """The command line of a batch on the course in `root`."""
    return [sys.executable, "-m", "nnkit.batch.cli", "--course", str(root), *args]


def run_batch(root: Path, *args: str, env: dict | None = None, check: bool = False, timeout: float = BATCH_TIMEOUT,
              **popen) -> subprocess.CompletedProcess:
    """Run a batch to its end, its output captured; `check`: a non-zero exit fails the test with
    the batch's output."""
    result = subprocess.run(batch_command(root, *args), env=nbgrader_env() if env is None else env,
                            capture_output=True, text=True, timeout=timeout, **popen)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def start_batch(root: Path, *args: str, env: dict | None = None, launch=lambda command: command,
                **popen) -> subprocess.Popen:
    """Start a batch without waiting for it (a test that watches or kills it); output piped
    unless `popen` says otherwise; `launch` wraps its command line (a session keyring of its own)."""
    popen = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True, **popen}
    return subprocess.Popen(launch(batch_command(root, *args)), env=nbgrader_env() if env is None else env, **popen)


def states(root: Path, assignments=("activations",)) -> dict:
    """{(student, assignment): nnkit.gradebook.states' Submission} of a course."""
    return {(e.student, e.assignment): e for e in class_submissions(root, list(assignments))}


def add_submission(root: Path, student: str, assignment: str = "activations", source: str = "correct",
                   name: str | None = None, text: str | None = None) -> Path:
    """A submission in `root`: the demo student `source`'s notebook, or `text` as the file's
    content, saved as `name` (the assignment's notebook name unless given). Returns its folder."""
    folder = root / "submitted" / student / assignment
    folder.mkdir(parents=True)
    if text is not None:
        (folder / (name or f"{assignment}.ipynb")).write_text(text)
    else:
        shutil.copy(COURSE_ROOT / "submitted" / source / assignment / f"{assignment}.ipynb",
                    folder / (name or f"{assignment}.ipynb"))
    return folder


def demo_class(root: Path) -> tuple[Path, subprocess.CompletedProcess]:
    """The demo class (every demo student, every assignment) in a scratch course, graded by one
    batch run as `make demo` grades it (from the course folder, so that the paths it prints are
    the demo's): the course and the batch's result."""
    scratch_course(root)
    for student in DEMO_STUDENTS:
        shutil.copytree(COURSE_ROOT / "submitted" / student, root / "submitted" / student)
    return root, run_batch(root, check=True, cwd=root)


def copy_course(root: Path, target: Path) -> Path:
    """A copy of a graded scratch course, for a test that changes it (its links to the kit stay links)."""
    shutil.copytree(root, target, symlinks=True)
    return target


def submit(root: Path, student: str, text: str = "{}", assignment: str = "activations") -> Path:
    """A submission of one notebook whose text is `text`, in a course's submitted/."""
    folder = root / "submitted" / student / assignment
    folder.mkdir(parents=True)
    (folder / f"{assignment}.ipynb").write_text(text)
    return folder

