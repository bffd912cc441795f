"""Review events: what happened to a notebook while it was graded (a time limit, a dead kernel, output
dropped, a flagged answer...), each a `Review` of a `Kind`, carried in nbconvert's resources by the
execution and written by the judging step into the graded notebook's metadata, where the states
read them back. A new reason is a new Kind here and the one module that finds it.
"""
from dataclasses import dataclass
from enum import StrEnum

METADATA_KEY = "nnkit"  # in a graded notebook's metadata: what the grader decided
RESOURCES_KEY = "nnkit_events"  # in nbconvert's resources: what happened while the notebook ran
USAGE_KEY = "nnkit_usage"  # in nbconvert's resources, then as `usage` in the metadata: what its cgroup measured



class Kind(StrEnum):
    """What a reason is about. Of a graded notebook (written by the grader into its metadata):
    FLAG (the integrity scan), TIMEOUT, KERNEL_DIED, OUTPUT (dropped at the cap), JUDGE (the kit
    could not judge a check), NO_SANDBOX, BUDGET (the notebook went over its time budget and was
    stopped), MEMORY (a process killed at the submission's memory limit). Of the submission's state:
    NOT_GRADABLE (why nbgrader could not grade it), CHANGED (since it was graded), UNREADABLE (its graded copy),
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


def review_of(notebook) -> list[Review]:
    """The review items a graded notebook's metadata holds (written by the grader only)."""
    items = notebook.get("metadata", {}).get(METADATA_KEY, {}).get("review", [])
    return [Review(str(i.get("kind")), i.get("cell"), str(i.get("detail"))) for i in items if isinstance(i, dict)]
