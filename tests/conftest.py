"""Shared fixtures: throwaway copies of the course, so tests never touch the real gradebook; the
graded demo class, graded once per run (by whichever test process asks first); a failure marker
for fixtures that keep evidence; the files' order; and the `slow` guard.

`slow` marks every test that grades (runs nbgrader, the batch, the self-check, a make target that
grades) and what else `make test-quick` leaves out. The guard makes that true: a test not marked
slow that starts a grading fails, in every run, so `make test-quick` (pytest -m "not slow") can
never start one."""
import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest

# The tests' helpers (batches, catalogue, hostile, users, ...) are imported by name from tests/support/.
sys.path.insert(0, str(Path(__file__).parent / "support"))

from nnkit.gradebook.scratch import scratch_course  # noqa: E402
from nnkit.testing import nbgrader_env  # noqa: E402

# How a test starts a grading: the `nnkit` commands that run nbgrader, the Python modules that do (as
# `python -m MODULE`: the kit's own subprocesses), the nbgrader command itself, and the make targets.
GRADING_COMMANDS = {"demo", "grade", "prepare", "collect", "check", "feedback", "nbgrader",
                    "author add", "author check", "author try", "author regenerate"}
GRADING_MODULES = {"nbgrader", "nnkit.batch.cli", "nnkit.batch.worker"}
GRADING_MAKE_TARGETS = {"demo", "grade", "check", "test"}

_guarded: list[str] = []  # the id of the running test while it is not marked slow


def grading_command(argv) -> str | None:
    """What in a command line starts a grading, if anything: an `nnkit` command, `-m MODULE`, an
    nbgrader executable, a make target that grades."""
    argv = [os.fsdecode(a) for a in argv] if isinstance(argv, (list, tuple)) else [os.fsdecode(argv)]
    for index, (before, arg) in enumerate(zip(["", *argv], argv, strict=False)):
        if before == "-m" and arg in GRADING_MODULES:
            return f"python -m {arg}"
        words = argv[index + 1:index + 3]  # after the executable: a command of one word or two
        if os.path.basename(arg) == "nnkit" and {" ".join(words[:1]), " ".join(words)} & GRADING_COMMANDS:
            return " ".join(["nnkit", *words])
        if os.path.basename(arg) == "nbgrader":
            return arg
    if argv and os.path.basename(argv[0]) == "make" and GRADING_MAKE_TARGETS & set(argv[1:]):
        return " ".join(argv)
    return None


def _refuse(what: str) -> None:
    if _guarded:
        raise RuntimeError(f"{_guarded[0]} is not marked slow but starts a grading ({what}): "
                           "mark it @pytest.mark.slow (make test-quick runs no grading)")


def _audit(event: str, args: tuple) -> None:
    if event == "subprocess.Popen" and _guarded:
        what = grading_command(args[1] if args[1] is not None else args[0])
        if what:
            _refuse(what)


def pytest_configure(config):
    sys.addaudithook(_audit)
    from nbgrader.converters.base import BaseConverter

    made = BaseConverter.__init__  # every nbgrader converter (autograde, generate_assignment, ...), in-process
    if not getattr(made, "guarded", False):
        def guarded_init(self, *args, **kwargs):
            _refuse(f"nbgrader {type(self).__name__}, in-process")
            made(self, *args, **kwargs)

        guarded_init.guarded = True
        BaseConverter.__init__ = guarded_init


