"""Defects a maintainer's reading of the kit found (issue 20), each pinned by a test: the review list
named a submission twice, worker logs overwrote each other, the gradebook's password reached
disk, workers were killed rather than let exit, nothing kept two batches off the same
submissions, hashing read whole files and followed links, the mutation report counted its own
errors as kills, the self-check hid its bugs; and the facts now written once (submission paths,
the review list, the cells that carry points)."""
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path

import pytest

from batches import run_batch
from components import require
from nnkit import batch, exits, locks, mutants, paths, states
from nnkit.autograde import Outcome
from nnkit.scratch import scratch_course
from nnkit.testing import nbgrader_env
from nnkit.config import COURSE_ROOT
from nnkit.states import State, write_outcome

ASSIGNMENT = "activations"


@pytest.fixture
def nbgrader_path(monkeypatch):
    """nbgrader shells out to `alembic`: this Python's bin/ first on PATH."""
    monkeypatch.setenv("PATH", nbgrader_env()["PATH"])


def submit(root: Path, student: str, text: str = "{}") -> Path:
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_text(text)
    return folder


def graded_with_review(root: Path, student: str, detail: str) -> None:
    """A submission graded (its outcome current) whose graded copy holds one review item."""
    submit(root, student)
    write_outcome(root, student, ASSIGNMENT, states.submission_digest(paths.submitted(root, student, ASSIGNMENT)), True)
    graded = paths.graded_notebook(root, student, ASSIGNMENT)
    graded.parent.mkdir(parents=True)
    graded.write_text(json.dumps({"cells": [], "metadata": {"nnkit": {"review": [
        {"kind": "flag", "cell": None, "detail": detail}]}}}))


def not_gradable(root: Path, student: str, reason: str) -> None:
    submit(root, student, "{ not json")
    write_outcome(root, student, ASSIGNMENT, states.submission_digest(paths.submitted(root, student, ASSIGNMENT)),
                  False, reason)


# --- the review list, built once, each submission once; the class's states computed once ---------

def test_the_review_lists_name_each_submission_once_and_the_states_are_computed_once(tmp_path, monkeypatch,
                                                                                      nbgrader_path):
    root = scratch_course(tmp_path / "course")
    not_gradable(root, "broken", "activations.ipynb is not a notebook (not JSON)")
    graded_with_review(root, "flagged", "relu: uses torch")
    hashed = []
    real = states.submission_digest
    monkeypatch.setattr(states, "submission_digest", lambda folder: hashed.append(folder) or real(folder))
    text = batch.finish(root, [ASSIGNMENT])
    assert len(hashed) == 2, f"every submission hashed once, not {len(hashed)} times"
    page = (root / "autograded" / "report.html").read_text()
    for student, reason in (("broken", "not JSON"), ("flagged", "uses torch")):
        assert page.count(f"<b>{student}</b>") == 1, page
        assert page.count(reason) == 1 and text.count(reason) == 1, text
    assert "no longer in submitted/" not in page and "no longer in submitted/" not in text


def test_the_review_list_is_one_rule_over_the_states():
    entries = [states.Submission("a", ASSIGNMENT, State.NOT_GRADABLE, reviews=[states.Review(states.Kind.NOT_GRADABLE, None, "x")]),
               states.Submission("b", ASSIGNMENT, State.REVIEW, reviews=[states.Review(states.Kind.FLAG, None, "y")]),
               states.Submission("c", ASSIGNMENT, State.MISSING),
               states.Submission("d", ASSIGNMENT, State.MISSING, reviews=[states.Review(states.Kind.MANUAL_GRADES_KEPT, None, "z")]),
               states.Submission("e", ASSIGNMENT, State.UNGRADED, reviews=[states.Review(states.Kind.CHANGED, None, "w")]),
               states.Submission("f", ASSIGNMENT, State.GRADED)]
    chosen = states.to_review(entries)
    assert {state: [e.student for e in group] for state, group in chosen.items()} == \
        {State.NOT_GRADABLE: ["a"], State.REVIEW: ["b"], State.MISSING: ["d"]}
    assert list(chosen) == [s for s in states.REVIEW_HEADINGS if s in chosen]


