"""The learner's one-command check gives the autograder's verdict, never the hidden tests."""
import json
import subprocess
import sys

from nnkit.mnist import COURSE_ROOT
from test_autograde import hidden_test_lines


def selfcheck(*args, cwd=COURSE_ROOT):
    return subprocess.run([sys.executable, "-m", "nnkit.selfcheck", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def test_full_marks_exit_zero():
    result = selfcheck(COURSE_ROOT / "submitted" / "correct" / "convolution")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "16/16 points" in result.stdout and "FAIL" not in result.stdout


def test_seed_and_blank_verdicts_as_json_without_the_hidden_tests():
    result = selfcheck(COURSE_ROOT / "submitted" / "seed" / "activations" / "activations.ipynb",
                       COURSE_ROOT / "submitted" / "blank" / "activations" / "activations.ipynb", "--json")
    assert result.returncode == 1
    seed, blank = json.loads(result.stdout)
    assert (seed["score"], seed["max_score"]) == (10, 12) and (blank["score"], blank["max_score"]) == (0, 12)
    failed = {c["id"]: c["message"] for c in seed["cells"] if not c["passed"]}
    assert list(failed) == ["test_sigmoid_extremes"] and "overflow" in failed["test_sigmoid_extremes"]
    assert all("NotImplementedError" in c["message"] for c in blank["cells"])
    assert not [line for line in hidden_test_lines("activations") if line in result.stdout]


def test_a_broken_notebook_is_reported_not_crashed(tmp_path):
    broken = tmp_path / "backprop.ipynb"
    broken.write_text("{ this is not json")
    result = selfcheck(broken, tmp_path / "nothing_here.ipynb")
    assert result.returncode == 2
    assert "backprop.ipynb: could not be graded" in result.stdout
    assert "nothing_here.ipynb: not an assignment" in result.stdout
