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
from nnkit.batch import cli
from nnkit.batch import preparation
from nnkit.batch import summary
from nnkit.batch import supervisor
from nnkit import exits
from nnkit.batch import locks
from nnkit.authoring import mutants
from nnkit.collect import paths
from nnkit.gradebook import states
from nnkit.gradebook import outcomes
from nnkit.gradebook.outcomes import Outcome
from nnkit.judging import review
from nnkit.gradebook.scratch import scratch_course
from nnkit.testing import nbgrader_env
from nnkit.kernel.config import COURSE_ROOT
from nnkit.gradebook.states import State

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
    outcomes.write(root, Outcome(student, ASSIGNMENT, True, submission=outcomes.submitted_digest(root, student, ASSIGNMENT)))
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


def test_the_review_list_is_one_rule_over_the_states():
    entries = [states.Submission("a", ASSIGNMENT, State.NOT_GRADABLE, reviews=[review.Review(review.Kind.NOT_GRADABLE, None, "x")]),
               states.Submission("b", ASSIGNMENT, State.REVIEW, reviews=[review.Review(review.Kind.FLAG, None, "y")]),
               states.Submission("c", ASSIGNMENT, State.MISSING),
               states.Submission("d", ASSIGNMENT, State.MISSING, reviews=[review.Review(review.Kind.MANUAL_GRADES_KEPT, None, "z")]),
               states.Submission("e", ASSIGNMENT, State.UNGRADED, reviews=[review.Review(review.Kind.CHANGED, None, "w")]),
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
    monkeypatch.setattr(supervisor, "Worker", FakeWorker)
    progress = supervisor.Progress(2, stream=io.StringIO())
    supervisor.grade([("a", ASSIGNMENT)], root, 1, progress)  # a first pass, or one shard
    supervisor.grade([("a", ASSIGNMENT)], root, 1, progress)  # its retry pass, or another shard, the same second
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
    preparation.prepare([ASSIGNMENT], root)
    entered = root / "outcomes" / "entered.json"
    assert entered.is_file() and ASSIGNMENT in entered.read_text()
    written = [p for p in (root / "outcomes").rglob("*") if p.is_file() and secret in p.read_text(errors="replace")]
    assert written == []


# --- workers asked to exit are let exit ----------------------------------------------------------

@pytest.mark.slow
def test_a_worker_asked_to_exit_exits_on_its_own(course, tmp_path):
    worker = supervisor.Worker(course, tmp_path / "worker.log", None)
    worker.send(None)  # no more work
    worker.close()
    assert worker.process.returncode == 0, (worker.process.returncode, (tmp_path / "worker.log").read_text())


# --- two batches never grade one submission at once ------------------------------------------------

HOLDER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from nnkit.batch import locks
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
    before = outcomes.submission_digest(folder)
    outside.write_text("two")
    (outside_folder / "inner.txt").write_text("two")
    assert outcomes.submission_digest(folder) == before, "a link was followed"
    (folder / "data.txt").unlink()
    (folder / "data.txt").symlink_to(tmp_path / "elsewhere.txt")
    assert outcomes.submission_digest(folder) != before, "the link itself is part of the submission"


def test_a_large_submission_is_hashed_in_blocks(tmp_path):
    folder = submit(tmp_path, "s")
    with open(folder / "big.bin", "wb") as f:
        for _ in range(64):
            f.write(os.urandom(2**20))
    tracemalloc.start()
    try:
        outcomes.submission_digest(folder)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20, f"{peak / 2**20:.0f} MiB held to hash a 64 MiB file"


# --- the mutation report: harness errors, deaths and timeouts apart from kills ----------------------

def test_a_harness_error_is_not_a_kill_and_fails_the_run(monkeypatch, capsys):
    import nnkit.judging.judge

    def broken_judge(*_):
        raise RuntimeError("the judge's own bug")

    monkeypatch.setattr(nnkit.judging.judge, "judge", broken_judge)  # the forked children inherit it
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
    from nnkit.batch import selfcheck

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
        exits.run(lambda: cli.main(["--course", str(tmp_path), "--collect"]))
    assert exit_.value.code == exits.CANNOT_CHECK
    assert "is not a course folder: it has no nbgrader_config.py" in capsys.readouterr().err


# --- one place for each path: the locks and the report follow the course's places ----------------

def test_the_locks_live_in_the_course_state_place(tmp_path, monkeypatch):
    from nnkit.sandbox import places

    monkeypatch.setattr(places, "COURSE_STATE", "state-elsewhere")
    with locks.grading(tmp_path, [("a", ASSIGNMENT)]):
        pass
    assert locks.folder(tmp_path).parent == places.course_state(tmp_path) == tmp_path / "state-elsewhere"
    assert (locks.folder(tmp_path) / f"{ASSIGNMENT}.lock").is_file()


def test_the_report_is_written_in_the_autograded_folder_the_course_config_names(tmp_path, monkeypatch):
    from nnkit.views import report

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
    from nnkit.kernel.schema import MIME
    from nnkit.kernel.record import run_case

    cell = nbformat.v4.new_code_cell('record("sigmoid_mnist", sigmoid)')
    cell.metadata["nbgrader"] = {"grade": True, "locked": True, "solution": False, "points": 1,
                                 "grade_id": "test_sigmoid", "schema_version": 3}
    cell.outputs = [nbformat.v4.new_output("display_data", data={MIME: run_case("sigmoid_mnist", solution.sigmoid)})]
    return nbformat.v4.new_notebook(cells=[cell])


def test_output_dropped_at_the_cap_in_a_hidden_test_keeps_its_verdict_and_every_event_is_listed():
    from nnkit.judging.step import JudgeRecords

    dropped = review.Review(review.Kind.OUTPUT.value, "test_sigmoid", "the grader dropped this cell's output beyond 1 MiB")
    nb, _ = JudgeRecords().preprocess(hidden_test_notebook(), {review.RESOURCES_KEY: [dropped]})
    (cell,) = nb.cells
    assert [o.output_type for o in cell.outputs] == ["stream", "stream"] and "dropped" in cell.outputs[1].text
    assert review.review_of(nb) == [dropped]
    timeout = review.Review(review.Kind.TIMEOUT.value, "test_sigmoid", "it did not finish within the time limit")
    nb, _ = JudgeRecords().preprocess(hidden_test_notebook(), {review.RESOURCES_KEY: [timeout, dropped]})
    assert "time limit" in nb.cells[0].outputs[0].evalue and "dropped" in nb.cells[0].outputs[1].text
    assert review.review_of(nb) == [timeout, dropped], "a second event on the same cell replaced the first"


def test_the_records_budget_has_a_wide_margin_over_the_largest_honest_notebook():
    """Every case's honest record, measured as the grader stores it: each assignment's together stay
    under a tenth of RECORDS_BYTES_PER_NOTEBOOK."""
    import importlib

    from nnkit.kernel import limits
    from nnkit.kernel.cases import CASES
    from nnkit.execution.execute import stored_bytes
    from nnkit.kernel.record import run_case

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


def module_name(path: Path) -> str:
    parts = path.relative_to(COURSE_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def kit_imports() -> dict[str, set[str]]:
    """{module: the nnkit modules it imports} for every module of nnkit/, read from its source."""
    import ast

    graph = {}
    for path in (COURSE_ROOT / "nnkit").rglob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("nnkit"):
                found |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in MODULES else node.module
                          for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("nnkit.")}
        graph[module_name(path)] = found - {module_name(path)}
    return graph


MODULES = {module_name(p) for p in (COURSE_ROOT / "nnkit").rglob("*.py")}


def package_of(module: str) -> str:
    """nnkit.batch.cli -> batch; a module at the top (nnkit.exits) is a package of its own."""
    return module.split(".")[1] if module.count(".") else module


def visit_all(graph: dict[str, set[str]]) -> None:
    """Fails on the first cycle of a graph {node: the nodes it uses}."""
    state: dict[str, str] = {}

    def visit(node, trail):
        if state.get(node) == "done":
            return
        assert state.get(node) != "open", f"import cycle: {' -> '.join(trail + [node])}"
        state[node] = "open"
        for used in sorted(graph.get(node, ())):
            visit(used, trail + [node])
        state[node] = "done"

    for node in sorted(graph):
        visit(node, [])


def test_the_kits_import_graph_is_one_way_and_never_reaches_the_test_helpers():
    graph = kit_imports()
    assert not [m for m, uses in graph.items() if "nnkit.testing" in uses], "production code imports nnkit.testing"
    visit_all(graph)


def test_the_import_graph_between_packages_is_one_way():
    packages: dict[str, set[str]] = {}
    for module, uses in kit_imports().items():
        packages.setdefault(package_of(module), set()).update(
            package_of(u) for u in uses if package_of(u) not in (package_of(module), "nnkit"))
    visit_all(packages)


# --- the record format: one typed schema, in nnkit/kernel/schema.py alone -------------------------------

def kit_sources() -> list[Path]:
    """Every Python file of the kit's own code: nnkit/, scripts/, benchmarks/ and the course config."""
    return sorted([*(COURSE_ROOT / "nnkit").rglob("*.py"), *(COURSE_ROOT / "scripts").glob("*.py"),
                   *(COURSE_ROOT / "benchmarks").glob("*.py"), COURSE_ROOT / "nbgrader_config.py"])


def keys_used(tree) -> set[str]:
    """The strings a module uses as dict keys: `x["k"]`, `x.get("k")`, `{"k": ...}`, `"k" in x`."""
    import ast

    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            found.add(node.slice)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "get", "pop", "setdefault") and node.args:
            found.add(node.args[0])
        elif isinstance(node, ast.Dict):
            found |= {key for key in node.keys if key is not None}
        elif isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
            found.add(node.left)
    return {key.value for key in found if isinstance(key, ast.Constant) and isinstance(key.value, str)}