# --- worker logs: one per worker, never overwritten --------------------------------------------

class FakeWorker:
    """A worker that grades at once (every submission graded) and writes its log as the real one does."""
    started = 0

    def __init__(self, root, log, threads):
        FakeWorker.started += 1
        with open(log, "w") as f:
            f.write(f"worker number {FakeWorker.started}\n")
        read, write = os.pipe()
        self.results, self.pipe, self.task = os.fdopen(read), os.fdopen(write, "w"), None
        self.process = subprocess.CompletedProcess([], 0)

    def send(self, task):
        self.task, self.since = task, time.monotonic()  # as the real one: the watchdog reads `since`
        if task is None:
            self.ask_to_exit()
        else:
            self.pipe.write(json.dumps(Outcome(task[0], task[1], True).as_dict()) + "\n")
            self.pipe.flush()

    def ask_to_exit(self):
        if not self.pipe.closed:
            self.pipe.close()

    def receive(self):
        line = self.results.readline()
        return Outcome(**json.loads(line)) if line else None

    def close(self, *_):
        self.ask_to_exit()
        self.results.close()


def test_a_retry_pass_and_another_batch_keep_their_own_worker_logs(tmp_path, monkeypatch):
    root = tmp_path / "course"
    monkeypatch.setattr(batch, "Worker", FakeWorker)
    progress = batch.Progress(2, stream=io.StringIO())
    batch.grade([("a", ASSIGNMENT)], root, 1, progress)  # a first pass, or one shard
    batch.grade([("a", ASSIGNMENT)], root, 1, progress)  # its retry pass, or another shard, the same second
    logs = sorted((root / "outcomes" / "logs").rglob("*.log"))
    assert len(logs) == 2 and {p.read_text() for p in logs} == {"worker number 1\n", "worker number 2\n"}, logs


# --- the gradebook's password never reaches disk -----------------------------------------------

@pytest.fixture(scope="module")
def postgres():
    from postgres import PostgresServer, server_bin

    server = PostgresServer(server_bin(require("postgresql"))).start()
    yield server
    server.stop()


@pytest.mark.slow
def test_the_gradebook_password_is_not_written_to_disk(tmp_path, monkeypatch, postgres, nbgrader_path):
    secret = "s3cret-canary-2718"
    url = postgres.create_database("entered").replace("grader@", f"grader:{secret}@")
    monkeypatch.setenv("NNKIT_DB_URL", url)  # trust authentication: the password is not checked, only carried
    root = scratch_course(tmp_path / "course", own_gradebook=False)
    batch.prepare([ASSIGNMENT], root)
    entered = root / "outcomes" / "entered.json"
    assert entered.is_file() and ASSIGNMENT in entered.read_text()
    written = [p for p in (root / "outcomes").rglob("*") if p.is_file() and secret in p.read_text(errors="replace")]
    assert written == []


# --- workers asked to exit are let exit ----------------------------------------------------------

@pytest.mark.slow
def test_a_worker_asked_to_exit_exits_on_its_own(course, tmp_path):
    worker = batch.Worker(course, tmp_path / "worker.log", None)
    worker.send(None)  # no more work
    worker.close()
    assert worker.process.returncode == 0, (worker.process.returncode, (tmp_path / "worker.log").read_text())


# --- two batches never grade one submission at once ------------------------------------------------

HOLDER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from nnkit import locks
    with locks.grading(Path(sys.argv[1]), [(sys.argv[2], sys.argv[3])]):
        print("held", flush=True)
        sys.stdin.read()  # until the test closes it
