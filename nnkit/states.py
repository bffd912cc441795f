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
review items the grader wrote into each graded notebook's metadata (nnkit.preprocessor), and the
scores in the gradebook.
"""
import hashlib
import json
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

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


@dataclass(frozen=True)
class Review:
    """One reason for the instructor to look at a graded submission.

    kind: flag (the integrity scan), timeout, kernel_died, output (dropped at the cap), judge (the
    kit could not judge a check), no_sandbox, budget (the notebook went over its time budget and was
    stopped), memory (a process killed at the submission's memory limit); cell: the grade id or
    position of the cell concerned."""
    kind: str
    cell: str | None
    detail: str

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
    reasons: list[str] = field(default_factory=list)
    cells: dict[str, float] = field(default_factory=dict)  # hidden-test cell: score (the 0-point checks left out)
    timestamp: str = ""  # when it was submitted, as nbgrader recorded it

    @property
    def mark(self) -> str:
        return MARKS[self.state]

    @property
    def status(self) -> str:
        """The state in one line, as grades.csv writes it."""
        return self.state.value + (f": {'; '.join(self.reasons)}" if self.reasons else "")


# --- outcomes: what the batch found when it graded a submission ------------------------------------

def submission_digest(folder: Path) -> str:
    """A digest of a submission's files (names and bytes): whether it changed since it was graded,
    without trusting any clock."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def outcome_path(root: Path, student: str, assignment: str) -> Path:
    return root / "outcomes" / assignment / f"{student}.json"


def write_outcome(root: Path, student: str, assignment: str, digest: str, gradable: bool, reason: str = "") -> None:
    path = outcome_path(root, student, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps({"submission": digest, "gradable": gradable, "reason": reason}))
    temporary.replace(path)


def read_outcome(root: Path, student: str, assignment: str) -> dict | None:
    path = outcome_path(root, student, assignment)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def graded_notebook(root: Path, student: str, assignment: str) -> Path:
    return root / "autograded" / student / assignment / f"{assignment}.ipynb"


def state_of(root: Path, student: str, assignment: str) -> tuple[State, list[str]]:
    """The state of one submission (without its scores) and the reasons that go with it."""
    folder = root / "submitted" / student / assignment
    if not folder.is_dir():
        return State.MISSING, []
    outcome = read_outcome(root, student, assignment)
    current = outcome is not None and outcome.get("submission") == submission_digest(folder)
    if outcome is not None and not current:
        return State.UNGRADED, ["changed since it was last graded"]
    if current and not outcome.get("gradable"):
        return State.NOT_GRADABLE, [str(outcome.get("reason") or "nbgrader could not grade it")]
    graded = graded_notebook(root, student, assignment)
    if not graded.is_file():
        return State.UNGRADED, []
    try:
        items = review_of(json.loads(graded.read_text()))
    except (OSError, ValueError):
        return State.UNGRADED, ["its graded copy cannot be read"]
    return (State.REVIEW if items else State.GRADED), [item.text() for item in items]


def class_submissions(root: Path, assignments: list[str]) -> list[Submission]:
    """Every student's submission of every assignment, in course order: the students of submitted/
    and of the gradebook, with their state, score and reasons."""
    from nbgrader.api import MissingEntry

    from nnkit.gradebook import open_gradebook

    found = []
    with open_gradebook(root) as gradebook:
        known = {a.name: a for a in gradebook.assignments}
        students = {s.id for s in gradebook.students}
        students |= {p.name for p in (root / "submitted").glob("*") if p.is_dir()} if (root / "submitted").is_dir() else set()
        for student in sorted(students):
            for assignment in assignments:
                state, reasons = state_of(root, student, assignment)
                entry = Submission(student, assignment, state, max_score=known[assignment].max_score
                                   if assignment in known else 0.0, reasons=reasons)
                try:
                    row = gradebook.find_submission(assignment, student)
                except MissingEntry:
                    row = None
                if row is not None and state in (State.GRADED, State.REVIEW):
                    entry.score, entry.timestamp = row.score, str(row.timestamp or "")
                    entry.cells = {g.name: g.score for nb in row.notebooks for g in nb.grades if g.max_score > 0}
                elif row is not None and state == State.MISSING and any(
                        g.manual_score is not None for nb in row.notebooks for g in nb.grades):
                    entry.reasons.append("no longer in submitted/, but the gradebook keeps manual grades of it")
                found.append(entry)
    return found
