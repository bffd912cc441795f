"""The hostile catalogue (tests/hostile.py) through the real batch, next to a correct submission:
every entry gets its defined outcome, nobody else loses anything, the gradebook stays consistent,
and a batch killed at any moment and re-run gives the same gradebook."""
import os
import re
import signal
import subprocess
import sys
import time

import nbformat
import pytest

from hostile import CATALOGUE, NOT_GRADABLE
from nnkit.course import cell_scores, gradebook_problems, nbgrader, nbgrader_env, scores, scratch_course
from nnkit.mnist import COURSE_ROOT
from nnkit.notebooks import notebook_path, read

TIMEOUT = 3  # seconds per cell in these runs (the course's own limit is in nnkit/limits.py)


def course_with(root, entries, extra_students=("correct",)):
    scratch_course(root)
    with open(root / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.ResilientExecute.timeout = {TIMEOUT}\n")
    nbgrader("generate_assignment", "activations", root=root)
    release = read(notebook_path("release", "activations", root))
    for student in extra_students:
        folder = root / "submitted" / student / "activations"
        folder.parent.mkdir(parents=True)
        import shutil
        shutil.copytree(COURSE_ROOT / "submitted" / student / "activations", folder)
    for name in entries:
        entry = CATALOGUE[name]
        folder = root / "submitted" / name / "activations"
        folder.mkdir(parents=True)
        made = entry.build(release)
        if isinstance(made, str):
            (folder / entry.filename).write_text(made)
        elif made is not None:
            nbformat.write(made, str(folder / entry.filename))
    return root


def run_batch(root, **popen):
    return subprocess.Popen([sys.executable, "-m", "nnkit.batch", "--assignment", "activations", "--course", str(root)],
                            env=nbgrader_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = course_with(tmp_path_factory.mktemp("hostile") / "course", CATALOGUE)
    start = time.perf_counter()
    process = run_batch(root)
    out, err = process.communicate(timeout=1200)
    assert process.returncode == 0, out + err
    return root, out, time.perf_counter() - start


def messages(root, student):
    notebook = read(root / "autograded" / student / "activations" / "activations.ipynb")
    return "\n".join(o.get("evalue", "") for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error")


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_entry_gets_its_defined_outcome(batch, name):
    root, out, _ = batch
    entry = CATALOGUE[name]
    if entry.score == NOT_GRADABLE:
        reasons = re.findall(rf"^  {name} / activations: (.*)$", out, re.M)
        assert reasons and entry.phrase in reasons[0], out
        return
    assert scores(root)[name]["activations"] == (entry.score, 12), cell_scores("activations", name, root)
    if entry.phrase:
        assert entry.phrase in messages(root, name)


def test_the_correct_submission_beside_them_keeps_full_marks(batch):
    root, _, seconds = batch
    assert scores(root)["correct"]["activations"] == (12, 12)
    print(f"\nhostile batch: {len(CATALOGUE) + 1} submissions in {seconds:.1f} s")


def test_gradebook_is_consistent_after_the_hostile_batch(batch):
    root, _, _ = batch
    assert gradebook_problems(root) == []


def test_flagged_and_ungradable_entries_are_listed_for_review(batch):
    root, _, _ = batch
    page = (root / "autograded" / "report.html").read_text()
    for name, entry in CATALOGUE.items():
        if entry.score == NOT_GRADABLE or entry.phrase in ("flagged for review", "uses torch", "imports solutions"):
            assert f"<b>{name}</b>" in page, name


def test_readme_table_lists_every_entry():
    readme = (COURSE_ROOT / "README.md").read_text()
    for name, entry in CATALOGUE.items():
        assert f"| `{name}` | {entry.does} | {entry.grader} |" in readme, name


def test_a_batch_killed_midway_and_rerun_gives_the_same_gradebook(tmp_path):
    students = ("os_exit", "forged_record", "imports_solutions")
    root = course_with(tmp_path / "course", students, extra_students=("blank", "correct", "seed"))
    process = run_batch(root, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((root / "autograded").glob("*/activations/activations.ipynb"))) < 2:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)  # the batch and every nbgrader and kernel under it
    process.wait()
    rerun = run_batch(root)
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, out + err
    expected = {"blank": 0, "correct": 12, "seed": 10, "os_exit": 7, "forged_record": 7, "imports_solutions": 9}
    assert {s: v["activations"][0] for s, v in scores(root).items()} == expected
    assert gradebook_problems(root) == []
