"""Before grading (nnkit.batch.preparation): who submitted what, the shards of a Slurm array, the
assignments the gradebook lacks, and the refusals that come before any grading. Entering a class in
a real gradebook: tests/gradebook/test_db.py, tests/e2e/test_batch.py."""
import pytest

from nnkit import exits
from nnkit.batch import preparation
from nnkit.collect import nofollow, paths
from nnkit.gradebook.db import OWN_GRADEBOOK_MARKER
from nnkit.sandbox import bwrap


def test_shards_are_disjoint_cover_everyone_and_balance():
    students = [f"s{i}" for i in range(11)]
    shards = [preparation.shard(students, i, 3) for i in range(3)]
    assert sorted(s for part in shards for s in part) == sorted(students)
    assert {len(part) for part in shards} == {3, 4}


def submitted(root, student, assignment):
    paths.submitted(root, student, assignment).mkdir(parents=True)


def test_the_students_who_submitted_each_assignment(tmp_path):
    for student, assignment in (("bob", "a"), ("ann", "a"), ("ann", "b"), ("cy", "b")):
        submitted(tmp_path, student, assignment)
    assert preparation.submissions("a", tmp_path) == ["ann", "bob"]
    assert preparation.submissions("b", tmp_path, among={"cy", "bob"}) == ["cy"]
    assert preparation.all_students(["a", "b"], tmp_path) == ["ann", "bob", "cy"]
    assert preparation.submissions("a", tmp_path / "empty") == []


def test_an_assignment_the_gradebook_does_not_have_is_unprepared(tmp_path):
    (tmp_path / OWN_GRADEBOOK_MARKER).touch()
    assert preparation.unprepared(["a", "b"], tmp_path) == ["a", "b"]


def test_grading_is_refused_where_a_students_hard_link_could_reach_another_file(tmp_path, monkeypatch):
    sysctl = tmp_path / "protected_hardlinks"
    sysctl.write_text("0\n")
    monkeypatch.setattr(nofollow, "HARDLINKS_SYSCTL", sysctl)
    monkeypatch.setenv(bwrap.OPT_OUT_VARIABLE, "1")
    with pytest.raises(exits.KitFailure, match="refusing to grade: fs.protected_hardlinks is 0"):
        preparation.require_sandbox()
    sysctl.write_text("1\n")
    preparation.require_sandbox()