""")


@pytest.mark.slow
def test_a_second_batch_on_the_same_submissions_stops_and_says_why_while_shards_run_side_by_side(course):
    for student in ("s0", "s1"):
        submit(course, student)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(course), "s0", ASSIGNMENT], cwd=COURSE_ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"

        def run(*args):
            return run_batch(course, "--assignment", ASSIGNMENT, *args)

        for args in ((), ("--shard", "0/2"), ("--shard", "0/1")):  # every batch that would grade s0
            refused = run(*args)
            assert refused.returncode != 0, args
            assert f"another batch is grading 1 of these submissions (s0 / {ASSIGNMENT})" in refused.stderr, refused.stderr
        assert not (course / "outcomes" / ASSIGNMENT).exists(), "nothing was graded"
        other = run("--shard", "1/2")  # s1 alone: not held, so it goes on (and asks for --prepare)
        assert "another batch" not in other.stderr and "--prepare" in other.stderr, other.stderr
        with locks.grading(course, [("s1", ASSIGNMENT)]):  # in this process, beside the holder
            pass
    finally:
        holder.communicate("", timeout=60)


# --- submission hashing: in blocks, links not followed -------------------------------------------

def test_a_submission_is_hashed_without_following_its_links(tmp_path):
    folder = submit(tmp_path, "s")
    outside, outside_folder = tmp_path / "outside.txt", tmp_path / "outside"
    outside.write_text("one")
    outside_folder.mkdir()
    (outside_folder / "inner.txt").write_text("one")
    (folder / "data.txt").symlink_to(outside)
    (folder / "data").symlink_to(outside_folder)
    before = states.submission_digest(folder)
    outside.write_text("two")
    (outside_folder / "inner.txt").write_text("two")
    assert states.submission_digest(folder) == before, "a link was followed"
    (folder / "data.txt").unlink()
    (folder / "data.txt").symlink_to(tmp_path / "elsewhere.txt")
    assert states.submission_digest(folder) != before, "the link itself is part of the submission"


def test_a_large_submission_is_hashed_in_blocks(tmp_path):
    folder = submit(tmp_path, "s")
    with open(folder / "big.bin", "wb") as f:
        for _ in range(64):
            f.write(os.urandom(2**20))
    tracemalloc.start()
    try:
        states.submission_digest(folder)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20, f"{peak / 2**20:.0f} MiB held to hash a 64 MiB file"


# --- the mutation report: harness errors, deaths and timeouts apart from kills ----------------------

def test_a_harness_error_is_not_a_kill_and_fails_the_run(monkeypatch, capsys):
    import nnkit.judge

    def broken_judge(*_):
        raise RuntimeError("the judge's own bug")

    monkeypatch.setattr(nnkit.judge, "judge", broken_judge)  # the forked children inherit it
    operators = ["core/ReplaceBinaryOperator_Sub_Add"]
    result = mutants.report(ASSIGNMENT, operators, jobs=1)
    assert result.mutants > 0 and result.killed == 0 and len(result.harness_errors) == result.mutants
    assert "the judge's own bug" in mutants.render(result)
    assert mutants.main([ASSIGNMENT, "--operators", *operators, "--jobs", "1"]) == exits.KIT_FAILURE
    assert "harness errors" in capsys.readouterr().out


@pytest.mark.slow
def test_timeouts_and_deaths_are_counted_apart_from_kills(monkeypatch):
    monkeypatch.setattr(mutants, "MUTANT_SECONDS", 10)
    source = mutants.solution_path(ASSIGNMENT).read_text()
    looping = source + "\n\ndef relu(x):\n    while True:\n        pass\n"
    dying = source + "\n\ndef relu(x):\n    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)\n"
    made = [(mutants.Mutant(ASSIGNMENT, "relu", f"test/{name}", 0, 1, name, name), text)
            for name, text in (("loop", looping), ("die", dying))]
    monkeypatch.setattr(mutants, "mutants_of", lambda assignment, operators=None: made)
    result = mutants.report(ASSIGNMENT, ["test"], jobs=2)
    assert (result.mutants, result.killed, result.timeouts, result.deaths, result.harness_errors) == (2, 0, 1, 1, [])
    verdicts = dict((m.operator, v) for m, v in mutants.judge_mutants(ASSIGNMENT, made, jobs=2))
    assert verdicts["test/die"].detail == f"the child died of signal {signal.SIGKILL.name}"


# --- the self-check does not hide its own bugs ---------------------------------------------------

def test_the_self_check_tells_a_bug_from_a_file_that_is_not_a_notebook(tmp_path, monkeypatch):
    from nnkit import selfcheck

    notebook = COURSE_ROOT / "submitted" / "correct" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert selfcheck.assignment_of(notebook) == ASSIGNMENT
    for name, text in (("broken", "{ not json"), ("list", "[]"), ("odd", json.dumps(
            {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "metadata": {"nbgrader": "x"},
                                                                             "source": "", "outputs": []}]}))):
        (tmp_path / f"{name}.ipynb").write_text(text)
        assert selfcheck.assignment_of(tmp_path / f"{name}.ipynb") is None, name

    def bug(_):
        raise RuntimeError("a bug of the kit")

    monkeypatch.setattr(selfcheck, "graded_ids", bug)
    with pytest.raises(RuntimeError, match="a bug of the kit"):
        selfcheck.assignment_of(notebook)


# --- each fact once --------------------------------------------------------------------------

def test_submission_paths_follow_the_courses_nbgrader_directory_structure(tmp_path):
    """Every path to a submission is nbgrader's format_path: a course that configures another
    directory structure is followed by the states, not only by nbgrader."""
    root = scratch_course(tmp_path / "course")
    with open(root / "nbgrader_config.py", "a") as f:
        f.write("\nc.CourseDirectory.directory_structure = '{nbgrader_step}/{assignment_id}-by-{student_id}'\n")
    assert paths.submitted(root, "ann", ASSIGNMENT) == root / "submitted" / f"{ASSIGNMENT}-by-ann"
    assert paths.graded_notebook(root, "ann", ASSIGNMENT) == root / "autograded" / f"{ASSIGNMENT}-by-ann" / f"{ASSIGNMENT}.ipynb"
    assert states.state_of(root, "ann", ASSIGNMENT) == (State.MISSING, [])
    folder = paths.submitted(root, "ann", ASSIGNMENT)
    folder.mkdir(parents=True)
    assert states.state_of(root, "ann", ASSIGNMENT) == (State.UNGRADED, [])


def test_the_course_folder_must_be_a_course(tmp_path, capsys):
    """In-process: refused before anything is graded."""
    with pytest.raises(SystemExit) as exit_:
        exits.run(lambda: batch.main(["--course", str(tmp_path), "--collect"]))
    assert exit_.value.code == exits.CANNOT_CHECK
    assert "is not a course folder: it has no nbgrader_config.py" in capsys.readouterr().err


# --- one place for each path: the locks and the report follow the course's places ----------------

def test_the_locks_live_in_the_course_state_place(tmp_path, monkeypatch):
    from nnkit import places

    monkeypatch.setattr(places, "COURSE_STATE", "state-elsewhere")
    with locks.grading(tmp_path, [("a", ASSIGNMENT)]):
        pass
    assert locks.folder(tmp_path).parent == places.course_state(tmp_path) == tmp_path / "state-elsewhere"
    assert (locks.folder(tmp_path) / f"{ASSIGNMENT}.lock").is_file()


def test_the_report_is_written_in_the_autograded_folder_the_course_config_names(tmp_path, monkeypatch):
    from nnkit import report

    (tmp_path / paths.CONFIG_FILE).write_text("c = get_config()\nc.CourseDirectory.autograded_directory = 'graded'\n")
    monkeypatch.setattr(report, "build", lambda *args: "<p>report</p>")
    written = report.write(tmp_path, [ASSIGNMENT], [])
    assert written == tmp_path / "graded" / paths.REPORT_FILE and written.read_text() == "<p>report</p>"
    assert not (tmp_path / "autograded").exists()


# --- output dropped at the cap is a note on a hidden test, not its verdict (issue 20 review) --------

def hidden_test_notebook():
    """A graded hidden-test cell whose honest record arrived (records bypass the output budget)."""
    import nbformat
    from assignments.activations.key import solution
    from nnkit.codec import MIME
    from nnkit.record import run_case

    cell = nbformat.v4.new_code_cell('record("sigmoid_mnist", sigmoid)')
    cell.metadata["nbgrader"] = {"grade": True, "locked": True, "solution": False, "points": 1,
                                 "grade_id": "test_sigmoid", "schema_version": 3}
    cell.outputs = [nbformat.v4.new_output("display_data", data={MIME: run_case("sigmoid_mnist", solution.sigmoid)})]
    return nbformat.v4.new_notebook(cells=[cell])


def test_output_dropped_at_the_cap_in_a_hidden_test_keeps_its_verdict_and_every_event_is_listed():
    from nnkit.preprocessor import JudgeRecords

    dropped = states.Review(states.Kind.OUTPUT.value, "test_sigmoid", "the grader dropped this cell's output beyond 1 MiB")
    nb, _ = JudgeRecords().preprocess(hidden_test_notebook(), {states.RESOURCES_KEY: [dropped]})
    (cell,) = nb.cells
    assert [o.output_type for o in cell.outputs] == ["stream", "stream"] and "dropped" in cell.outputs[1].text
    assert states.review_of(nb) == [dropped]
    timeout = states.Review(states.Kind.TIMEOUT.value, "test_sigmoid", "it did not finish within the time limit")
    nb, _ = JudgeRecords().preprocess(hidden_test_notebook(), {states.RESOURCES_KEY: [timeout, dropped]})
    assert "time limit" in nb.cells[0].outputs[0].evalue and "dropped" in nb.cells[0].outputs[1].text
    assert states.review_of(nb) == [timeout, dropped], "a second event on the same cell replaced the first"


def test_the_records_budget_has_a_wide_margin_over_the_largest_honest_notebook():
    """Every case's honest record, measured as the grader stores it: each assignment's together stay
    under a tenth of RECORDS_BYTES_PER_NOTEBOOK."""
    import importlib

    from nnkit import limits
    from nnkit.cases import CASES
    from nnkit.execute import stored_bytes
    from nnkit.record import run_case

    together = {}
    for name, case in CASES.items():
        key = importlib.import_module(f"assignments.{case.assignment}.key.solution")
        record = run_case(name, *[getattr(key, function) for function in case.functions])
        together[case.assignment] = together.get(case.assignment, 0) + stored_bytes(record, limits.RECORD_BYTES)
    assert len(together) >= 3 and max(together.values()) < limits.RECORDS_BYTES_PER_NOTEBOOK / 10, together


# --- reading a course's settings leaves no trace in the process (found by a full run: a later batch
# imported the sitecustomize.py a --no-sandbox control run had let a student write into its course)

def test_reading_a_courses_settings_changes_neither_the_environment_nor_the_import_path(tmp_path, monkeypatch):
    (tmp_path / paths.CONFIG_FILE).write_text(
        "import os, sys\nsys.path.insert(0, 'planted')\nos.environ['PYTHONPATH'] = 'planted'\n"
        "c = get_config()\nc.CourseDirectory.autograded_directory = 'graded'\n")
    monkeypatch.setenv("PYTHONPATH", "mine")
    before = list(sys.path)
    assert paths.course_settings(tmp_path).CourseDirectory.autograded_directory == "graded"
    assert os.environ["PYTHONPATH"] == "mine" and sys.path == before


def kit_imports() -> dict[str, set[str]]:
    """{module: the nnkit modules it imports} for every module of nnkit/, read from its source."""
    import ast

    graph = {}
    for path in (COURSE_ROOT / "nnkit").glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("nnkit"):
                found |= {node.module} if node.module != "nnkit" else {f"nnkit.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("nnkit.")}
        graph[f"nnkit.{path.stem}"] = found - {f"nnkit.{path.stem}"}
    return graph


def test_the_kits_import_graph_is_one_way_and_never_reaches_the_test_helpers():
    graph = kit_imports()
    assert not [m for m, uses in graph.items() if "nnkit.testing" in uses], "production code imports nnkit.testing"
    state: dict[str, str] = {}

    def visit(module, trail):
        if state.get(module) == "done":
            return
        assert state.get(module) != "open", f"import cycle: {' -> '.join(trail + [module])}"
        state[module] = "open"
        for used in sorted(graph.get(module, ())):
            visit(used, trail + [module])
        state[module] = "done"

    for module in sorted(graph):
        visit(module, [])
