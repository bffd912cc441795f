"""The hostile catalogue (tests/support/hostile.py) through the real batch, next to correct students and a
victim: every entry gets its defined outcome and state, nobody else loses anything, nothing outside
the students' own graded copies changes (the course and the grader's home are hashed before and
after), the gradebook holds only what nbgrader wrote, no process is left, no environment variable
of the grader's reaches a notebook. Two workers grade it. The runs that show each attack works
without the defence that stops it here, and a batch killed midway: test_hostile_runs.py."""
import hashlib
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import time
from pathlib import Path

import pytest
from nbgrader.utils import determine_grade, is_grade

import keys
from batches import start_batch
from hostile import (
    CATALOGUE,
    FORGED_LOG_LINE,
    MARKER,
    NOT_GRADABLE,
    NOTEBOOK_BUDGET,
    STOLEN_INPUTS,
    SUBMISSION_MEMORY,
    VICTIM,
    Context,
    write_submission,
)
from nnkit.collect.nofollow import walk
from nnkit.collect.notebooks import notebook_path, read
from nnkit.gradebook.scratch import scratch_course
from nnkit.gradebook.states import State, class_submissions
from nnkit.gradebook.tools import nbgrader
from nnkit.kernel import limits
from nnkit.kernel.config import COURSE_ID, COURSE_ROOT
from nnkit.sandbox import cgroups
from nnkit.testing import gradebook_problems, nbgrader_env, usage_of
from processes import Watch

pytestmark = pytest.mark.slow  # the catalogue's batch, and batches of their own

TIMESTAMP = "2026-01-05 10:00:00.000000 UTC"
# Seconds per cell in these runs (the course's own limit is in nnkit/kernel/limits.py): wide enough that a
# loaded machine cannot flip a verdict. The fork bomb's relu, the slowest cell that must finish (its
# ~250 forks), took 0.6 to 1.0 s in the sandbox at a load average of 8 on 2 cores; the 3 s and then
# 5 s limits were missed with another grading beside, and 10 s by empty_outputs' 1,100 messages with
# three test processes on 2 cores. Each cell that loops costs this much (twice for swallows_interrupt),
# so it is not wider still.
TIMEOUT = 15
CANARY = "canary-7d1f3e"
# What the grader itself writes in the course and in its home; everything else must be unchanged.
GRADER_WRITES = {
    "autograded",
    "outcomes",
    "gradebook.db",
    "gradebook.db-journal",
    "grades.csv",
    "feedback",
    "__pycache__",
}
HOME_GRADER_WRITES = {".cache/matplotlib", ".config/matplotlib", ".local/share/jupyter/runtime"}
VICTIMS = {"blank": 0, "correct": 12, "seed": 10, VICTIM: 12}
CONTROLLED = ["steals_solution_module", "steals_solution_file", "steals_source_notebook", "steals_classmate",
              "steals_stored_results", "writes_gradebook", "writes_kit", "writes_course_config", "writes_grader_home",
              "writes_kernel_module", "writes_classmate", "writes_outside", "opens_socket", "reads_environment"]

def course_with(root: Path, entries, home: Path, port: int, victims=VICTIMS, collect_flags=()) -> Path:
    scratch_course(root, copy_kit=True)
    with open(root / "nbgrader_config.py", "a") as config:
        config.write(
            f"\nc.ResilientExecute.timeout = {TIMEOUT}\nc.ResilientExecute.notebook_timeout = {NOTEBOOK_BUDGET}\n"
            f"c.SandboxedKernelManager.submission_memory_bytes = {SUBMISSION_MEMORY}\n"
        )
    nbgrader("generate_assignment", "activations", root=root)
    release = read(notebook_path("release", "activations", root))
    for student in victims:
        source = COURSE_ROOT / "submitted" / ("correct" if student == VICTIM else student) / "activations"
        shutil.copytree(source, root / "submitted" / student / "activations")
    ctx = Context(str(root), str(home), port)
    for name in entries:
        entry = CATALOGUE[name]
        folder = (inbound(root, name) if entry.exchange else root / "submitted" / name / "activations")
        write_submission(folder, entry, release, ctx)
        if entry.exchange:
            (folder / "timestamp.txt").write_text(TIMESTAMP)
        if entry.files:
            entry.files(folder, ctx)
    if any(CATALOGUE[name].exchange for name in entries):
        nbgrader("collect", "activations", *collect_flags, root=root)
    (home / ".ssh").mkdir(parents=True, exist_ok=True)
    (home / ".ssh" / "authorized_keys").write_text("ssh-ed25519 AAAA grader\n")
    (home / ".ssh" / "authorized_keys").chmod(0o600)
    return root


def inbound(root: Path, student: str) -> Path:
    """Where `nbgrader submit` leaves a submission of `activations` in the course's exchange."""
    return root / "exchange" / COURSE_ID / "inbound" / f"{student}+activations+{TIMESTAMP}+r4nd0m"


