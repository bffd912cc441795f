"""One model of a submission's state, defined here and used by the batch's table, grades.csv, the
report and the self-check:

- graded: graded, nothing calls for a look;
- review: graded, but something calls for the instructor's look (`reasons`): an answer the
  integrity scan flagged, a kernel that died or was killed, a cell cut off at a limit, output
  dropped at the cap, a check the kit could not judge, grading without the sandbox;
- not gradable: nbgrader could not grade it (`reasons`: why), so it has no grades;
- ungraded: submitted, not graded yet (or changed since it was graded);
- missing: nothing submitted (a gradebook row left from an earlier submission is not a grade).

The facts come as data, never as text to parse: what is in submitted/, the batch's outcome of
each submission (outcomes/<assignment>/<student>.json, with a digest of what it graded), the
review items the grader wrote into each graded notebook's metadata (nnkit.judging.step), and the
scores in the gradebook.

Each reason is a `Review` of a `Kind`: a new reason is a new Kind here and the one module that
finds it; the table, grades.csv, the report and the self-check take it from `to_review`.
"""
import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from nnkit.collect import paths
from nnkit.collect.files import walk
from nnkit.sandbox.places import course_state

METADATA_KEY = "nnkit"  # in a graded notebook's metadata: what the grader decided
RESOURCES_KEY = "nnkit_events"  # in nbconvert's resources: what happened while the notebook ran
USAGE_KEY = "nnkit_usage"  # in nbconvert's resources, then as `usage` in the metadata: what its cgroup measured


class State(str, Enum):
    GRADED = "graded"
    REVIEW = "review"
    NOT_GRADABLE = "not gradable"
    UNGRADED = "ungraded"
    MISSING = "missing"


MARKS = {State.GRADED: "", State.REVIEW: "?", State.NOT_GRADABLE: "!", State.UNGRADED: "*", State.MISSING: "-"}
LEGEND = {State.REVIEW: "graded, to review", State.NOT_GRADABLE: "not gradable (no grades)",
          State.UNGRADED: "submitted, not graded yet", State.MISSING: "nothing submitted"}


class Kind(str, Enum):
    """What a reason is about. Of a graded notebook (written by the grader into its metadata):
    FLAG (the integrity scan), TIMEOUT, KERNEL_DIED, OUTPUT (dropped at the cap), JUDGE (the kit
    could not judge a check), NO_SANDBOX, BUDGET (the notebook went over its time budget and was
    stopped), MEMORY (a process killed at the submission's memory limit). Of the submission's state: NOT_GRADABLE (why nbgrader
    could not grade it), CHANGED (since it was graded), UNREADABLE (its graded copy),
    MANUAL_GRADES_KEPT (of a submission no longer in submitted/)."""
    FLAG = "flag"
    TIMEOUT = "timeout"
    KERNEL_DIED = "kernel_died"
    OUTPUT = "output"
    JUDGE = "judge"
    NO_SANDBOX = "no_sandbox"
    BUDGET = "budget"
    MEMORY = "memory"
    NOT_GRADABLE = "not_gradable"
    CHANGED = "changed"
    UNREADABLE = "unreadable"
    MANUAL_GRADES_KEPT = "manual_grades_kept"


@dataclass(frozen=True)
class Review:
    """One reason for the instructor to look at a submission: its kind (a `Kind`'s value; a kind
    this kit does not know, e.g. from a newer kit's graded notebook, is kept as it is), the grade id
    or position of the cell concerned, and the detail in words."""
    kind: str
    cell: str | None
    detail: str

    def __post_init__(self):
        if isinstance(self.kind, Kind):  # made with a Kind: kept as its value, as it is written and read back
            object.__setattr__(self, "kind", self.kind.value)

    def as_data(self) -> dict:
        return {"kind": self.kind, "cell": self.cell, "detail": self.detail}

    def text(self) -> str:
        return f"{self.cell}: {self.detail}" if self.cell else self.detail


def add_event(resources: dict, event: Review) -> None:
    resources.setdefault(RESOURCES_KEY, []).append(event)


def events_of(resources: dict) -> list[Review]:
    return list(resources.get(RESOURCES_KEY, []))


def usage_of(notebook) -> dict:
    """What the submission's cgroup measured ({} when it had none): peak_memory_bytes, memory_limit_bytes,
    oom_kills, peak_processes, process_limit, forks_refused (at its process limit)."""
    usage = notebook.get("metadata", {}).get(METADATA_KEY, {}).get("usage", {})
    return usage if isinstance(usage, dict) else {}


def review_of(notebook) -> list[Review]:
    """The review items a graded notebook's metadata holds (written by the grader only)."""
    items = notebook.get("metadata", {}).get(METADATA_KEY, {}).get("review", [])
    return [Review(str(i.get("kind")), i.get("cell"), str(i.get("detail"))) for i in items if isinstance(i, dict)]


@dataclass
class Submission:
    student: str
    assignment: str
    state: State
    score: float | None = None  # None when it has no grades
    max_score: float = 0.0
    reviews: list[Review] = field(default_factory=list)  # why it is in its state, as data
    cells: dict[str, float] = field(default_factory=dict)  # hidden-test cell: score (the 0-point checks left out)
    timestamp: str = ""  # when it was submitted, as nbgrader recorded it

    @property
    def mark(self) -> str:
        return MARKS[self.state]

    @property
    def reasons(self) -> list[str]:
        """The reasons in words, as the table, grades.csv and the report show them."""
        return [item.text() for item in self.reviews]

    @property
    def status(self) -> str:
        """The state in one line, as grades.csv writes it."""
        return self.state.value + (f": {'; '.join(self.reasons)}" if self.reasons else "")


