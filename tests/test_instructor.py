"""The instructor's batch run: progress, broken submissions reported and skipped, grades.csv with
per-cell scores, and the HTML report, rendered in a real headless Chromium."""
import copy
import csv
import shutil
import subprocess
import sys

import nbformat
import pytest

from nnkit import batch
from nnkit.course import scores
from nnkit.mnist import COURSE_ROOT
from nnkit.notebooks import read
from scripts.make_submissions import DEMO_STUDENTS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    from nnkit.course import scratch_course

    root = scratch_course(tmp_path_factory.mktemp("class") / "course")
    for student in DEMO_STUDENTS:
        shutil.copytree(COURSE_ROOT / "submitted" / student / "activations", root / "submitted" / student / "activations")
    (root / "submitted" / "broken" / "activations").mkdir(parents=True)
    (root / "submitted" / "broken" / "activations" / "activations.ipynb").write_text("{ not json")
    (root / "submitted" / "renamed" / "activations").mkdir(parents=True)
    shutil.copy(COURSE_ROOT / "submitted" / "correct" / "activations" / "activations.ipynb",
                root / "submitted" / "renamed" / "activations" / "my_activations.ipynb")
    # every test cell twice: nbgrader gives up on the whole run at this one (an "old metadata
    # format" error), which would leave "renamed" and "seed", sorted after it, ungraded
    duplicated = read(COURSE_ROOT / "submitted" / "correct" / "activations" / "activations.ipynb")
    copies = [copy.deepcopy(c) for c in duplicated.cells if c.metadata.get("nbgrader", {}).get("grade")]
    for number, cell in enumerate(copies):
        cell["id"] = f"copy-{number}"
    duplicated.cells += copies
    (root / "submitted" / "duplicated" / "activations").mkdir(parents=True)
    nbformat.write(duplicated, str(root / "submitted" / "duplicated" / "activations" / "activations.ipynb"))
    result = subprocess.run([sys.executable, "-m", "nnkit.batch", "--assignment", "activations", "--course", str(root)],
                            env=batch.nbgrader_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return root, result


def test_batch_grades_everyone_and_reports_the_broken(graded_class):
    root, result = graded_class
    assert "6/6 submissions" in result.stderr  # the progress bar reached the end
    table = scores(root)
    assert table["correct"]["activations"] == (12, 12) and table["seed"]["activations"] == (10, 12)
    assert table["blank"]["activations"] == (0, 12)
    assert "broken / activations: nbformat.reader.NotJSONError" in result.stdout
    assert "renamed / activations: unknown notebook my_activations.ipynb (expected activations.ipynb)" in result.stdout
    assert "duplicated / activations: One or more notebooks in the assignment use an old version" in result.stdout
    assert "0/12!" in result.stdout


def test_csv_has_a_column_per_hidden_test(graded_class):
    root, _ = graded_class
    with open(root / "grades.csv") as f:
        rows = {row["student_id"]: row for row in csv.DictReader(f)}
    assert set(rows) == {"blank", "correct", "seed", "broken", "renamed", "duplicated"}
    seed = rows["seed"]
    assert (seed["assignment"], float(seed["score"]), float(seed["max_score"]), seed["status"]) == ("activations", 10, 12, "graded")
    assert float(seed["test_sigmoid_extremes"]) == 0 and float(seed["test_sigmoid_mnist"]) == 2
    assert rows["broken"]["status"].startswith("not gradable: nbformat.reader.NotJSONError")


def test_report_shows_distribution_failure_rates_and_what_to_review(graded_class):
    root, _ = graded_class
    page = (root / "autograded" / "report.html").read_text()
    assert "data:image/png;base64," in page  # the histogram
    assert "3 graded submissions" in page  # blank, correct, seed; not the two that could not be graded
    assert "test_sigmoid_extremes" in page and "2/3 (67%)" in page  # blank and seed fail it
    assert "To review" in page and "my_activations.ipynb" in page


@pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed (make test installs it where it can)")
def test_report_renders_in_headless_chromium(graded_class, tmp_path):
    import matplotlib.image

    root, _ = graded_class
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,1400",
                    f"--screenshot={shot}", (root / "autograded" / "report.html").as_uri()],
                   capture_output=True, timeout=120, check=True)
    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[:2] == (1400, 1000)
    histogram_blue = ((abs(pixels[..., 0] - 0x33 / 255) < 0.02) & (abs(pixels[..., 2] - 0xb7 / 255) < 0.02)).sum()
    failure_red = ((abs(pixels[..., 0] - 0xd9 / 255) < 0.02) & (abs(pixels[..., 1] - 0x53 / 255) < 0.02)).sum()
    assert histogram_blue > 500 and failure_red > 100, "the histogram or the failure bars did not render"