def pytest_collection_modifyitems(config, items):
    """The files with a test marked `long` first (one test of minutes: a real cluster, the whole
    benchmark), then those with the most slow tests, the quick files last; each file's tests stay
    together and in their order. `make test` runs several test processes, each taking a whole file
    at a time in this order (pytest-xdist's `--dist loadfile --no-loadscope-reorder`): the long
    files start at once, not at the end of the run, and the quick ones even out the end."""
    def file(item):
        return item.nodeid.split("::", 1)[0]

    slow = Counter(file(item) for item in items if item.get_closest_marker("slow"))
    long = {file(item) for item in items if item.get_closest_marker("long")}
    first_seen = {}
    for index, item in enumerate(items):
        first_seen.setdefault(file(item), index)
    items.sort(key=lambda item: (file(item) not in long, -slow[file(item)], first_seen[file(item)]))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """The guard, over a test's whole run: its fixtures' setup (a module's graded course) too."""
    if item.get_closest_marker("slow") is None:
        _guarded.append(item.nodeid)
    try:
        yield
    finally:
        _guarded.clear()


@pytest.fixture
def course(tmp_path) -> Path:
    return scratch_course(tmp_path / "course")


MADE = "made"  # the marker of what made_once made


@contextmanager
def made_once(tmp_path_factory, name: str):
    """(folder, whether it is already made) for something made once per test run, whichever test
    process asks first: `make test` runs several (pytest-xdist), which share their base temporary
    folder's parent. The others wait under a lock until it is made, then only read it. The maker
    marks it made (`folder / MADE`); one that failed half-way is made again from nothing."""
    base = tmp_path_factory.getbasetemp()
    # A worker's base is <the run's>/popen-<worker>; a pytest that a test starts inherits the
    # worker's variable, not its base: it keeps to its own (the parent is shared by every run).
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    shared = base.parent if worker and base.name == f"popen-{worker}" else base
    folder = shared / name
    with open(shared / f"{name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        made = (folder / MADE).exists()
        if not made:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
        yield folder, made


@pytest.fixture(scope="session")
def demo_class(tmp_path_factory):
    """(root, the batch's CompletedProcess) of the demo class graded once per run (tests/support/batches.py):
    read it; a test that changes it works on a copy (batches.copy_course)."""
    from batches import demo_class

    with made_once(tmp_path_factory, "demo-class") as (folder, made):
        if not made:
            _, result = demo_class(folder / "course")
            (folder / "batch.json").write_text(
                json.dumps(
                    {
                        "args": result.args,
                        "returncode": result.returncode,
                        "stdout": result.stdout,
                        "stderr": result.stderr,
                    }
                )
            )
            (folder / MADE).touch()
        result = subprocess.CompletedProcess(**json.loads((folder / "batch.json").read_text()))
    return folder / "course", result


@pytest.fixture(scope="session")
def demo_feedback(demo_class, tmp_path_factory) -> Path:
    """The graded demo class with its feedback generated (nbgrader generate_feedback), every
    assignment, once per run: the course folder."""
    from nnkit.gradebook.tools import nbgrader
    from nnkit.kernel.config import ASSIGNMENTS

    root, _ = demo_class
    with made_once(tmp_path_factory, "demo-feedback") as (folder, made):
        if not made:
            for assignment in ASSIGNMENTS:
                nbgrader("generate_feedback", assignment, "--force", root=root)
            (folder / MADE).touch()
    return root


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Mark a test that failed, for fixtures that keep evidence of it (the browser's screenshot)."""
    outcome = yield
    if outcome.get_result().when == "call" and outcome.get_result().failed:
        item.failed = True


@pytest.fixture(scope="module")
def listener():
    """A TCP server of the host's (tests/support/listener.py) for a module's gradings to try to reach."""
    from listener import Listener

    server = Listener()
    yield server
    server.server.close()


@pytest.fixture
def nbgrader_path(monkeypatch):
    """nbgrader shells out to `alembic`: this Python's bin/ first on PATH."""
    monkeypatch.setenv("PATH", nbgrader_env()["PATH"])


@pytest.fixture
def deep_submission(tmp_path):
    """A submission nested deeper than Python's recursion limit (tests/support/deep_folders.py)."""
    from deep_folders import DEEP, deep_folder, remove_deep

    top = deep_folder(tmp_path / "deep", DEEP)
    yield top
    remove_deep(top)