def test_the_record_format_is_spelled_in_nnkit_records_alone():
    """The four modules that handle records (and the fairness benchmark, which reads them) go through
    nnkit.kernel.schema: no other file of the kit spells its MIME type, and none that handles records
    spells one of its keys (the keys are the schema's own fields)."""
    import ast

    from nnkit.kernel import schema as records
    from nnkit.sandbox import bwrap

    assert (COURSE_ROOT / "nnkit" / bwrap.KERNEL_SIDE / "schema.py").is_file()
    graph = kit_imports()
    assert all("nnkit.kernel.schema" in graph[user] for user in (
        "nnkit.kernel.record", "nnkit.execution.execute", "nnkit.judging.step", "nnkit.judging.judge"))
    assert {"case", "oversized", "left", "repeated", "input_digest", "mutated"} <= records.KEYS
    for path in kit_sources():
        if path == COURSE_ROOT / "nnkit" / "kernel" / "schema.py":
            continue
        text = path.read_text()
        assert records.MIME not in text and "vnd.nnkit" not in text, f"{path.name} spells the record's MIME type"
        tree = ast.parse(text)
        handles = any(isinstance(node, ast.ImportFrom) and (node.module == "nnkit.kernel.schema" or node.module == "nnkit.kernel" and any(
            alias.name == "schema" for alias in node.names)) for node in ast.walk(tree))
        if handles:
            assert not keys_used(tree) & records.KEYS, f"{path.name} spells the record's keys {keys_used(tree) & records.KEYS}"


