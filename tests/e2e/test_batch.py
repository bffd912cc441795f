"""The instructor's batch run: progress, broken submissions reported and skipped, every
submission's state (graded, to review, not gradable, missing) in the table, grades.csv and the
report, student ids nbgrader's globs and comma lists would break, an assignment name with a space,
clocks that disagree, a worker killed midway, a locked gradebook; the HTML report rendered in a
real headless Chromium."""
import copy
import csv
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import nbformat
import pytest

from batches import add_submission as add
from batches import copy_course, start_batch, states
from batches import run_batch as batch
from components import require
from nnkit import exits
from nnkit.authoring.democlass import DEMO_STUDENTS, demo_score
from nnkit.collect.notebooks import read
from nnkit.gradebook.scratch import scratch_course
from nnkit.gradebook.states import State, class_submissions
from nnkit.kernel.config import COURSE_ROOT
from nnkit.testing import nbgrader_env

pytestmark = pytest.mark.slow  # every test grades

ODD_IDS = ["o'brien, jr", "[ab]*?", "two  spaces"]


@pytest.fixture(scope="module")
def ungraded_class(tmp_path_factory):
    """The class's course before grading, with a release/ folder (as a learner's checkout has it)
    holding a learner's edit: (root, release/'s files then)."""
    root = scratch_course(tmp_path_factory.mktemp("class") / "course")
    shutil.copytree(COURSE_ROOT / "release", root / "release")
    edited_notebook = root / "release" / "activations" / "activations.ipynb"
    edited_notebook.write_text(edited_notebook.read_text().replace("# YOUR CODE HERE", "# my own work"))
    return root, {p: p.read_bytes() for p in (root / "release").rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def graded_class(ungraded_class):
    root, _ = ungraded_class
    for student in DEMO_STUDENTS:
        add(root, student, source=student)
    add(root, "broken", text="{ not json")
    add(root, "renamed", name="my_activations.ipynb")
    for student in ODD_IDS:  # a comma, a quote, spaces, glob characters: graded as themselves
        add(root, student, source="seed")
    # every test cell twice: nbgrader refuses this notebook (an "old metadata format" error)
    duplicated = read(COURSE_ROOT / "submitted" / "correct" / "activations" / "activations.ipynb")
    copies = [copy.deepcopy(c) for c in duplicated.cells if c.metadata.get("nbgrader", {}).get("grade")]
    for number, cell in enumerate(copies):
        cell["id"] = f"copy-{number}"
    duplicated.cells += copies
    nbformat.write(duplicated, str(add(root, "duplicated", text="") / "activations.ipynb"))
    result = batch(root, "--assignment", "activations")
    assert result.returncode == 0, result.stdout + result.stderr
    return root, result


def test_batch_grades_everyone_and_reports_the_broken(graded_class):
    root, result = graded_class
    total = len(DEMO_STUDENTS) + 3 + len(ODD_IDS)
    assert f"{total}/{total} submissions" in result.stderr  # the progress bar reached the end
    got = states(root)
    for student in DEMO_STUDENTS:
        assert got[(student, "activations")].score == demo_score(student, "activations")
    assert "broken / activations: activations.ipynb is not a notebook (not JSON)" in result.stdout
    assert "renamed / activations: no activations.ipynb in the submission (found my_activations.ipynb): " \
           "rename it to activations.ipynb" in result.stdout
    assert "duplicated / activations: SchemaTooOldError" in result.stdout
    row = next(line for line in result.stdout.splitlines() if line.startswith("broken "))
    assert row.split()[1:] == ["!", "0/12"]  # no grade, and the same denominator as every row


def test_student_ids_with_commas_quotes_spaces_and_glob_characters_are_graded_as_themselves(graded_class):
    root, _ = graded_class
    got = states(root)
    for student in ODD_IDS:
        entry = got[(student, "activations")]
        assert entry.state == State.GRADED and entry.score == demo_score("seed", "activations"), student
        assert (root / "autograded" / student / "activations" / "activations.ipynb").is_file()


def test_csv_has_a_column_per_hidden_test_and_each_submissions_state(graded_class):
    root, _ = graded_class
    with open(root / "grades.csv") as f:
        rows = {row["student_id"]: row for row in csv.DictReader(f) if row["assignment"] == "activations"}
    assert set(rows) >= {"blank", "correct", "seed", "broken", "renamed", "duplicated", *ODD_IDS}
    seed = rows["seed"]
    assert (float(seed["score"]), float(seed["max_score"]), seed["status"]) == (10, 12, "graded")
    assert float(seed["test_sigmoid_extremes"]) == 0 and float(seed["test_sigmoid_mnist"]) == 2
    assert rows["broken"]["status"] == "not gradable: activations.ipynb is not a notebook (not JSON)"
    assert rows["broken"]["score"] == "" and rows["broken"]["test_sigmoid_mnist"] == ""


FORMULA_IDS = ["=1+2", "-1+2", "+3", "@SUM(1)"]  # OWASP's CSV injection starts, as student ids
ESCAPED_ID = "esc\x1b[2J\x1b[1;1Hape"  # a student id that clears the screen and moves the cursor
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # every control character but a tab and a line's end


def test_names_a_student_controls_reach_the_terminal_and_grades_csv_escaped(tmp_path):
    """Student ids that begin a spreadsheet formula or hold escape sequences, and a file named with
    escape sequences and a line end: graded as themselves; the batch prints no control character and
    grades.csv starts no formula (the terminal test of issue 31)."""
    root = scratch_course(tmp_path / "course")
    for student in [*FORMULA_IDS, ESCAPED_ID]:
        add(root, student, source="seed")
    os.symlink("/etc/passwd", add(root, "linker") / "\x1b[2J\x1b[Hevery submission graded\r\n.txt")
    result = batch(root, "--assignment", "activations")
    assert result.returncode == 0, result.stdout + result.stderr
    assert CONTROL.findall(result.stdout + result.stderr) == [], result.stdout + result.stderr
    assert "linker / activations: \\x1b[2J\\x1b[Hevery submission graded\\r\\n.txt is a symbolic link" in result.stdout
    shown = "esc\\x1b[2J\\x1b[1;1Hape"
    assert shown in result.stdout and shown in result.stderr  # the table, the progress line
    got = states(root)
    assert all(got[(s, "activations")].score == demo_score("seed", "activations") for s in [*FORMULA_IDS, ESCAPED_ID])
    with open(root / "grades.csv", newline="") as f:
        rows = {row["student_id"]: row for row in csv.DictReader(f)}
    assert set(rows) == {"'" + s for s in FORMULA_IDS} | {"esc\\x1b[2J\\x1b[1;1Hape", "linker"}, set(rows)
    assert not CONTROL.search((root / "grades.csv").read_text())
    assert rows["linker"]["status"].startswith("not gradable: \\x1b[2J")


def test_report_shows_distribution_failure_rates_and_what_to_review(graded_class):
    root, _ = graded_class
    page = (root / "autograded" / "report.html").read_text()
    assert "data:image/png;base64," in page  # the histogram
    assert f"{3 + len(ODD_IDS)} graded submissions" in page  # not the three that could not be graded
    assert "test_sigmoid_extremes" in page and f"{2 + len(ODD_IDS)}/{3 + len(ODD_IDS)} (" in page
    assert "To review" in page and "rename it to activations.ipynb" in page


def test_report_renders_in_headless_chromium(graded_class, tmp_path):
    import matplotlib.image

    chromium = require("chromium")
    root, _ = graded_class
    shot = tmp_path / "report.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,1400",
                    f"--screenshot={shot}", (root / "autograded" / "report.html").as_uri()],
                   capture_output=True, timeout=120, check=True)
    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[:2] == (1400, 1000)
    histogram_blue = ((abs(pixels[..., 0] - 0x33 / 255) < 0.02) & (abs(pixels[..., 2] - 0xb7 / 255) < 0.02)).sum()
    failure_red = ((abs(pixels[..., 0] - 0xd9 / 255) < 0.02) & (abs(pixels[..., 1] - 0x53 / 255) < 0.02)).sum()
    assert histogram_blue > 500 and failure_red > 100, "the histogram or the failure bars did not render"


