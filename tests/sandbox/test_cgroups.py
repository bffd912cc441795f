"""nnkit.sandbox.cgroups: which backend a machine gets, what each writes (v2 against a folder laid out like a
cgroup2 tree: the machines the tests run on have only v1), and, on this machine's real v1
hierarchies as root, that a group bounds its whole process tree (memory counted by the cgroup's
own counters, memfd included; processes), is removed with what is in it, and that the groups of a
dead owner are swept. Through the sandbox: the OOM message in the cell and the notebook budget."""
import os
import secrets
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest
from traitlets.config import Config

from nnkit.execution.execute import ResilientExecute
from nnkit.judging.review import USAGE_KEY, events_of
from nnkit.kernel import limits
from nnkit.kernel.config import COURSE_ROOT
from nnkit.sandbox import bwrap, cgroups, manager
from nnkit.sandbox.cgroups import CONTROLLERS, Limits

MiB = 2**20
LIMITS = Limits(256 * MiB, 40, 100)


def v2_tree(base: Path, offered: str = "cpuset cpu io memory hugetlb pids rdma misc") -> Path:
    """A folder laid out like the top of a cgroup2 hierarchy."""
    base.mkdir(parents=True, exist_ok=True)
    (base / "cgroup.controllers").write_text(offered + "\n")
    (base / "cgroup.subtree_control").write_text("\n")
    (base / "cgroup.procs").write_text("")
    return base


def v1_trees(base: Path) -> dict[str, Path]:
    folders = {c: base / c for c in CONTROLLERS}
    for folder in folders.values():
        folder.mkdir(parents=True)
        (folder / "cgroup.procs").write_text("")
    return folders


def mountinfo(unified: Path | None, v1: dict[str, Path]) -> str:
    lines = ["31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755"]
    lines += [
        f"3{i} 31 0:2{i} / {folder} rw,relatime - cgroup cgroup rw,{c}" for i, (c, folder) in enumerate(v1.items())
    ]
    if unified is not None:
        lines.append(f"41 31 0:38 / {unified} rw,relatime - cgroup2 cgroup2 rw")
    return "\n".join(lines) + "\n"


OWN = "8:pids:/\n4:memory:/jobs/grader\n1:cpu:/\n0::/\n"


