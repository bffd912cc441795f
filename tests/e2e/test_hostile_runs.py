"""The hostile catalogue's runs of their own, beside test_hostile.py's batch (a file of their own so
that another test process takes them): the attacks graded without the sandbox, without the syscall
filter and the keyrings' isolation, and without the kit's copies, each working there, so the
defence is what stops it in the batch; a batch killed midway and re-run gives the same gradebook;
the watchdog stops a worker past the budget and grading goes on."""
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from nbgrader.utils import determine_grade, is_grade

import keys
from hostile import KERNEL_SURFACE, PLANTED, STOLEN_INPUTS, VICTIM
from listener import Listener
from nnkit.collect.notebooks import read
from nnkit.gradebook.states import State, class_submissions
from nnkit.gradebook.tools import nbgrader
from nnkit.sandbox import cgroups, syscalls
from nnkit.testing import gradebook_problems
from processes import Watch
from test_hostile import CANARY, CONTROLLED, VICTIMS, course_with, graded, leftover_processes, messages, run_batch

pytestmark = pytest.mark.slow  # batches of their own


def test_the_attacks_work_without_the_sandbox(tmp_path):
    """The same attacks, graded with --no-sandbox in a course of their own: each reads the answer
    key, writes where it should not, reaches the network or the environment. So the sandbox is
    what stops them in test_hostile.py's batch, not a flaw in the attacks."""
    server = Listener()
    home = tmp_path / "home"
    stolen = Path(STOLEN_INPUTS.format(port=server.port))
    root = course_with(tmp_path / "course", CONTROLLED, home, server.port)
    try:
        got = graded(root, CONTROLLED, home, server.port, "--no-sandbox")
        written_outside = stolen.read_text() if stolen.exists() else ""
    finally:
        stolen.unlink(missing_ok=True)
    assert written_outside.startswith("(")  # relu's input shapes, on the host
    (course_before, home_before), (course_after, home_after) = got["before"], got["after"]
    states = got["states"]
    auto = {name: auto_score(root, name) for name in CONTROLLED}  # writes_gradebook overwrites the gradebook's
    assert all(
        auto[name] == 12 for name in CONTROLLED if name.startswith("steals_") and name != "steals_stored_results"
    )
    assert auto["steals_stored_results"] > 7
    changed = {
        path for path in course_before.keys() | course_after.keys() if course_before.get(path) != course_after.get(path)
    }
    assert {
        "nnkit/judging/judge.py",
        "nbgrader_config.py",
        "sitecustomize.py",
        f"submitted/{VICTIM}/activations/activations.ipynb",
    } <= changed
    assert home_after != home_before and server.received.startswith(b"stolen") and auto["opens_socket"] == 12
    with sqlite3.connect(root / "gradebook.db") as db:
        assert db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall() == [("full",)]
        assert db.execute("SELECT count(*) FROM grade WHERE manual_score = 100").fetchone()[0] > 0
    assert CANARY in messages(root, "reads_environment")
    assert all(entry.state == State.REVIEW for entry in states.values()), {
        s: (e.state, e.reasons) for s, e in states.items()
    }
    server.server.close()


def test_the_kernel_surface_attacks_work_without_the_filter_and_the_keyrings_isolation(tmp_path, listener):
    """The attacks on the kernel's surface, graded in the sandbox with the syscall filter and the
    keyrings' isolation off (nnkit.sandbox.syscalls.TESTS_ONLY_OFF), one worker so that plants_user_key is
    graded before reads_planted_key: each reads the grader's canary, plants a key a classmate
    reads, or mounts a tmpfs in a namespace of its own. So those defences are what stop them."""
    home = tmp_path / "home"
    root = course_with(tmp_path / "course", KERNEL_SURFACE, home, listener.port, victims={})
    try:
        graded(root, KERNEL_SURFACE, home, listener.port, env={syscalls.TESTS_ONLY_OFF: "filter,keyrings"})
    finally:
        keys.invalidate(PLANTED)  # opened to all, in a sandbox uid's user keyring that outlives the run
    assert {name: auto_score(root, name) for name in KERNEL_SURFACE} == dict.fromkeys(KERNEL_SURFACE, 12)


