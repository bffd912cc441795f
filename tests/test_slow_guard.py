"""`make test-quick` runs no grading: tests/conftest.py fails a test not marked slow that starts
one. These tests are not marked slow, so the guard is on while they run."""
import subprocess
import sys

import pytest

from conftest import grading_command


@pytest.mark.parametrize("argv, grades", [
    ([sys.executable, "-m", "nbgrader", "autograde", "activations"], True),
    ([sys.executable, "-m", "nnkit.batch", "--course", "."], True),
    (["setpriv", "--reuid=1001", "/venv/bin/python", "-m", "nnkit.worker", "/course", "1"], True),
    ([sys.executable, "-m", "nnkit.selfcheck", "a.ipynb"], True),
    (["/venv/bin/nbgrader", "generate_feedback", "activations"], True),
    (["make", "-s", "grade"], True),
    ([sys.executable, "-m", "nnkit.mutants", "--json"], False),
    ([sys.executable, "-c", "print('nnkit.batch')"], False),
    (["make", "-s", "sandbox"], False),
])
def test_the_guard_knows_a_command_that_grades(argv, grades):
    assert bool(grading_command(argv)) == grades


def test_an_unmarked_test_cannot_start_nbgrader():
    with pytest.raises(RuntimeError, match="not marked slow but starts a grading"):
        subprocess.run([sys.executable, "-m", "nbgrader", "--version"], capture_output=True, timeout=60)


@pytest.mark.parametrize("converter", ["Autograde", "GenerateAssignment", "GenerateFeedback"])
def test_an_unmarked_test_cannot_run_an_nbgrader_converter_in_process(converter):
    import nbgrader.converters

    with pytest.raises(RuntimeError, match="not marked slow but starts a grading"):
        getattr(nbgrader.converters, converter)().start()
