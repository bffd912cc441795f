"""The learner's one-command check gives the autograder's verdict, never the hidden tests, and a
clear line with the documented exit code for whatever it is given."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from catalogue import hidden_test_lines
from nnkit import exits
from nnkit.batch import selfcheck as selfcheck_module
from nnkit.kernel.config import COURSE_ROOT
from nnkit.sandbox import bwrap

ASSIGNMENT = "activations"

SUBMITTED = COURSE_ROOT / "submitted"


def selfcheck(*args, cwd=COURSE_ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "nnkit.batch.selfcheck", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600, env=env)


def selfcheck_in_process(*args, capsys, monkeypatch) -> tuple[int, str, str]:
    """The self-check's exit code and output, run here through its entry point (exits.run), for what
    needs no grading: the lines for what cannot be checked."""
    monkeypatch.delenv(bwrap.OPT_OUT_VARIABLE, raising=False)  # main() may set it: undone after the test
    monkeypatch.chdir(COURSE_ROOT)
    with pytest.raises(SystemExit) as exit_:
        exits.run(lambda: selfcheck_module.main(list(map(str, args))))
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


@pytest.mark.slow
def test_full_marks_exit_zero():
    result = selfcheck(SUBMITTED / "correct" / "convolution")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "16/16 points" in result.stdout and "FAIL" not in result.stdout


@pytest.mark.slow
def test_seed_and_blank_verdicts_as_json_without_the_hidden_tests():
    result = selfcheck(SUBMITTED / "seed" / "activations" / "activations.ipynb",
                       SUBMITTED / "blank" / "activations" / "activations.ipynb", "--json")
    assert result.returncode == 1
    seed, blank = json.loads(result.stdout)
    assert (seed["score"], seed["max_score"]) == (10, 12) and (blank["score"], blank["max_score"]) == (0, 12)
    failed = {c["id"]: c["message"] for c in seed["cells"] if not c["passed"]}
    assert list(failed) == ["test_sigmoid_extremes"] and "overflow" in failed["test_sigmoid_extremes"]
    assert all("not written yet" in c["message"] and "Hint" not in c["message"] for c in blank["cells"])
    assert not [line for line in hidden_test_lines("activations") if line in result.stdout]


def write(path, text):
    path.write_text(text)
    return path


def copy(source, target):
    shutil.copy(source, target)
    return target


def folder(path):
    path.mkdir()
    return path


@pytest.mark.parametrize(
    "make, expected",
    [
        # a notebook named as an assignment's is given to nbgrader, whose autograde tells what it is
        pytest.param(
            lambda d: write(d / "activations.ipynb", ""),
            "activations.ipynb is not a notebook (empty file)",
            marks=pytest.mark.slow,
        ),
        pytest.param(
            lambda d: write(d / "backprop.ipynb", "{ this is not json"),
            "backprop.ipynb is not a notebook (not JSON)",
            marks=pytest.mark.slow,
        ),
        (
            lambda d: copy(SUBMITTED / "correct" / "backprop" / "backprop.ipynb", d / "activations.ipynb"),
            "this is the backprop notebook saved as activations.ipynb: check backprop.ipynb instead",
        ),
        (
            lambda d: copy(SUBMITTED / "correct" / "activations" / "activations.ipynb", d / "my_activations.ipynb"),
            "my_activations.ipynb: this is the activations notebook: rename it to activations.ipynb",
        ),
        (lambda d: folder(d / "empty folder"), "empty folder: no notebooks (.ipynb files) in this folder"),
        (lambda d: d / "nowhere", "nowhere: no such file or folder"),
    ],
)
def test_what_cannot_be_checked_gets_one_clear_line_and_exit_code_2(tmp_path, make, expected, capsys, monkeypatch):
    code, out, err = selfcheck_in_process(make(tmp_path), capsys=capsys, monkeypatch=monkeypatch)
    assert code == exits.CANNOT_CHECK and out.strip().endswith(expected), out + err
    assert "Traceback" not in out + err


def run_make(*args, cwd=COURSE_ROOT):
    env = dict(os.environ)
    env.pop("MAKEFLAGS", None)
    return subprocess.run(["make", "--no-print-directory", *args], cwd=cwd, capture_output=True, text=True,
                           timeout=600, env=env)


@pytest.mark.slow  # make, and its check of the installed extra
def test_make_check_without_a_notebook_says_how_to_give_one():
    result = run_make("check")
    assert result.returncode != 0 and "make check NB=path/to/activations.ipynb" in result.stdout + result.stderr


@pytest.mark.slow
def test_make_check_takes_a_path_with_a_space(tmp_path):
    folder = tmp_path / "my work"
    folder.mkdir()
    shutil.copy(SUBMITTED / "correct" / "activations" / "activations.ipynb", folder)
    result = run_make("check", f"NB={folder / 'activations.ipynb'}")
    assert result.returncode == 0 and "12/12 points" in result.stdout, result.stdout + result.stderr
    assert "Warning" not in result.stderr, result.stderr  # nothing but the verdict for a student to read


@pytest.mark.slow
def test_without_a_sandbox_the_check_still_runs_and_says_so(tmp_path):
    """On a learner's machine without bubblewrap (a Mac), the check grades without the sandbox and
    says what that means."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    env = dict(os.environ, PATH=f"{bin_dir}:{os.path.dirname(sys.executable)}")  # no bwrap on it
    result = selfcheck(SUBMITTED / "correct" / "activations" / "activations.ipynb", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "12/12 points" in result.stdout and "without the sandbox" in result.stdout
    assert "libraries such as torch are importable" in result.stdout


# --- the self-check does not hide its own bugs ---------------------------------------------------

def test_the_self_check_tells_a_bug_from_a_file_that_is_not_a_notebook(tmp_path, monkeypatch):
    from nnkit.batch import selfcheck

    notebook = COURSE_ROOT / "submitted" / "correct" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert selfcheck.assignment_of(notebook) == ASSIGNMENT
    for name, text in (
        ("broken", "{ not json"),
        ("list", "[]"),
        (
            "odd",
            json.dumps(
                {
                    "nbformat": 4,
                    "nbformat_minor": 5,
                    "metadata": {},
                    "cells": [{"cell_type": "code", "metadata": {"nbgrader": "x"}, "source": "", "outputs": []}],
                }
            ),
        ),
    ):
        (tmp_path / f"{name}.ipynb").write_text(text)
        assert selfcheck.assignment_of(tmp_path / f"{name}.ipynb") is None, name

    def bug(_):
        raise RuntimeError("a bug of the kit")

    monkeypatch.setattr(selfcheck, "graded_ids", bug)
    with pytest.raises(RuntimeError, match="a bug of the kit"):
        selfcheck.assignment_of(notebook)


@pytest.mark.slow
def test_several_assignments_a_folder_and_the_same_notebook_twice_in_one_run(tmp_path):
    """Every notebook is graded as the instructor would, whatever the mix a run is given: a folder
    holding two assignments, then a notebook of the first again (the second assignment's key must
    not be looked for in the first notebook's throwaway course, long gone)."""
    work = folder(tmp_path / "work")
    for name in ("activations", "convolution"):
        copy(SUBMITTED / "correct" / name / f"{name}.ipynb", work / f"{name}.ipynb")
    result = selfcheck(work, work / "activations.ipynb", "--json")
    checked = json.loads(result.stdout)
    assert [(c["assignment"], c["score"], c["max_score"]) for c in checked] == \
        [("activations", 12, 12), ("convolution", 16, 16), ("activations", 12, 12)], result.stdout + result.stderr
    assert result.returncode == exits.OK


@pytest.mark.slow
def test_a_check_the_kit_could_not_judge_exits_3(tmp_path, capsys, monkeypatch):
    """The judge's own error costs the student nothing in the self-check's verdict: it is the kit's
    failure, exit 3, with the reason, never "points lost"."""
    from nnkit.judging import judge

    def broken(case):
        def check(*args):
            raise RuntimeError("a bug of the kit's")
        return check

    monkeypatch.setattr(judge, "check_of", broken)
    notebook = copy(SUBMITTED / "correct" / "activations" / "activations.ipynb", tmp_path / "activations.ipynb")
    code, out, err = selfcheck_in_process(notebook, capsys=capsys, monkeypatch=monkeypatch)
    assert code == exits.KIT_FAILURE, out + err
    assert "an error in the kit" in out and "a bug of the kit's" in out + err
