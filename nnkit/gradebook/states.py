"""One model of a submission's state, used by the batch's table, grades.csv, the report and the
self-check: graded, review (graded, with reasons to look), not gradable (why), ungraded (or changed
since it was graded), missing. The facts come as data, never as text to parse: what is in
submitted/, the submission's outcome (nnkit.gradebook.outcomes), the review items in its graded
notebook (nnkit.judging.review) and the scores in the gradebook. `to_review` is the one rule of the
review list. What each state means for an instructor: docs/instructors.md.
"""
import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from nnkit.collect import paths
from nnkit.gradebook import outcomes
from nnkit.gradebook.outcomes import submission_digest
from nnkit.judging.review import Kind, Review, review_of


class State(StrEnum):
    GRADED = "graded"
    REVIEW = "review"
    NOT_GRADABLE = "not gradable"
    UNGRADED = "ungraded"
    MISSING = "missing"


MARKS = {State.GRADED: "", State.REVIEW: "?", State.NOT_GRADABLE: "!", State.UNGRADED: "*", State.MISSING: "-"}
LEGEND = {State.REVIEW: "graded, to review", State.NOT_GRADABLE: "not gradable (no grades)",
          State.UNGRADED: "submitted, not graded yet", State.MISSING: "nothing submitted"}


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


def state_of(root: Path, student: str, assignment: str) -> tuple[State, list[Review]]:
    """The state of one submission (without its scores) and the reasons that go with it."""
    folder = paths.submitted(root, student, assignment)
    if not folder.is_dir():
        return State.MISSING, []
    outcome = outcomes.read(root, student, assignment)
    current = outcome is not None and outcome.submission == submission_digest(folder)
    if outcome is not None and not current:
        return State.UNGRADED, [Review(Kind.CHANGED, None, "changed since it was last graded")]
    if current and not outcome.gradable:
        return State.NOT_GRADABLE, [Review(Kind.NOT_GRADABLE, None, outcome.reason or "nbgrader could not grade it")]
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

    from nnkit.gradebook.db import open_gradebook
    from nnkit.gradebook.points import carries_points

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
                    entry.cells = {
                        g.name: g.score for nb in row.notebooks for g in nb.grades if carries_points(g.max_score)
                    }
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
