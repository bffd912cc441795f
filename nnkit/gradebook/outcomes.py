"""A submission's outcome: one type, `Outcome`, written by one function, `write`, to
outcomes/<assignment>/<student>.json, with the digest of the submitted files it graded (hashed once,
before grading: `submitted_digest`), so the states can tell a submission changed since.
"""
import hashlib
import json
import os
import stat
from dataclasses import asdict, dataclass
from pathlib import Path

from nnkit.collect import paths
from nnkit.collect.nofollow import walk
from nnkit.kernel import limits
from nnkit.sandbox.state_folders import course_state

# The causes of a failure that are the student's notebook: what `precheck` finds, and nbgrader's
# refusal of the notebook's metadata (a grade id changed, cells duplicated). A hostile notebook
# reaches the grader's process only as data, so any other cause is never the student's: the kit's
# or the machine's (KIT_CAUSES says what the known ones mean). Such a submission is graded once
# more, and the batch exits with exits.KIT_FAILURE if it still fails.
STUDENT_CAUSES = frozenset(
    {
        "missing",
        "empty",
        "renamed",
        "special_file",
        "watchdog",
        "empty_file",
        "not_json",
        "not_notebook",
        "too_many_files",
        "too_large",
        "long_path",
        "notebook_too_large",
        "jsonschema.exceptions.ValidationError",
        "nbgrader.nbgraderformat.common.SchemaTooOldError",
        "nbgrader.nbgraderformat.common.SchemaTooNewError",
    }
)
KIT_CAUSES = {
    "sqlalchemy.exc.OperationalError": "the gradebook is locked, missing or cannot be written",
    "nnkit.sandbox.bwrap.SandboxUnavailable": "no kernel could start in its sandbox",
    "nnkit.execution.execute.KernelNotStarted": "no kernel answered, after every attempt to start one",
    "PermissionError": "the grader was refused a permission",
    "worker crashed": "the grading process died",
    "interrupted": "its grading was cut off (the batch was stopped: cancelled, out of time)",
}


@dataclass
class Outcome:
    student: str
    assignment: str
    gradable: bool
    reason: str = ""  # why not, in words for the instructor
    cause: str = ""  # the failure as data: a pre-check code or an exception's qualified type
    seconds: float = 0.0
    submission: str = ""  # the digest of what was graded (submitted_digest), taken before grading began

    @property
    def kit_failure(self) -> bool:
        """Not graded, for a reason that is not the student's."""
        return not self.gradable and self.cause not in STUDENT_CAUSES

    def as_dict(self) -> dict:
        return asdict(self)


# What an outcome's file holds (the student and the assignment are its path; the seconds are the batch's).
FILED = ("submission", "gradable", "reason", "cause")


EMPTY_FILE = hashlib.sha256(b"").digest()


def submission_digest(folder: Path) -> str:
    """A digest of a submission's files (names and bytes): whether it changed since it was graded,
    without trusting any clock. Files are read in blocks (a large file costs no memory), and a
    symbolic link is hashed as the link it is, never followed, anything else (a pipe, a device) by
    its name: a submission cannot make the grader read a file outside it, or a pipe that never ends
    (nnkit.collect.nofollow). Every entry is reached from its folder's descriptor (any name, any length
    of path), and past limits.SUBMISSION_BYTES or limits.SUBMISSION_FILES a file is hashed by its
    size and time, unopened: a submission too large to grade costs no reading of it."""
    h, read = hashlib.sha256(), 0
    if Path(folder).is_symlink():  # the submission folder itself replaced by a link: its text, never followed
        h.update(b"link\0" + os.readlink(os.fsencode(folder)))
        return h.hexdigest()
    for number, found in enumerate(walk(folder)):
        mode = found.status.st_mode
        if stat.S_ISDIR(mode) and not found.deep:
            continue
        h.update(os.fsencode(found.relative) + b"\0")  # the entries in the order of their sorted paths
        if stat.S_ISLNK(mode):
            h.update(b"link\0" + os.readlink(os.fsencode(found.name), dir_fd=found.dir_fd))
        elif stat.S_ISREG(mode):
            read += found.status.st_size
            if read > limits.SUBMISSION_BYTES or number >= limits.SUBMISSION_FILES:
                h.update(f"unread {found.status.st_size} {found.status.st_mtime_ns}".encode())
                continue
            if found.status.st_size == 0:
                h.update(EMPTY_FILE)
                continue
            fd = os.open(found.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=found.dir_fd)
            with open(fd, "rb") as f:
                h.update(hashlib.file_digest(f, "sha256").digest())
    return h.hexdigest()


def outcome_path(root: Path, student: str, assignment: str) -> Path:
    return course_state(root) / assignment / f"{student}.json"


def write(root: Path, outcome: Outcome) -> None:
    """The one writer of outcomes/<assignment>/<student>.json: what grading found, with the digest of
    what it graded and the failure's cause as data (the student's or not)."""
    path = outcome_path(root, outcome.student, outcome.assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps({key: value for key, value in asdict(outcome).items() if key in FILED}))
    temporary.replace(path)


def read(root: Path, student: str, assignment: str) -> Outcome | None:
    """The outcome on file (None: none, or unreadable); one written before causes were kept has cause ''."""
    try:
        data = json.loads(outcome_path(root, student, assignment).read_text())
        return Outcome(student, assignment, bool(data["gradable"]), str(data.get("reason") or ""),
                       str(data.get("cause") or ""), submission=str(data.get("submission") or ""))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def submitted_digest(root: Path, student: str, assignment: str) -> str:
    """The digest of what a student submitted ('' when nothing is)."""
    folder = paths.submitted(root, student, assignment)
    return submission_digest(folder) if folder.is_dir() else ""
