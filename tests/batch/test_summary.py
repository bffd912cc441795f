"""The batch's summary: the review list names each submission once, the class's states computed once."""
import json
from pathlib import Path

from batches import submit
from nnkit.batch import summary
from nnkit.collect import paths
from nnkit.gradebook import outcomes, states
from nnkit.gradebook.outcomes import Outcome
from nnkit.gradebook.scratch import scratch_course

ASSIGNMENT = "activations"


def graded_with_review(root: Path, student: str, detail: str) -> None:
    """A submission graded (its outcome current) whose graded copy holds one review item."""
    submit(root, student)
    outcomes.write(
        root, Outcome(student, ASSIGNMENT, True, submission=outcomes.submitted_digest(root, student, ASSIGNMENT))
    )
    graded = paths.graded_notebook(root, student, ASSIGNMENT)
    graded.parent.mkdir(parents=True)
    graded.write_text(json.dumps({"cells": [], "metadata": {"nnkit": {"review": [
        {"kind": "flag", "cell": None, "detail": detail}]}}}))


def not_gradable(root: Path, student: str, reason: str) -> None:
    submit(root, student, "{ not json")
    outcomes.write(root, Outcome(student, ASSIGNMENT, False, reason,
                                 submission=outcomes.submitted_digest(root, student, ASSIGNMENT)))


# --- the review list, built once, each submission once; the class's states computed once ---------

def test_the_review_lists_name_each_submission_once_and_the_states_are_computed_once(tmp_path, monkeypatch,
                                                                                      nbgrader_path):
    root = scratch_course(tmp_path / "course")
    not_gradable(root, "broken", "activations.ipynb is not a notebook (not JSON)")
    graded_with_review(root, "flagged", "relu: uses torch")
    hashed = []
    real = outcomes.submission_digest
    monkeypatch.setattr(states, "submission_digest", lambda folder: hashed.append(folder) or real(folder))
    text = summary.finish(root, [ASSIGNMENT])
    assert len(hashed) == 2, f"every submission hashed once, not {len(hashed)} times"
    page = (root / "autograded" / "report.html").read_text()
    for student, reason in (("broken", "not JSON"), ("flagged", "uses torch")):
        assert page.count(f"<b>{student}</b>") == 1, page
        assert page.count(reason) == 1 and text.count(reason) == 1, text
    assert "no longer in submitted/" not in page and "no longer in submitted/" not in text
