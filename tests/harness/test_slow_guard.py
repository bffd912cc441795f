"""`make test-quick` runs no grading: tests/conftest.py fails a test not marked slow that starts
one. These tests are not marked slow, so the guard is on while they run."""
import subprocess
import sys

import pytest

from conftest import grading_command


@pytest.mark.parametrize("argv, grades", [
    ([sys.executable, "-m", "nbgrader", "autograde", "activations"], True),
    ([sys.executable, "-m", "nnkit.batch.cli", "--course", "."], True),
    (["setpriv", "--reuid=1001", "/venv/bin/python", "-m", "nnkit.batch.worker", "/course", "1"], True),
    ([sys.executable, "-m", "nnkit.batch.selfcheck", "a.ipynb"], True),
    (["/venv/bin/nbgrader", "generate_feedback", "activations"], True),
    (["make", "-s", "grade"], True),
    ([sys.executable, "-m", "nnkit.authoring.mutants", "--json"], False),
    ([sys.executable, "-c", "print('nnkit.batch.cli')"], False),
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


class Item:
    """What the ordering hook reads of a collected test: its id and its marks."""

    def __init__(self, nodeid, slow=False, long=False):
        self.nodeid, self.marks = nodeid, {name for name, marked in (("slow", slow), ("long", long)) if marked}

    def get_closest_marker(self, name):
        return object() if name in self.marks else None


def test_the_long_files_then_those_with_the_most_slow_tests_run_first_each_file_whole_and_in_order():
    from conftest import pytest_collection_modifyitems

    items = [Item("tests/test_a.py::quick"), Item("tests/test_b.py::one", True), Item("tests/test_b.py::quick"),
             Item("tests/test_c.py::one", True), Item("tests/test_c.py::two", True), Item("tests/test_c.py::quick"),
             Item("tests/test_d.py::quick"), Item("tests/test_e.py::quick"), Item("tests/test_e.py::one", True, True)]
    pytest_collection_modifyitems(None, items)
    assert [i.nodeid for i in items] == ["tests/test_e.py::quick", "tests/test_e.py::one",
                                         "tests/test_c.py::one", "tests/test_c.py::two", "tests/test_c.py::quick",
                                         "tests/test_b.py::one", "tests/test_b.py::quick",
                                         "tests/test_a.py::quick", "tests/test_d.py::quick"]