def test_flagged_answers_are_listed_for_review(tmp_path):
    from nnkit import report
    from nnkit.course import autograde, nbgrader, scratch_course
    from nnkit.notebooks import fill, notebook_path, read, reference_code
    from catalogue import variant

    root = scratch_course(tmp_path / "course")
    nbgrader("generate_assignment", "convolution", root=root)
    _, code = variant("wrong", "conv_torch")
    notebook = fill(read(notebook_path("release", "convolution", root)), {**reference_code("convolution"), "conv": code})
    (root / "submitted" / "cheater" / "convolution").mkdir(parents=True)

    nbformat.write(notebook, str(root / "submitted" / "cheater" / "convolution" / "convolution.ipynb"))
    autograde("convolution", root=root)
    assert scores(root)["cheater"]["convolution"] == (8, 16)  # max_pooling's 8 points, none for conv
    (entry,) = report.flagged(root)[("cheater", "convolution")]
    assert entry.startswith("conv: uses F (from torch.nn.functional)")
    assert "answers flagged by the integrity scan" in report.build(root)


def test_a_runaway_cell_times_out_and_the_rest_is_still_graded(tmp_path):
    from nnkit.course import autograde, cell_scores, nbgrader, scratch_course
    from nnkit.notebooks import fill, notebook_path, read, reference_code


    root = scratch_course(tmp_path / "course")
    with open(root / "nbgrader_config.py", "a") as config:  # the same mechanism, a shorter limit
        config.write("\nc.ResilientExecute.timeout = 3\n")
    nbgrader("generate_assignment", "activations", root=root)
    endless = "def sigmoid(x):\n    while True:\n        pass"
    notebook = fill(read(notebook_path("release", "activations", root)), {**reference_code("activations"), "sigmoid": endless})
    (root / "submitted" / "looper" / "activations").mkdir(parents=True)
    nbformat.write(notebook, str(root / "submitted" / "looper" / "activations" / "activations.ipynb"))
    autograde("activations", root=root)
    got = cell_scores("activations", "looper", root)
    assert [got[c] for c in ("test_sigmoid_mnist", "test_sigmoid_extremes", "test_sigmoid_float32")] == [0, 0, 0]
    assert scores(root)["looper"]["activations"] == (7, 12)  # relu and cross_entropy still graded
    graded = read(root / "autograded" / "looper" / "activations" / "activations.ipynb")
    messages = [o.evalue for c in graded.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert any("did not finish within the time limit" in m for m in messages), messages


def test_the_gradebook_check_finds_a_missing_grade_and_a_score_out_of_range(course):
    import sqlite3

    from nnkit.course import autograde, gradebook_problems, nbgrader

    nbgrader("generate_assignment", "activations", root=course)
    shutil.copytree(COURSE_ROOT / "submitted" / "correct" / "activations", course / "submitted" / "correct" / "activations")
    autograde("activations", root=course)
    assert gradebook_problems(course) == []
    with sqlite3.connect(course / "gradebook.db") as db:
        db.execute("DELETE FROM grade WHERE id = (SELECT id FROM grade ORDER BY id LIMIT 1)")
        db.execute("UPDATE grade SET auto_score = 99 WHERE id = (SELECT id FROM grade ORDER BY id DESC LIMIT 1)")
    problems = gradebook_problems(course)
    assert any("grades for" in p for p in problems) and any(p.endswith(": 99.0") for p in problems), problems