def auto_score(root: Path, student: str) -> float:
    """The score nbgrader computes from a graded notebook's test cells, whatever the gradebook says."""
    notebook = read(root / "autograded" / student / "activations" / "activations.ipynb")
    return sum(determine_grade(c)[0] for c in notebook.cells if is_grade(c) and c.metadata["nbgrader"]["points"] > 0)


def test_a_batch_killed_midway_and_rerun_gives_the_same_gradebook(tmp_path, listener):
    students = ("os_exit", "forged_record", "imports_solutions", "fork_bomb")
    home = tmp_path / "home"
    root = course_with(tmp_path / "course", students, home, listener.port)
    total = len(students) + len(VICTIMS)
    process = run_batch(root, home, start_new_session=True)
    watch = Watch(process.pid)
    deadline = time.time() + 300
    while time.time() < deadline and len(list((root / "outcomes" / "activations").glob("*.json"))) < 2:
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)  # the batch and every worker and kernel under it
    process.wait()
    watch.stop()
    graded_before_kill = len(list((root / "outcomes" / "activations").glob("*.json")))
    assert 2 <= graded_before_kill < total, "the first run must be stopped midway"
    assert any("ipykernel" in command for command in watch.seen.values())  # it had kernels to leave
    assert leftover_processes(watch) == []
    rerun = run_batch(root, home)
    out, err = rerun.communicate(timeout=900)
    assert rerun.returncode == 0, out + err
    expected = {"os_exit": 7, "forged_record": 7, "imports_solutions": 9, "fork_bomb": 9, **VICTIMS}
    assert {e.student: e.score for e in class_submissions(root, ["activations"])} == expected
    assert gradebook_problems(root) == []


def test_the_link_attacks_work_without_the_kits_copies(tmp_path, listener):
    """The link entries, with nbgrader's own collect (shutil.copytree) and nbgrader's own autograde
    (no pre-check): each reads what its link points to, so the kit's copies are what stop them."""
    home, names = tmp_path / "home", ["link_in_inbound", "link_in_submitted"]
    root = course_with(tmp_path / "course", names, home, listener.port, victims={},
                       collect_flags=["--ExchangeFactory.collect=nbgrader.exchange.default.collect.ExchangeCollect"])
    stolen = root / "submitted" / "link_in_inbound" / "activations" / "notes.txt"
    assert (
        not stolen.is_symlink()
        and stolen.read_bytes() == (root / "assignments/activations/key/solution.py").read_bytes()
    )
    for name in names:
        nbgrader("autograde", "activations", "--student", name, "--force", root=root)
        assert auto_score(root, name) == 12, name


def test_the_watchdog_stops_a_worker_past_the_budget_and_grading_goes_on(tmp_path, monkeypatch):
    """The batch's own watchdog, behind the notebook's budget: with no time at all for nbgrader
    (grace 0 s, a budget of 2 s: nbgrader alone starts in more), every submission is stopped, named,
    and the batch ends."""
    from nnkit.batch import preparation, supervisor
    from nnkit.kernel import limits

    monkeypatch.setattr(limits, "WATCHDOG_GRACE_SECONDS", 0)
    root = course_with(tmp_path / "course", ["over_budget"], tmp_path / "home", 0, victims={"correct": 12})
    preparation.prepare(["activations"], root)
    tasks = [("correct", "activations"), ("over_budget", "activations")]
    outcomes = supervisor.grade(tasks, root, 1, supervisor.Progress(2, open(os.devnull, "w")), budget=2)
    assert [(o.student, o.gradable, o.cause) for o in outcomes] == [(s, False, "watchdog") for s, _ in tasks]
    states = {e.student: e for e in class_submissions(root, ["activations"])}
    assert all(
        states[s].state == State.NOT_GRADABLE and "stopped by the watchdog" in states[s].reasons[0] for s, _ in tasks
    )
    if not cgroups.unavailable():  # the killed workers' kernel groups were swept
        backend = cgroups.backend()
        assert [p for parent in backend.places() for p in parent.iterdir()
                if cgroups.NAME.match(p.name) and not cgroups.owner_alive(p.name)] == []
