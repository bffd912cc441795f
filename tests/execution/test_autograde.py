"""One submission through nbgrader's API (nnkit.execution.autograde): the pre-check's reasons, each one
a student can act on, and a failure's cause kept as data. Links and pipes: tests/collect/test_nofollow.py;
real gradings: tests/e2e/test_batch.py."""
import nbformat
import pytest
from nbformat.v4 import new_notebook

from nnkit.execution.autograde import cause_of, first_line, precheck, qualified_name
from nnkit.gradebook.outcomes import KIT_CAUSES


def submission(tmp_path, **files):
    folder = tmp_path / "submission"
    folder.mkdir()
    for name, text in files.items():
        (folder / name.replace("__", ".")).write_text(text)
    return folder


@pytest.mark.parametrize("files, cause, reason", [
    ({}, "empty", "the submission holds no notebook (expected activations.ipynb)"),
    ({"mine__ipynb": "{}"}, "renamed", "no activations.ipynb in the submission (found mine.ipynb): rename it"),
    ({"activations__ipynb": ""}, "empty_file", "activations.ipynb is not a notebook (empty file)"),
    ({"activations__ipynb": "not json"}, "not_json", "activations.ipynb is not a notebook (not JSON)"),
    ({"activations__ipynb": '{"cells": 3}'}, "not_notebook", "activations.ipynb is not a readable notebook ("),
])


def test_a_submission_that_cannot_be_graded_says_why(tmp_path, files, cause, reason):
    got = precheck(submission(tmp_path, **files), ["activations"])
    assert got[0] == cause and got[1].startswith(reason), got


def test_a_readable_notebook_passes_and_a_missing_folder_does_not(tmp_path):
    folder = submission(tmp_path)
    nbformat.write(new_notebook(), str(folder / "activations.ipynb"))
    assert precheck(folder, ["activations"]) is None
    assert precheck(tmp_path / "nobody", ["activations"]) == ("missing", "no submission folder")


def test_a_failures_cause_is_the_first_kit_cause_in_its_chain_else_its_own_type():
    known = sorted(KIT_CAUSES)[0]
    module, _, name = known.rpartition(".")
    kind = type(name, (Exception,), {"__module__": module or "builtins"})
    try:
        try:
            raise kind("the gradebook is locked")
        except Exception as inner:
            raise RuntimeError("nbgrader's own words") from inner
    except RuntimeError as outer:
        chained = outer
    assert qualified_name(chained.__cause__) == known and cause_of(chained) == known
    assert cause_of(ValueError("x")) == "ValueError"
    assert cause_of(nbformat.ValidationError("x")).endswith("ValidationError")


def test_the_first_line_of_a_failure_is_its_message_or_its_type():
    assert first_line(ValueError("  first\nsecond")) == "first"
    assert first_line(ValueError("")) == "ValueError" and len(first_line(ValueError("x" * 999))) == 300
