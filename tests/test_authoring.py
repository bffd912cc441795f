"""docs/authoring.md, run as written: its files written and its commands run, block by block, in a
throwaway copy of the course; then the new assignment is graded by the batch as a class's would be.
A step of the guide that stops working fails here."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from components import require
from nnkit.course import nbgrader_env, scratch_course
from nnkit.mnist import COURSE_ROOT

GUIDE = COURSE_ROOT / "docs" / "authoring.md"
BLOCK = re.compile(r"^```(\w+)(?: file=(\S+))?\n(.*?)^```$", re.M | re.S)


def steps(text: str) -> list[tuple[str, str | None, str]]:
    """(language, file it writes or None, text) of each fenced block, in order."""
    return [(m[1], m[2], m[3]) for m in BLOCK.finditer(text)]


def test_the_guide_has_files_and_commands_to_run():
    blocks = steps(GUIDE.read_text())
    assert sum(1 for _, path, _ in blocks if path) >= 8
    assert sum(1 for language, path, _ in blocks if language == "bash") >= 5
    wrong = [p for _, p, _ in blocks if p and p.startswith("tests/variants/wrong/")]
    assert len(wrong) >= 4  # the kit's own rule for a new graded function


@pytest.fixture(scope="module")
def authored(tmp_path_factory):
    require("bubblewrap")
    root = scratch_course(tmp_path_factory.mktemp("authoring") / "course", copy_kit=True)
    (root / ".venv").symlink_to(COURSE_ROOT / ".venv")
    shutil.copytree(COURSE_ROOT / "release", root / "release")  # the course as the author finds it
    env = nbgrader_env()
    env.pop("PYTHONPATH", None)
    said = []
    for language, path, text in steps(GUIDE.read_text()):
        if path:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        elif language == "bash":
            result = subprocess.run(["bash", "-e", "-c", text], cwd=root, env=env, capture_output=True, text=True,
                                    timeout=900)
            said.append((text, result.stdout + result.stderr))
            assert result.returncode == 0, f"{text}\n{result.stdout}\n{result.stderr}"
    return root, said


def test_following_the_guide_releases_the_new_assignment(authored):
    root, _ = authored
    assert 'assignments = ["activations", "convolution", "backprop", "softmax"]' in (root / "course.toml").read_text()
    release = (root / "release" / "softmax" / "softmax.ipynb").read_text()
    assert "BEGIN HIDDEN TESTS" not in release and "z.max(axis=1" not in release
    assert (root / "release" / "softmax" / "requirements.txt").is_file()
    assert (root / "assignments" / "softmax" / "key" / "torch_results.npz").is_file()
    assert not (root / "softmax-notebook.py").exists()


def test_the_guide_s_try_grades_a_correct_and_a_wrong_variant(authored):
    _, said = authored
    ((_, correct),) = [(t, out) for t, out in said if "try tests/variants/correct/softmax_loop.py" in t]
    assert "softmax_loop.py: 5/5 points" in correct and "softmax_naive.py: 3/5 points" in correct, correct
    assert "SAWarning" not in correct and "Traceback" not in correct
    assert "it loses points, as it should" in correct  # the same block's second line, the wrong one
    assert "FAIL 0/2  softmax: rows with logits of ±1000" in correct and "Hint: subtract each row" in correct


def test_the_guide_s_mutation_report_finds_no_survivor(authored):
    _, said = authored
    ((_, report),) = [(t, out) for t, out in said if "nnkit.mutants softmax" in t]
    assert re.search(r"softmax: \d+ mutants, \d+ killed by a case, 0 out of time, 0 died, 0 harness errors, "
                     r"0 equivalent, 0 survived", report), report


def test_the_batch_grades_the_new_assignment_with_the_others(authored):
    root, _ = authored
    from nnkit.notebooks import fill, implementations_in, read

    release = read(root / "release" / "softmax" / "softmax.ipynb")
    for student, variant in (("alice", "correct/softmax_loop"), ("bob", "wrong/softmax_columns")):
        code = implementations_in((root / "tests" / "variants" / f"{variant}.py").read_text())
        path = root / "submitted" / student / "softmax" / "softmax.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(fill(release, code), str(path))
    env = nbgrader_env()
    env.pop("PYTHONPATH", None)
    python = str(root / ".venv" / "bin" / "python")  # in the course folder: its own copy of the kit
    result = subprocess.run([python, "-m", "nnkit.batch"], cwd=root, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "softmax" in (root / "grades.csv").read_text()
    read_back = subprocess.run([python, "-c", "import json; from pathlib import Path; from nnkit.states import class_submissions; "
                                "print(json.dumps({e.student: [e.state.value, e.score] for e in "
                                "class_submissions(Path.cwd(), ['softmax']) if e.student in ('alice', 'bob')}))"],
                               cwd=root, env=env, capture_output=True, text=True, timeout=300)
    scores = json.loads(read_back.stdout.strip().splitlines()[-1])
    assert scores["alice"] == ["graded", 5.0], scores
    assert scores["bob"][0] == "graded" and scores["bob"][1] < 5.0, scores