# --- outcomes: what the batch found when it graded a submission ------------------------------------

def submission_digest(folder: Path) -> str:
    """A digest of a submission's files (names and bytes): whether it changed since it was graded,
    without trusting any clock. Files are read in blocks (a large file costs no memory), and a
    symbolic link is hashed as the link it is, never followed, anything else (a pipe, a device) by
    its name: a submission cannot make the grader read a file outside it, or a pipe that never ends
    (nnkit.collect.files)."""
    h = hashlib.sha256()
    for path in entries(folder):
        h.update(str(path.relative_to(folder)).encode() + b"\0")
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            h.update(b"link\0" + os.fsencode(os.readlink(path)))
        elif stat.S_ISREG(mode):
            with open(path, "rb") as f:
                h.update(hashlib.file_digest(f, "sha256").digest())
    return h.hexdigest()


def entries(folder: Path) -> list[Path]:
    """Every entry under a folder but its folders (regular files, links, pipes...) and the folders
    too deep to enter (counted by their name: nnkit.collect.files.walk), sorted, without entering a linked
    folder or recursing."""
    return sorted(path for _, path, mode, deep in walk(folder) if deep or not stat.S_ISDIR(mode))


def outcome_path(root: Path, student: str, assignment: str) -> Path:
    return course_state(root) / assignment / f"{student}.json"


def write_outcome(root: Path, student: str, assignment: str, digest: str, gradable: bool, reason: str = "",
                  cause: str = "") -> None:
    """What the batch found, with the failure's cause as data (nnkit.execution.autograde: the student's or not)."""
    path = outcome_path(root, student, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps({"submission": digest, "gradable": gradable, "reason": reason, "cause": cause}))
    temporary.replace(path)


def read_outcome(root: Path, student: str, assignment: str) -> dict | None:
    path = outcome_path(root, student, assignment)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def submitted_digest(root: Path, student: str, assignment: str) -> str:
    """The digest of what a student submitted ('' when nothing is)."""
    folder = paths.submitted(root, student, assignment)
    return submission_digest(folder) if folder.is_dir() else ""


def state_of(root: Path, student: str, assignment: str) -> tuple[State, list[Review]]:
    """The state of one submission (without its scores) and the reasons that go with it."""
    folder = paths.submitted(root, student, assignment)
    if not folder.is_dir():
        return State.MISSING, []
    outcome = read_outcome(root, student, assignment)
    current = outcome is not None and outcome.get("submission") == submission_digest(folder)
    if outcome is not None and not current:
        return State.UNGRADED, [Review(Kind.CHANGED, None, "changed since it was last graded")]
    if current and not outcome.get("gradable"):
        return State.NOT_GRADABLE, [Review(Kind.NOT_GRADABLE, None, str(outcome.get("reason") or "nbgrader could not grade it"))]
    graded = paths.graded_notebook(root, student, assignment)
    if not graded.is_file():
        return State.UNGRADED, []
    try:
        items = review_of(json.loads(graded.read_text()))
    except (OSError, ValueError):
        return State.UNGRADED, [Review(Kind.UNREADABLE, None, "its graded copy cannot be read")]
    return (State.REVIEW if items else State.GRADED), items


def class_submissions(root: Path, assignments: list[str]) -> list[Submission]:
    """Every student's submission of every assignment, in course order: the students of submitted/
    and of the gradebook, with their state, score and reasons."""
    from nbgrader.api import MissingEntry

    from nnkit.gradebook.db import carries_points, open_gradebook

    found = []
    with open_gradebook(root) as gradebook:
        known = {a.name: a for a in gradebook.assignments}
        students = {s.id for s in gradebook.students} | set(paths.students(root))
        for student in sorted(students):
            for assignment in assignments:
                state, reviews = state_of(root, student, assignment)
                entry = Submission(student, assignment, state, max_score=known[assignment].max_score
                                   if assignment in known else 0.0, reviews=reviews)
                try:
                    row = gradebook.find_submission(assignment, student)
                except MissingEntry:
                    row = None
                if row is not None and state in (State.GRADED, State.REVIEW):
                    entry.score, entry.timestamp = row.score, str(row.timestamp or "")
                    entry.cells = {g.name: g.score for nb in row.notebooks for g in nb.grades if carries_points(g.max_score)}
                elif row is not None and state == State.MISSING and any(
                        g.manual_score is not None for nb in row.notebooks for g in nb.grades):
                    entry.reviews.append(Review(Kind.MANUAL_GRADES_KEPT, None,
                                                "no longer in submitted/, but the gradebook keeps manual grades of it"))
                found.append(entry)
    return found


# --- the review list: the one rule the table, the report and the self-check follow --------------

# What each group of the review list is, in the order shown.
REVIEW_HEADINGS = {
    State.NOT_GRADABLE: "could not be graded (marked !, no grades)",
    State.REVIEW: "graded, to review (marked ?)",
    State.MISSING: "no longer in submitted/, but the gradebook keeps their grades (marked -)",
}


def to_review(entries: list[Submission]) -> dict[State, list[Submission]]:
    """The submissions an instructor should look at, by state (in REVIEW_HEADINGS' order; each
    submission once): every one that could not be graded, every graded one with reasons, and a
    missing one whose manual grades the gradebook keeps. A submission not graded yet is not in it."""
    return {state: chosen for state in REVIEW_HEADINGS
            if (chosen := [e for e in entries if e.state == state and e.reviews])}