def test_v2_is_chosen_when_it_offers_the_controllers_and_its_writes_are_the_documented_ones(tmp_path):
    root = v2_tree(tmp_path / "unified")
    backend = cgroups.choose(mountinfo(root, v1_trees(tmp_path / "v1")), OWN, None, root=True)
    assert isinstance(backend, cgroups.V2) and backend.places() == [root]
    group = backend.create(LIMITS)
    (folder,) = group.places
    assert folder.parent == root and cgroups.NAME.match(folder.name)
    assert set((root / "cgroup.subtree_control").read_text().split()) == {"+memory", "+pids", "+cpu"}
    assert {name: (folder / name).read_text().strip() for name in ("memory.max", "pids.max", "cpu.weight")} == \
        {"memory.max": str(256 * MiB), "pids.max": "40", "cpu.weight": "100"}
    command = group.join_command(["bwrap", "x"])
    assert command[-2:] == ["bwrap", "x"] and f"echo $$ > {folder / 'cgroup.procs'}" in command[2]
    (folder / "memory.peak").write_text(f"{200 * MiB}\n")
    (folder / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n")
    assert (group.peak_memory(), group.oom_kills()) == (200 * MiB, 1)


def test_v2_with_a_delegated_parent_and_for_an_ordinary_user_in_a_delegated_scope(tmp_path):
    root = v2_tree(tmp_path / "unified")
    delegated = v2_tree(root / "grading" / "alice")
    backend = cgroups.choose(mountinfo(root, {}), OWN, "/grading/alice", root=False)
    assert backend.places() == [delegated]
    scope = v2_tree(root / "user.slice" / "run-1.scope")
    backend = cgroups.choose(mountinfo(root, {}), "0::/user.slice/run-1.scope\n", None, root=False)
    assert backend.places() == [scope]


def test_a_hybrid_machine_whose_v2_offers_no_controller_gets_v1(tmp_path):
    """Like the machines the tests run on: a cgroup2 mount with hugetlb only, the controllers in v1."""
    root = v2_tree(tmp_path / "unified", "hugetlb")
    v1 = v1_trees(tmp_path / "v1")
    (v1["memory"] / "jobs" / "grader").mkdir(parents=True)
    backend = cgroups.choose(mountinfo(root, v1), OWN, None, root=True)
    assert isinstance(backend, cgroups.V1)
    assert backend.parents == {"memory": v1["memory"] / "jobs" / "grader", "pids": v1["pids"], "cpu": v1["cpu"]}
    group = backend.create(LIMITS)
    assert (group.folders["memory"] / "memory.limit_in_bytes").read_text().strip() == str(256 * MiB)
    assert (group.folders["pids"] / "pids.max").read_text().strip() == "40"
    assert (group.folders["cpu"] / "cpu.shares").read_text().strip() == "1024"
    assert len(group.join_command(["true"])[2].split("&&")) == 4  # three hierarchies joined, then exec


def test_no_usable_hierarchy_means_per_process_limits_with_the_reason(tmp_path):
    root = v2_tree(tmp_path / "unified", "hugetlb")
    with pytest.raises(cgroups.Unavailable, match="offers hugetlb"):
        cgroups.choose(mountinfo(root, {}), OWN, None, root=True)
    with pytest.raises(cgroups.Unavailable, match="does not exist"):
        cgroups.choose(mountinfo(None, v1_trees(tmp_path / "v1")), OWN, "/not/delegated", root=False)
    with pytest.raises(cgroups.Unavailable, match="NNKIT_CGROUP=none"):
        cgroups.choose(mountinfo(root, {}), OWN, "none", root=True)


# --- the real hierarchies of this machine --------------------------------------------------------

def real_backend():
    if os.geteuid() != 0 or cgroups.unavailable():
        pytest.skip(f"no cgroup for this user here: {cgroups.unavailable() or 'not root'}")
    return cgroups.backend()


HOARD = ("import os\nblock, fds = bytes(64 * 2**20), []\nfor _ in range(96):\n    fd = os.memfd_create('x')\n"
         "    os.write(fd, block)\n    fds.append(fd)\nprint('held', len(fds) * 64, 'MiB')")


def test_a_group_bounds_memfd_pages_the_process_never_maps(tmp_path):
    group = real_backend().create(LIMITS)
    try:
        done = subprocess.run(
            group.join_command([sys.executable, "-c", HOARD]), capture_output=True, text=True, timeout=120
        )
        peak, kills = group.peak_memory(), group.oom_kills()
    finally:
        assert group.remove()
    assert done.returncode == -9 and "held" not in done.stdout
    assert kills >= 1 and 128 * MiB < peak <= LIMITS.memory_bytes, (peak, kills)
    assert not any(folder.exists() for folder in group.places)


def test_a_group_bounds_the_processes_of_the_whole_tree():
    group = real_backend().create(LIMITS)
    code = (
        "import os, time\nn = 0\ntry:\n    while n < 200:\n        if os.fork() == 0:\n"
        "            os.closerange(0, 3)\n"
        "            time.sleep(60)\n"
        "            os._exit(0)\n        n += 1\nexcept OSError as error:\n    print(type(error).__name__, n)"
    )
    try:
        done = subprocess.run(
            group.join_command([sys.executable, "-c", code]), capture_output=True, text=True, timeout=120
        )
        left = cgroups.pids_in(group.folders["pids"])
        peak, refused = group.peak_processes(), group.forks_refused()
    finally:
        assert group.remove()  # kills the sleeping children too
    name, started = done.stdout.split()
    assert name == "BlockingIOError" and int(started) < LIMITS.processes and len(left) == int(started)
    assert refused >= 1 and peak in (None, LIMITS.processes)
    for pid in left:
        assert not Path(f"/proc/{pid}").exists() or "State:\tZ" in Path(f"/proc/{pid}/status").read_text()


@contextmanager
def private_parents():
    """A backend like the machine's, whose parents are groups of this test's own: every grader on
    the machine sweeps the dead owners' groups under the machine's parents (a grading beside the
    tests would sweep this test's stale group before the test's own sweep could)."""
    backend = real_backend()
    name = f"nnkit-tests-{os.getpid()}-{secrets.token_hex(4)}"  # not a group name (cgroups.NAME): never swept
    parents = {c: parent / name for c, parent in backend.parents.items()}
    for folder in dict.fromkeys(parents.values()):
        folder.mkdir()
    try:
        yield type(backend)(parents)
    finally:
        for folder in dict.fromkeys(parents.values()):
            for child in [c for c in folder.iterdir() if c.is_dir()]:
                cgroups.empty_and_remove(child)
            cgroups.empty_and_remove(folder)


def test_the_groups_of_a_dead_owner_are_swept_with_what_is_in_them():
    with private_parents() as backend:
        stale = {c: parent / "nnkit.999999999.1.0" for c, parent in backend.parents.items()}  # above any pid_max
        for folder in dict.fromkeys(stale.values()):
            folder.mkdir()
        sleeper = subprocess.Popen(cgroups.V1Group(stale, LIMITS).join_command(["sleep", "600"]))
        time.sleep(0.3)
        assert sleeper.poll() is None
        mine = backend.create(LIMITS)
        try:
            removed = backend.sweep()
            assert sorted(removed) == sorted(map(str, dict.fromkeys(stale.values())))
            assert sleeper.wait(timeout=10) == -9
            assert all(folder.is_dir() for folder in mine.places)  # a live owner's group stays
        finally:
            mine.remove()


# --- through the sandbox -----------------------------------------------------------------------

def run_cells(*sources, config=None, timeout=120):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    resources = {"metadata": {"path": str(COURSE_ROOT / "release" / "backprop")}}
    execute = ResilientExecute(kernel_name="python3", timeout=timeout, config=Config(config or {}))
    executed, _ = execute.preprocess(nb, resources)
    texts = [
        "".join(o.get("text", "") or f"{o.get('ename')}: {o.get('evalue')}" for o in c.outputs) for c in executed.cells
    ]
    return texts, events_of(resources), resources.get(USAGE_KEY, {})


@pytest.fixture
def working_sandbox():
    """A sandbox that starts: skipped without one, failed under CI (tests/support/components.py)."""
    from components import require

    require("bubblewrap")


needs_sandbox = pytest.mark.usefixtures("working_sandbox")
SMALL = {"SandboxedKernelManager": {"submission_memory_bytes": 256 * MiB}}


@needs_sandbox
def test_a_kernel_killed_at_the_submissions_memory_limit_says_so_and_grading_goes_on():
    real_backend()
    (hoard, after), events, usage = run_cells(HOARD, "print('after')", config=SMALL)
    assert "out of memory: the limit is 0.25 GiB per submission" in hoard and after == "after\n"
    assert [e.kind for e in events] == ["kernel_died"]
    assert usage["oom_kills"] >= 1 and usage["peak_memory_bytes"] <= usage["memory_limit_bytes"] == 256 * MiB


@pytest.mark.slow
@needs_sandbox
def test_children_over_the_submissions_memory_are_killed_and_the_cell_says_so(monkeypatch):
    """Three children of 120 MiB each, every one far under the per-process limit: together over 256 MiB.
    With per-process limits only (NNKIT_CGROUP=none), all three live: the cgroup is what stops them."""
    real_backend()
    tree = ("import os, time\nimport numpy as np\nchildren = []\nfor _ in range(3):\n    pid = os.fork()\n"
            "    if pid == 0:\n        a = np.ones(120 * 2**20 // 8)\n        time.sleep(5)\n        os._exit(0)\n"
            "    children.append(pid)\nprint(sorted(os.waitpid(p, 0)[1] for p in children))")
    (cell, after), events, usage = run_cells(tree, "print('after')", config=SMALL)
    statuses = eval(cell.splitlines()[0])
    assert 9 in statuses and "out of memory: the limit is 0.25 GiB per submission" in cell and after == "after\n"
    assert [e.kind for e in events] == ["memory"] and usage["peak_memory_bytes"] <= 256 * MiB
    monkeypatch.setenv(cgroups.SETTING, cgroups.OFF)
    cgroups.backend.cache_clear()
    try:
        (cell, _), events, usage = run_cells(tree, "print('after')", config=SMALL)
    finally:
        cgroups.backend.cache_clear()
    assert eval(cell.splitlines()[0]) == [0, 0, 0] and events == [] and usage == {}


@pytest.mark.slow
@needs_sandbox
def test_a_notebook_over_its_budget_is_stopped_and_its_finished_cells_are_kept():
    budget = 20  # wide margins: the kernel starts in a few seconds, the stopped cell would take an hour
    start = time.monotonic()
    (first, stopped, never), events, _ = run_cells(
        "print('done')",
        "import time\ntime.sleep(3600)",
        "print('never')",
        config={"ResilientExecute": {"notebook_timeout": budget}},
        timeout=3000,
    )
    assert time.monotonic() - start < 1500  # stopped at the budget, not at the cell's end (nor its limit)
    assert first == "done\n" and "never" not in never and f"time budget ({budget} s per notebook)" in never
    assert [(e.kind, e.cell) for e in events] == [("budget", "cell 2")]


def test_the_budget_and_the_submission_limits_are_in_limits():
    assert limits.NOTEBOOK_SECONDS > 10 * 3.35  # the slowest correct notebook, backprop, takes ~3.35 s (README)
    assert ResilientExecute().notebook_timeout == limits.NOTEBOOK_SECONDS
    assert manager.SandboxedKernelManager.submission_memory_bytes.default_value == limits.SUBMISSION_MEMORY_BYTES


def test_a_v2_parent_not_given_every_controller_is_refused_with_the_reason(tmp_path):
    """systemd may delegate memory and pids but not cpu to a user's scope."""
    root = v2_tree(tmp_path / "unified")
    v2_tree(root / "user.slice" / "run-1.scope", "memory pids")
    with pytest.raises(cgroups.Unavailable, match="given memory pids, not all of"):
        cgroups.choose(mountinfo(root, {}), "0::/user.slice/run-1.scope\n", None, root=False)


@pytest.mark.slow
@needs_sandbox
def test_a_budget_that_runs_out_between_cells_names_the_first_cell_not_run(monkeypatch):
    """Each cell's own limit left uncapped here, so the budget (5 s) runs out during a cell that
    finishes (8 s of sleep, far under its 300 s): the next cell is the first not run, and says why."""
    monkeypatch.setattr(ResilientExecute, "_get_timeout", lambda self, cell: self.timeout)
    (slept, never), events, _ = run_cells("import time\ntime.sleep(8)\nprint('slept')", "print('never')",
                                          config={"ResilientExecute": {"notebook_timeout": 5}}, timeout=300)
    assert slept == "slept\n" and "never" not in never and "time budget (5 s per notebook)" in never
    assert [(e.kind, e.cell) for e in events] == [("budget", "cell 2")]


# --- a v2 parent whose controllers cannot be enabled; the batch's parent passed to its workers -----

def test_controllers_that_cannot_be_enabled_mean_per_process_limits_not_a_crash(tmp_path, monkeypatch):
    """EBUSY on cgroup.subtree_control even after the grader's processes moved to a leaf (a process
    joined meanwhile, systemd's own): the probe and every kernel get Unavailable, with the reason."""
    import errno

    root = v2_tree(tmp_path / "unified")
    scope = v2_tree(root / "user.slice" / "run-1.scope")
    (scope / "cgroup.procs").write_text(f"{os.getpid()}\n")
    chosen = cgroups.choose(mountinfo(root, {}), "0::/user.slice/run-1.scope\n", None, root=False)
    real_write = cgroups.write

    def busy(path, value):
        if Path(path).name == "cgroup.subtree_control":
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(path))
        real_write(path, value)

    monkeypatch.setattr(cgroups, "write", busy)
    with pytest.raises(cgroups.Unavailable, match="Device or resource busy"):
        chosen.create(LIMITS)
    monkeypatch.setattr(cgroups, "backend", lambda: chosen)
    cgroups.probe.cache_clear()
    try:
        assert "cannot give the children of" in cgroups.probe() and "busy" in cgroups.probe()
    finally:
        cgroups.probe.cache_clear()
    assert [p.name for p in scope.iterdir() if cgroups.NAME.match(p.name)] == []  # no group left behind