def test_a_record_reads_back_through_its_schema_and_a_malformed_one_is_the_students():
    import importlib

    from nnkit.kernel import schema as records
    from nnkit.kernel.cases import CASES
    from nnkit.kernel.codec import Malformed
    from nnkit.judging.judge import judge
    from nnkit.kernel.record import run_case

    for name, case in CASES.items():
        key = importlib.import_module(f"assignments.{case.assignment}.key.solution")
        honest = json.loads(json.dumps(run_case(name, *[getattr(key, function) for function in case.functions])))
        parsed = records.parse(honest)
        assert isinstance(parsed, records.Outcome) and records.as_data(parsed) == honest, name
    sent = records.as_data(records.Oversized("relu_mnist", 2**24))
    assert records.parse(sent) == records.Oversized("relu_mnist", 2**24) and records.case_of(sent) == "relu_mnist"
    assert records.parse(records.as_data(records.Repeated("relu_mnist"))) == records.Repeated("relu_mnist")
    honest = run_case("relu_mnist", lambda x: np_maximum(x))
    for broken, field in (({**honest, "warnings": [{"category": "RuntimeWarning", "message": "x"}]}, "numeric"),
                          ({**honest, "mutated": "x"}, "mutated"), ({**honest, "exception": ["x"]}, "exception"),
                          ({**honest, "seconds": "fast"}, "seconds"), ({"case": "relu_mnist", "oversized": "big"}, "oversized"),
                          ({"oversized": 1}, "case")):
        with pytest.raises(Malformed, match=field):
            records.parse(broken)
        verdict = judge(broken)
        assert not verdict.passed and not verdict.review, verdict  # the student's, never the kit's to review