def run_batch(root: Path, home: Path, *flags, env: dict | None = None, **popen):
    """The batch, in a session keyring of its own holding a canary key (tests/support/keys.py)."""
    env = (
        nbgrader_env()
        | {"HOME": str(home), "NNKIT_CANARY": CANARY, "NNKIT_DB_URL": f"postgresql://grader:{CANARY}@nowhere/nnkit"}
        | (env or {})
    )  # the course ignores NNKIT_DB_URL
    return start_batch(root, "--assignment", "activations", *flags, env=env,
                       launch=lambda command: keys.in_canary_session(command, CANARY), **popen)


def tree_digest(folder: Path, skip: set[str]) -> dict[str, str]:
    """{relative path: sha256} of every file under `folder`, except those under a path in `skip`; by the
    kit's own walk (nnkit.collect.nofollow), which reads any name and any length of path a student makes."""
    found = {}
    for entry in walk(folder):
        relative = entry.relative
        if any(relative == s or relative.startswith(s + "/") or f"/{s}/" in f"/{relative}/" for s in skip):
            continue
        if stat.S_ISREG(entry.status.st_mode):
            with open(os.open(entry.name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=entry.dir_fd), "rb") as f:
                found[relative] = hashlib.file_digest(f, "sha256").hexdigest()
        elif stat.S_ISLNK(entry.status.st_mode):
            found[relative] = "-> " + os.readlink(entry.name, dir_fd=entry.dir_fd)
    return found


def leftover_processes(watch: Watch, seconds: float = 60) -> list[str]:
    """The run's own processes still running: each process seen in its tree (tests/support/processes.py),
    and any with this session's MARKER in its command line (a daemon an entry detached). Never the
    machine's others: another grading may run beside this one. Given `seconds` to go (a loaded
    machine reaps slowly)."""
    deadline = time.monotonic() + seconds
    while True:
        rows = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True).stdout.splitlines()
        left = watch.still_running() + [row.strip() for row in rows if MARKER in row and "ps -eo" not in row]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.5)


def graded(root: Path, entries, home: Path, port: int, *flags, env: dict | None = None) -> dict:
    """Grade a course with these entries; return what the tests look at, with the grader's peak memory."""
    before = tree_digest(root, GRADER_WRITES), tree_digest(home, HOME_GRADER_WRITES)
    start = time.perf_counter()
    process = run_batch(root, home, *flags, env=env)
    watch = Watch(process.pid)
    out, err = process.communicate(timeout=1500)
    watch.stop()
    assert process.returncode == 0, out + err
    return {
        "root": root,
        "home": home,
        "out": out,
        "err": err,
        "seconds": time.perf_counter() - start,
        "before": before,
        "memory": watch.peak_memory(),
        "workers": watch.workers,
        "most_grading": watch.most_grading,
        "after": (tree_digest(root, GRADER_WRITES), tree_digest(home, HOME_GRADER_WRITES)),
        "processes": leftover_processes(watch),
        "states": {e.student: e for e in class_submissions(root, ["activations"])},
    }


@pytest.fixture(scope="module")
def batch(tmp_path_factory, listener):
    base = tmp_path_factory.mktemp("hostile")
    root = course_with(base / "course", CATALOGUE, base / "home", listener.port)
    # two workers, as a class is graded on this machine: hostile neighbours in parallel kernels
    return graded(root, CATALOGUE, base / "home", listener.port, "--jobs", "2")


def test_two_workers_graded_the_catalogue(batch):
    """Seen, not echoed: two worker processes, each with a kernel of its own at the same moment."""
    assert len(batch["workers"]) >= 2 and batch["most_grading"] >= 2, (batch["workers"], batch["most_grading"])