@pytest.fixture(scope="module")
def scanned_class(tmp_path_factory):
    """One batch over two students whose answers pass: `sly` (activations) prints the grader's words
    and plants a review flag in its metadata; `cheater` (convolution) calls torch for conv."""
    from catalogue import variant
    from nnkit.collect.notebooks import fill, notebook_path, reference_code

    root = scratch_course(tmp_path_factory.mktemp("scanned") / "course")
    for assignment in ("activations", "convolution"):
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment], cwd=root,
                       env=nbgrader_env(), check=True, capture_output=True)
    notebook = fill(read(notebook_path("release", "activations", root)), reference_code("activations"))
    notebook.cells.insert(2, nbformat.v4.new_code_cell(
        "print('flagged for review: your answer uses torch')\n"
        "raise RuntimeError('the kernel died while running this cell')"))
    notebook.metadata["nnkit"] = {"review": [{"kind": "flag", "cell": None, "detail": "planted by the student"}]}
    nbformat.write(notebook, str(add(root, "sly", text="") / "activations.ipynb"))
    _, code = variant("wrong", "conv_torch")
    notebook = fill(
        read(notebook_path("release", "convolution", root)), {**reference_code("convolution"), "conv": code}
    )
    nbformat.write(notebook, str(add(root, "cheater", "convolution", text="") / "convolution.ipynb"))
    batch(root, "--assignment", "activations", "--assignment", "convolution", check=True)
    return root


