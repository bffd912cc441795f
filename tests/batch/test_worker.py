"""One grading worker (nnkit.batch.worker): each outcome carries the digest the supervisor hashed, and a
submission that cannot be graded leaves no graded copy of an earlier run behind. The worker process
itself, started by the batch: tests/e2e/test_batch.py."""
from dataclasses import dataclass

from nnkit.batch.worker import grade_submission
from nnkit.collect import paths
from nnkit.gradebook.outcomes import Outcome


@dataclass
class API:
    """nbgrader's API as the worker sees it: autograde(assignment, student) -> Outcome."""
    gradable: bool

    def autograde(self, assignment, student):
        if self.gradable:
            return Outcome(student, assignment, True)
        return Outcome(student, assignment, False, "not JSON", "not_json")


def stale_copy(root, student, assignment):
    folder = paths.autograded(root, student, assignment)
    folder.mkdir(parents=True)
    (folder / f"{assignment}.ipynb").write_text("{}")
    return folder


def test_the_outcome_carries_the_digest_the_supervisor_hashed(tmp_path):
    outcome = grade_submission(API(True), tmp_path, "ann", "activations", "abc123")
    assert (outcome.student, outcome.assignment, outcome.gradable) == ("ann", "activations", True)
    assert outcome.submission == "abc123"


def test_a_submission_that_cannot_be_graded_leaves_no_earlier_graded_copy(tmp_path):
    kept, removed = stale_copy(tmp_path, "ann", "activations"), stale_copy(tmp_path, "bob", "activations")
    grade_submission(API(True), tmp_path, "ann", "activations", "d1")
    outcome = grade_submission(API(False), tmp_path, "bob", "activations", "d2")
    assert kept.is_dir() and not removed.exists() and (outcome.cause, outcome.submission) == ("not_json", "d2")