def messages(root, student):
    notebook = read(root / "autograded" / student / "activations" / "activations.ipynb")
    return "\n".join(o.get("evalue", "") + o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_entry_gets_its_defined_outcome(batch, name):
    root, entry, got = batch["root"], CATALOGUE[name], batch["states"][name]
    assert got.state.value == entry.state, (got.state, got.reasons)
    if entry.score == NOT_GRADABLE:
        assert got.score is None and entry.phrase in "; ".join(got.reasons), got.reasons
        return
    assert got.score == entry.score, got.cells
    if entry.phrase:
        assert entry.phrase in messages(root, name)


def test_the_victims_beside_them_keep_their_grades(batch):
    assert {s: batch["states"][s].score for s in VICTIMS} == VICTIMS
    print(f"\nhostile batch: {len(CATALOGUE) + len(VICTIMS)} submissions in {batch['seconds']:.1f} s")


def test_nothing_outside_the_graders_own_output_changed(batch):
    (course_before, home_before), (course_after, home_after) = batch["before"], batch["after"]
    assert course_after == course_before
    assert home_after == home_before


def test_no_process_is_left(batch):
    assert batch["processes"] == []


def test_the_gradebook_holds_only_what_nbgrader_wrote(batch):
    root = batch["root"]
    assert gradebook_problems(root) == []
    with sqlite3.connect(root / "gradebook.db") as db:
        assert db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall() == []
        assert db.execute("SELECT count(*) FROM grade WHERE manual_score IS NOT NULL").fetchone() == (0,)
    for student, entry in batch["states"].items():
        if entry.state in (State.GRADED, State.REVIEW):
            notebook = read(root / "autograded" / student / "activations" / "activations.ipynb")
            recomputed = {c.metadata["nbgrader"]["grade_id"]: determine_grade(c)[0] for c in notebook.cells
                          if is_grade(c) and c.metadata["nbgrader"]["points"] > 0}
            deleted = {cell: 0.0 for cell in entry.cells.keys() - recomputed.keys()}  # nbgrader scores a missing cell 0
            assert entry.cells == recomputed | deleted, student


def test_no_variable_of_the_graders_environment_reaches_a_notebook(batch, listener):
    root = batch["root"]
    leaked = [p for p in (root / "autograded").rglob("*.ipynb") if CANARY in p.read_text()]
    assert leaked == [] and "'HOME': '/home/student'" in messages(root, "reads_environment")
    assert listener.received == b""


def test_nothing_written_in_the_sandbox_reaches_the_host(batch, listener):
    """writes_outside writes to the host's /tmp without the sandbox (test_the_attacks_work_without_the_sandbox)."""
    assert batch["states"]["writes_outside"].score == 12
    assert not Path(STOLEN_INPUTS.format(port=listener.port)).exists()


def test_the_graders_memory_stays_within_its_bound(batch):
    """Every output that reaches a graded notebook is budgeted (nnkit.kernel.limits): a worker that grades
    the whole catalogue, the worst notebook included, stays within GRADER_MEMORY_BYTES."""
    peak = batch["memory"]
    print(f"\nthe grader's peak memory on the hostile catalogue: {peak / 2**20:.0f} MiB")
    assert 0 < peak < limits.GRADER_MEMORY_BYTES, f"a grading worker reached {peak / 2**20:.0f} MiB"


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # every control character but a tab and a line's end


def test_no_control_character_a_student_named_reaches_the_terminal_or_a_log(batch):
    """escape_sequence_name's link and awkward_names' files, named with escape sequences, newlines and
    bytes that are not UTF-8: the batch's summary and progress, and the workers' logs, show them escaped."""
    assert "escape_sequence_name / activations: \\x1b[2J\\x1b[1;1Hevery submission graded" in batch["out"]
    assert CONTROL.findall(batch["out"] + batch["err"]) == []
    logs = sorted((batch["root"] / "outcomes" / "logs").rglob("*.log"))
    assert logs and {log.name: CONTROL.findall(log.read_text(errors="replace")) for log in logs} == \
        {log.name: [] for log in logs}


def test_flagged_and_ungradable_entries_are_listed_for_review(batch):
    page = (batch["root"] / "autograded" / "report.html").read_text()
    for name, entry in CATALOGUE.items():
        if entry.state != "graded":
            assert f"<b>{name}</b>" in page, name
    for student in VICTIMS:
        assert f"<b>{student}</b>" not in page


def test_the_sandbox_page_names_every_entry():
    """docs/sandbox.md names each entry under what stops it (what each does: tests/support/hostile.py)."""
    page = (COURSE_ROOT / "docs" / "sandbox.md").read_text().split("\n## Hostile and broken submissions\n", 1)[1]
    assert [name for name in CATALOGUE if f"`{name}`" not in page] == []


def test_a_root_owned_file_outside_the_course_keeps_its_owner(batch):
    """swaps_connection_file links its connection file to this file before a restart."""
    keys = batch["home"] / ".ssh" / "authorized_keys"
    assert (keys.stat().st_uid, keys.stat().st_mode & 0o777) == (os.geteuid(), 0o600)


def test_no_log_of_the_grader_holds_a_line_a_kernel_wrote(batch):
    logs = sorted((batch["root"] / "outcomes" / "logs").rglob("*.log"))
    assert logs and not [log.name for log in logs if FORGED_LOG_LINE in log.read_text(errors="replace")]


def test_no_submission_exceeded_its_memory_limit_measured_by_its_cgroup(batch):
    """The peak of each submission's cgroup (its own counter: memory.max_usage_in_bytes on v1)."""
    if cgroups.unavailable():
        pytest.skip(f"no cgroup here: {cgroups.unavailable()}")
    peaks = {}
    for student, entry in batch["states"].items():
        if entry.state in (State.GRADED, State.REVIEW):
            usage = usage_of(read(batch["root"] / "autograded" / student / "activations" / "activations.ipynb"))
            assert usage["memory_limit_bytes"] == SUBMISSION_MEMORY, student
            peaks[student] = usage["peak_memory_bytes"]
    assert all(0 < peak <= SUBMISSION_MEMORY for peak in peaks.values()), peaks
    worst = max(peaks, key=peaks.get)
    assert worst in ("memfd_hoard", "process_tree"), peaks
    print(f"\nworst peak: {worst} {peaks[worst] / 2**20:.0f} MiB of {SUBMISSION_MEMORY / 2**20:.0f} MiB")


def test_the_batch_said_nothing_of_per_process_limits_where_a_cgroup_was_had(batch):
    assert (cgroups.PER_PROCESS_ONLY in batch["err"]) == bool(cgroups.unavailable())