def np_maximum(x):
    import numpy as np

    return np.maximum(x, 0)


# --- each fact once: names, the kit's folder, the cells that carry points, the exit codes ---------

def test_each_name_the_kit_shares_with_its_environment_is_spelled_in_one_module():
    """A variable's name (the sandbox's opt-out, the gradebook's URL, the thread counts) or the
    record's MIME type, as a string in the code, appears in its one module; the others import it."""
    import ast

    from nnkit.gradebook import db as gradebook
    from nnkit.kernel import limits
    from nnkit.kernel import schema as records
    from nnkit.sandbox import bwrap

    homes = {bwrap.OPT_OUT_VARIABLE: "nnkit/sandbox/bwrap.py", gradebook.DB_URL_VARIABLE: "nnkit/gradebook/db.py",
             records.MIME: "nnkit/kernel/schema.py", **{name: "nnkit/kernel/limits.py" for name in limits.THREAD_VARIABLES}}
    spelled = {}
    for path in kit_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in homes:
                spelled.setdefault(node.value, set()).add(str(path.relative_to(COURSE_ROOT)))
    assert spelled == {name: {home} for name, home in homes.items()}


def test_the_kits_folder_is_found_in_one_place():
    """nnkit.kernel.config finds the course by its own file; nbgrader_config.py finds itself (it must, before
    it can import the kit); everything else imports COURSE_ROOT. (Another module's `__file__`, an
    installed package's, is not the kit's folder.)"""
    import ast

    found = [str(path.relative_to(COURSE_ROOT)) for path in kit_sources()
             if any(isinstance(node, ast.Name) and node.id == "__file__" for node in ast.walk(ast.parse(path.read_text())))]
    assert found == ["nbgrader_config.py", "nnkit/kernel/config.py"], found


def test_which_cells_carry_points_is_decided_in_one_place(monkeypatch):
    """nnkit.gradebook.points.carries_points decides it for the states, the CSV and the report (points_of)
    and for the benchmarks: change the rule there, and every one of them follows."""
    import nbformat
    from types import SimpleNamespace

    from benchmarks import fairness
    from nnkit.gradebook import points as gradebook

    def cell(name, points):
        made = nbformat.v4.new_code_cell("")
        made.metadata["nbgrader"] = {"grade": True, "grade_id": name, "points": points}
        return made

    cells = [SimpleNamespace(name="check_shape", max_score=0), SimpleNamespace(name="test_relu", max_score=3)]
    book = SimpleNamespace(find_assignment=lambda _: SimpleNamespace(notebooks=[SimpleNamespace(grade_cells=cells)]))
    assert gradebook.points_of(book, ASSIGNMENT) == {"test_relu": 3}
    assert [fairness.is_graded(cell(c.name, c.max_score)) for c in cells] == [False, True]
    monkeypatch.setattr(gradebook, "carries_points", lambda points: True)  # a rule that counts the checks too
    assert gradebook.points_of(book, ASSIGNMENT) == {"check_shape": 0, "test_relu": 3}
    assert [fairness.is_graded(cell(c.name, c.max_score)) for c in cells] == [True, True]