def test_a_students_own_output_cannot_add_to_the_review_list(scanned_class):
    """The report reads what the grader decided as data: printing the grader's words adds nothing."""
    from nnkit.views.report import build

    entry = states(scanned_class)[("sly", "activations")]
    assert entry.state == State.GRADED and entry.score == 12 and entry.reasons == []
    assert "sly" not in build(scanned_class)


def test_an_answer_the_scan_flags_is_listed_for_review_with_its_reason(scanned_class):
    from nnkit.views.report import build

    entry = states(scanned_class, ["convolution"])[("cheater", "convolution")]
    assert entry.state == State.REVIEW and entry.score == 8  # max_pooling's 8; conv cannot import torch
    assert len(entry.reasons) == 1 and entry.reasons[0].startswith("conv: uses F (from torch.nn.functional)")
    assert "conv: uses F (from torch.nn.functional)" in build(scanned_class)


def test_a_removed_submission_is_missing_not_a_graded_zero(tmp_path):
    root = scratch_course(tmp_path / "course")
    add(root, "correct")
    add(root, "broken", text="{ not json")
    assert batch(root, "--assignment", "activations").returncode == 0
    assert states(root)[("broken", "activations")].state == State.NOT_GRADABLE
    shutil.rmtree(root / "submitted" / "broken")
    result = batch(root, "--assignment", "activations")
    entry = states(root)[("broken", "activations")]
    assert entry.state == State.MISSING and entry.score is None
    row = next(line for line in result.stdout.splitlines() if line.startswith("broken "))
    assert row.split()[1:] == ["-", "0/12"]
    with open(root / "grades.csv") as f:
        (broken,) = [r for r in csv.DictReader(f) if r["student_id"] == "broken" and r["assignment"] == "activations"]
    assert (broken["status"], broken["score"]) == ("missing", "")


def test_a_run_of_one_assignment_leaves_the_others_states_alone(tmp_path):
    root = scratch_course(tmp_path / "course")
    add(root, "correct")
    add(root, "broken", "convolution", text="{ not json")
    assert batch(root).returncode == 0
    assert batch(root, "--assignment", "activations").returncode == 0
    got = states(root, ["activations", "convolution"])
    assert got[("broken", "convolution")].state == State.NOT_GRADABLE
    assert got[("correct", "activations")].state == State.GRADED


def test_states_do_not_depend_on_clocks(graded_class, tmp_path):
    """Files from a server whose clock is an hour ahead, or a day behind: what was graded is known
    by content, so nothing reads as stale or fresh because of a time."""
    root = copy_course(graded_class[0], tmp_path / "course")
    for offset in (3600, -86400):
        for path in (root / "submitted").rglob("*"):
            os.utime(path, (time.time() + offset, time.time() + offset))
        got = states(root)
        assert got[("correct", "activations")].state == State.GRADED
        assert got[("broken", "activations")].state == State.NOT_GRADABLE
    (root / "submitted" / "correct" / "activations" / "activations.ipynb").write_text(
        (COURSE_ROOT / "submitted" / "seed" / "activations" / "activations.ipynb").read_text())
    assert states(root)[("correct", "activations")].state == State.UNGRADED  # resubmitted since