def test_the_batch_passes_its_v2_parent_to_its_workers_so_they_do_not_nest(tmp_path, monkeypatch):
    """An ordinary user's batch in a delegated scope: its probe moves it to <scope>/nnkit-grader, where
    its workers start. With the batch's parent in NNKIT_CGROUP they make their groups in the scope,
    where the batch's sweep looks, not one level further down."""
    from nnkit.batch import preparation

    root = v2_tree(tmp_path / "unified")
    scope = v2_tree(root / "user.slice" / "run-1.scope")
    chosen = cgroups.choose(mountinfo(root, {}), "0::/user.slice/run-1.scope\n", None, root=False)
    v2_tree(scope / cgroups.GRADER_LEAF)  # where the probe moved the batch
    monkeypatch.setenv(cgroups.SETTING, "unset below")  # recorded, so the test's change is undone
    monkeypatch.delenv(cgroups.SETTING)
    monkeypatch.delenv(bwrap.OPT_OUT_VARIABLE, raising=False)
    monkeypatch.setattr(cgroups, "backend", lambda: chosen)
    monkeypatch.setattr(cgroups, "probe", lambda: "")
    monkeypatch.setattr(cgroups, "sweep", lambda: [])
    preparation.announce_limits()
    worker = cgroups.choose(mountinfo(root, {}), f"0::/user.slice/run-1.scope/{cgroups.GRADER_LEAF}\n",
                            os.environ.get(cgroups.SETTING), root=False)
    assert worker.places() == chosen.places() == [scope]
    (folder,) = worker.create(LIMITS).places
    assert folder.parent == scope