def test_every_command_exits_through_the_one_exit_code_policy():
    """Every `python -m` entry point of the kit, its scripts and benchmarks ends in exits.run(main),
    and no other code exits by itself or returns a bare number: the codes are nnkit.exits'."""
    import ast

    for path in kit_sources():
        tree = ast.parse(path.read_text())
        name = str(path.relative_to(COURSE_ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "__name__" in ast.unparse(node.test) and "__main__" in ast.unparse(node.test):
                assert ast.unparse(node.body[-1]) == "exits.run(main)", name
            if name != "nnkit/exits.py":
                assert not (isinstance(node, ast.Call) and ast.unparse(node.func) in ("sys.exit", "exit", "quit")), name
                assert not (isinstance(node, ast.Raise) and node.exc is not None and "SystemExit" in ast.unparse(node.exc)), name
            if isinstance(node, ast.FunctionDef) and node.name == "main":
                bare = [ast.unparse(r) for r in ast.walk(node) if isinstance(r, ast.Return) and isinstance(r.value, ast.Constant)]
                assert not bare, (name, bare)


def test_a_bad_assignment_name_is_a_bad_argument(capsys):
    from nnkit.authoring import commands as authoring

    with pytest.raises(SystemExit) as exited:
        authoring.main(["add", "Bad-Name"])
    assert exited.value.code == exits.CANNOT_CHECK
    assert "a Python identifier in lower case" in capsys.readouterr().err


def test_a_review_reason_is_named_by_its_kind_in_the_state_model_alone():
    """A new kind of review reason is a member of review.Kind and the code that finds it: no module
    that makes or reads review items spells a kind's value, and the self-check leaves out grading
    without the sandbox by its kind, never by its words."""
    import ast

    from nnkit.batch import selfcheck
    from nnkit.gradebook.states import Submission
    from nnkit.judging.review import Kind, Review

    values = {kind.value for kind in Kind}
    for path in kit_sources():
        if path == COURSE_ROOT / "nnkit" / "judging" / "review.py":
            continue
        tree = ast.parse(path.read_text())
        if any(isinstance(node, ast.ImportFrom) and node.module == "nnkit.judging.review" and {a.name for a in node.names} & {
                "Review", "Kind"} for node in ast.walk(tree)):
            spelled = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and node.value in values}
            assert not spelled, f"{path.name} spells the review kinds {spelled}: use review.Kind"
    entry = Submission("ann", ASSIGNMENT, State.REVIEW, reviews=[
        Review(Kind.NO_SANDBOX, None, "graded without the sandbox (--no-sandbox)"),
        Review(Kind.FLAG, None, "relu: imports torch, which is there without the sandbox")])
    assert selfcheck.instructor_reasons(entry) == ["relu: imports torch, which is there without the sandbox"]
    assert Review(Kind.FLAG, None, "x").as_data() == {"kind": "flag", "cell": None, "detail": "x"}


def test_every_path_to_a_submission_is_built_by_nnkit_paths():
    """A step's folder ("submitted", "autograded") is named only in nnkit.collect.paths, or as the step a
    call to one of its functions asks for: no file of the kit joins it to a student by hand."""
    import ast

    for path in kit_sources():
        if path == COURSE_ROOT / "nnkit" / "collect" / "paths.py":
            continue
        tree = ast.parse(path.read_text())
        asked = {id(arg) for node in ast.walk(tree) if isinstance(node, ast.Call)
                 and ast.unparse(node.func).startswith("paths.") for arg in node.args}
        by_hand = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Constant)
                   and node.value in ("submitted", "autograded") and id(node) not in asked]
        assert not by_hand, f"{path.relative_to(COURSE_ROOT)} builds a submission's path by hand, line {by_hand}"