def test_an_assignment_whose_name_has_a_space(tmp_path):
    """nbgrader's own tests, for an assignment of the instructor's that the kit knows nothing about."""
    from nnkit.execution.autograde import CourseAPI

    root = scratch_course(tmp_path / "course")
    (root / "source").unlink()
    name = "first steps"
    cell = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION",
                                     metadata={"nbgrader": {"grade": False, "solution": True, "locked": False,
                                                            "grade_id": "answer", "schema_version": 3, "task": False}})
    test = nbformat.v4.new_code_cell(
        "assert answer == 42",
        metadata={
            "nbgrader": {
                "grade": True,
                "solution": False,
                "locked": True,
                "points": 1,
                "grade_id": "test_answer",
                "schema_version": 3,
                "task": False,
            }
        },
    )
    (root / "source" / name).mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[cell, test]), str(root / "source" / name / f"{name}.ipynb"))
    api = CourseAPI(root)
    api.enter_assignment(name)
    submitted = read(root / "source" / name / f"{name}.ipynb")
    for student in ("ann", "[ab]*?"):
        (root / "submitted" / student / name).mkdir(parents=True)
        nbformat.write(submitted, str(root / "submitted" / student / name / f"{name}.ipynb"))
        outcome = api.autograde(name, student)
        assert outcome.gradable, outcome
    assert {e.student: e.score for e in class_submissions(root, [name])} == {"ann": 1, "[ab]*?": 1}


def test_a_worker_killed_midway_loses_nothing_and_its_submission_is_graded_again(tmp_path):
    root = scratch_course(tmp_path / "course")
    students = [f"s{i}" for i in range(6)]
    for student in students:
        add(root, student)
    process = start_batch(root, "--assignment", "activations", "--jobs", "2")
    outcomes = root / "outcomes" / "activations"
    deadline = time.time() + 300
    while time.time() < deadline and len(list(outcomes.glob("*.json"))) < 1:
        time.sleep(0.1)
    workers = subprocess.run(
        ["pgrep", "-f", f"nnkit.batch.worker {root}"], capture_output=True, text=True
    ).stdout.split()
    assert workers, "no worker to kill"
    os.kill(int(workers[0]), signal.SIGKILL)
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, out + err
    assert {e.student: e.score for e in class_submissions(root, ["activations"])} == {s: 12 for s in students}
    assert len(list((root / "outcomes" / "logs").glob("*/worker-3.log"))) == 1, "a worker was started to replace it"


