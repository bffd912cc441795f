"""Grading as an ordinary user (the grader on a shared course server), with and without a cgroup
subtree delegated to them.

With delegation: root makes a subtree in each v1 hierarchy (memory, pids, cpu) with limits of its
own, and chowns it to a throwaway user, as an administrator would (docs/grading.md); the user
grades hostile submissions beside correct ones with two workers, NNKIT_CGROUP naming the subtree.
Every submission's cgroup is made inside it (its counters are in the graded notebooks), none
exceeds its memory or process limit, the fork bomb spends only its own processes (the grader's
uid has no per-uid process limit then), and nothing is left in the subtree. Without: the batch
says once that it grades with per-process limits only, the scores are the normal ones, exit 0.
Both grade the attacks on the kernel's surface (tests/support/hostile.py's KERNEL_SURFACE) in a session
keyring of the user's holding a canary (tests/support/keys.py): each gets its defined outcome."""
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

import keys
import users
from hostile import CATALOGUE, KERNEL_SURFACE, SUBMISSION_MEMORY, VICTIM
from nnkit.collect.notebooks import read
from nnkit.gradebook.states import class_submissions
from nnkit.kernel import limits
from nnkit.sandbox import cgroups
from nnkit.testing import usage_of
from test_hostile import course_with

pytestmark = [pytest.mark.slow, pytest.mark.skipif(bool(users.can_make_users()), reason=users.can_make_users() or "")]


@pytest.fixture(autouse=True, scope="module")
def working_sandbox():
    """A sandbox that starts: skipped without one, failed under CI (tests/support/components.py)."""
    from components import require

    require("bubblewrap")


SUBTREE_MEMORY, SUBTREE_PROCESSES = 3 * 2**30, 2048  # the administrator's bound on the whole subtree


def hierarchies() -> dict[str, Path]:
    """{controller: v1 mount point} of this machine (these tests need the v1 controllers)."""
    _, v1 = cgroups.mounts(Path("/proc/self/mountinfo").read_text())
    if not all(c in v1 for c in cgroups.CONTROLLERS):
        pytest.skip("the delegation test is written for cgroup v1 (the machines the tests run on)")
    return {c: v1[c][0] for c in cgroups.CONTROLLERS}


@contextmanager
def delegated_subtree(uid: int):
    """What an administrator does: a cgroup in each hierarchy, bounded, chowned to the user; yields its path."""
    path = f"/nnkit-delegated-{uid}"
    folders = list(dict.fromkeys(point / path.lstrip("/") for point in hierarchies().values()))
    try:
        for folder in folders:
            folder.mkdir()
            for name in ("", "cgroup.procs", "tasks"):
                os.chown(folder / name, uid, -1)
        memory, pids = (hierarchies()[c] / path.lstrip("/") for c in ("memory", "pids"))
        (memory / "memory.limit_in_bytes").write_text(str(SUBTREE_MEMORY))
        (pids / "pids.max").write_text(str(SUBTREE_PROCESSES))
        yield path, folders
    finally:
        for folder in folders:
            for child in [c for c in folder.iterdir() if c.is_dir()] if folder.is_dir() else []:
                cgroups.empty_and_remove(child)
            cgroups.empty_and_remove(folder)


def grade_as(user, root, *setting):
    """The batch, run by the user in a course of theirs, with two workers."""
    for path in [root, *root.rglob("*")]:
        os.lchown(path, user.uid, user.gid)
    python = users.grading_environment()
    env = users.user_environment(user, python, **dict(s.split("=", 1) for s in setting))
    batch = [str(python), "-m", "nnkit.batch.cli", "--assignment", "activations", "--course", str(root), "--jobs", "2"]
    process = users.run_as(
        user,
        keys.in_canary_session(batch, "canary-of-" + user.name, python=str(python)),
        env,
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = process.communicate(timeout=1500)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.fixture
def folder():
    """A folder an ordinary user can reach (pytest's tmp_path is under a folder only root may enter)."""
    made = Path(tempfile.mkdtemp(prefix="nnkit-usercourse-"))
    made.chmod(0o755)
    yield made
    shutil.rmtree(made, ignore_errors=True)


HOSTILE = ["fork_bomb", "memfd_hoard", "process_tree", "forks", *KERNEL_SURFACE]
EXPECTED = {"fork_bomb": 9, "memfd_hoard": 9, "process_tree": 9, "forks": 12, "correct": 12, VICTIM: 12,
            **{name: CATALOGUE[name].score for name in KERNEL_SURFACE}}


def test_a_user_with_a_delegated_subtree_grades_every_submission_in_a_cgroup_of_its_own(folder):
    with users.throwaway_user() as user, delegated_subtree(user.uid) as (path, folders):
        root = course_with(folder / "course", HOSTILE, user.home, 0, victims={"correct": 12, VICTIM: 12})
        done = grade_as(user, root, f"{cgroups.SETTING}={path}")
        assert done.returncode == 0, done.stdout + done.stderr[-3000:]
        assert cgroups.PER_PROCESS_ONLY not in done.stderr
        states = {e.student: e for e in class_submissions(root, ["activations"])}
        assert {s: e.score for s, e in states.items()} == EXPECTED, {s: (e.score, e.reasons) for s, e in states.items()}
        usage = {s: usage_of(read(root / "autograded" / s / "activations" / "activations.ipynb")) for s in states}
        assert all(u["memory_limit_bytes"] == SUBMISSION_MEMORY and 0 < u["peak_memory_bytes"] <= SUBMISSION_MEMORY
                   for u in usage.values()), usage
        assert all(
            u["process_limit"] == limits.SUBMISSION_PROCESSES and u["peak_processes"] <= limits.SUBMISSION_PROCESSES
            for u in usage.values()
        ), usage
        assert (
            usage["fork_bomb"]["forks_refused"] > 0
            and usage["fork_bomb"]["peak_processes"] == limits.SUBMISSION_PROCESSES
        )
        assert usage["memfd_hoard"]["oom_kills"] > 0 and usage["process_tree"]["oom_kills"] > 0
        spared = [r for s in ("forks", "correct", VICTIM) for r in states[s].reasons
                  if "out of memory" in r or "Resource temporarily unavailable" in r]
        assert spared == []  # the classmates graded beside the hostile ones lost nothing to them
        assert [c for folder in folders for c in folder.iterdir() if c.is_dir()] == []  # every group removed
        print(f"\nas {user.name} in {path}: peaks " + ", ".join(f"{s} {u['peak_memory_bytes'] / 2**20:.0f} MiB / "
                                                          f"{u['peak_processes']} processes" for s, u in usage.items()))


def test_a_user_without_delegation_is_told_once_and_graded_normally(folder):
    with users.throwaway_user() as user:
        root = course_with(folder / "course", ["fork_bomb", *KERNEL_SURFACE], user.home, 0, victims={"correct": 12})
        done = grade_as(user, root)
        assert done.returncode == 0, done.stdout + done.stderr[-3000:]
        assert done.stderr.count(cgroups.PER_PROCESS_ONLY) == 1, done.stderr[-3000:]
        scores = {e.student: e.score for e in class_submissions(root, ["activations"])}
        assert scores == {"fork_bomb": 9, "correct": 12, **{name: CATALOGUE[name].score for name in KERNEL_SURFACE}}