def test_a_locked_gradebook_is_a_cause_that_is_never_the_students(tmp_path, monkeypatch):
    """nbgrader on a gradebook another process holds locked: the cause comes back as data (the
    exception's type), so the batch grades it again, and does."""
    from nnkit.batch import cli, preparation, supervisor
    from nnkit.execution.autograde import CourseAPI
    from nnkit.gradebook.outcomes import Outcome

    root = scratch_course(tmp_path / "course")
    add(root, "s1")
    preparation.prepare(["activations"], root)
    api = CourseAPI(root)
    holder = sqlite3.connect(root / "gradebook.db", timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        outcome = api.autograde("activations", "s1")
    finally:
        holder.rollback()
        holder.close()
    assert not outcome.gradable and outcome.cause == "sqlalchemy.exc.OperationalError" and outcome.kit_failure
    assert "database is locked" in outcome.reason
    calls, regraded = [], Outcome("s1", "activations", True)

    def grade(tasks, root_, jobs, progress, logs=None):
        calls.append((list(tasks), jobs))
        return [outcome] if len(calls) == 1 else [regraded]

    monkeypatch.setattr(supervisor, "grade", grade)
    summary = cli.run(["activations"], root, jobs=2)
    assert calls == [([("s1", "activations")], 2), ([("s1", "activations")], 1)]  # graded again, alone
    # the retry's outcome replaces the first
    assert len(summary["outcomes"]) == 1 and summary["outcomes"][0] is regraded


def test_the_gradebook_check_finds_a_missing_grade_and_a_score_out_of_range(course):
    from nnkit.gradebook.tools import nbgrader
    from nnkit.testing import autograde, gradebook_problems

    nbgrader("generate_assignment", "activations", root=course)
    shutil.copytree(
        COURSE_ROOT / "submitted" / "correct" / "activations", course / "submitted" / "correct" / "activations"
    )
    autograde("activations", root=course)
    assert gradebook_problems(course) == []
    with sqlite3.connect(course / "gradebook.db") as db:
        db.execute("DELETE FROM grade WHERE id = (SELECT id FROM grade ORDER BY id LIMIT 1)")
        db.execute("UPDATE grade SET auto_score = 99 WHERE id = (SELECT id FROM grade ORDER BY id DESC LIMIT 1)")
    problems = gradebook_problems(course)
    assert any("grades for" in p for p in problems) and any(p.endswith(": 99.0") for p in problems), problems


def test_grading_refuses_without_a_sandbox_unless_told(tmp_path, monkeypatch):
    """Where bubblewrap is missing, the batch refuses with how to install it; --no-sandbox grades."""
    root = scratch_course(tmp_path / "course")
    add(root, "correct")
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    for tool in ("prlimit", "setpriv"):
        os.symlink(shutil.which(tool), fake_bin / tool)
    env = nbgrader_env() | {"PATH": f"{fake_bin}:{os.path.dirname(sys.executable)}"}
    refused = batch(root, "--assignment", "activations", env=env)
    assert (
        refused.returncode == exits.KIT_FAILURE
        and "bwrap not found" in refused.stderr
        and "apt-get install bubblewrap" in refused.stderr
    )
    trusted = batch(root, "--assignment", "activations", "--no-sandbox", env=env)
    assert trusted.returncode == 0, trusted.stderr
    entry = states(root)[("correct", "activations")]
    assert entry.state == State.REVIEW and entry.score == 12 and "without the sandbox" in entry.reasons[0]


def test_nbgrader_autograde_by_hand_warns_only_about_cells_a_student_changed(tmp_path):
    """nbgrader alarms on every hidden-test cell (jupyter/nbgrader#1961); the course's OverwriteCells
    (nnkit/execution/locked_cells.py) keeps the warning for a locked cell a student did change."""
    from hostile import edited, set_source
    from nnkit.collect.notebooks import notebook_path

    root = scratch_course(tmp_path / "course")
    add(root, "correct")
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", "activations"], cwd=root,
                   env=nbgrader_env(), check=True, capture_output=True)
    tampered = edited(set_source("test_relu_mnist", "pass"))(read(notebook_path("release", "activations", root)), None)
    nbformat.write(tampered, str(add(root, "tamperer", text="") / "activations.ipynb"))
    result = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", "activations"], cwd=root,
                            env=nbgrader_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "has changed" in line]
    assert len(warnings) == 1 and "test_relu_mnist" in warnings[0], warnings


def test_grading_never_touches_release_and_a_learners_edits_there(ungraded_class, graded_class):
    root, before = ungraded_class  # graded since, by graded_class
    assert b"# my own work" in (root / "release" / "activations" / "activations.ipynb").read_bytes()
    assert {p: p.read_bytes() for p in (root / "release").rglob("*") if p.is_file()} == before


def test_make_grade_on_a_fresh_clone_grades_the_class(tmp_path):
    """The README's instructor command, on the tracked files alone (as a clone has them) with an
    empty gradebook and no release generated by anything before it."""
    from nnkit.authoring.democlass import DEMO_STUDENTS, demo_score

    clone = tmp_path / "clone"
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=COURSE_ROOT, capture_output=True, text=True, check=True
    ).stdout
    for name in filter(None, files.split("\0")):
        source, target = COURSE_ROOT / name, clone / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        elif source.exists():
            shutil.copy2(source, target)
    (clone / ".venv").symlink_to(COURSE_ROOT / ".venv")  # `make install` is the quick start's, not this test's
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    env["PYTHONPATH"] = str(clone)  # the borrowed .venv's editable nnkit is this checkout's: run the clone's
    result = subprocess.run(
        ["make", "--old-file=.venv/.installed-grading", "grade"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    table = {e.student: e.score for e in class_submissions(clone, ["activations", "convolution", "backprop"])
             if e.assignment == "backprop"}
    assert table == {s: demo_score(s, "backprop") for s in DEMO_STUDENTS}, result.stdout + result.stderr
    assert "could not be graded" not in result.stdout
