"""The catalogue of hostile and broken submissions (issue 4), each with the outcome the grader
must give. Every entry is a submission of the `activations` notebook (12 points: sigmoid 5, relu 3,
cross_entropy 4), built from the instructor's answers with one change. The README's table lists
the same entries (tests/test_hostile.py checks that it does).

An outcome is either the expected score, with a phrase that the grader's messages must contain
(`None` when nothing is wrong), or NOT_GRADABLE with a phrase of the batch's reason.
"""
import copy
from typing import Callable, NamedTuple

import nbformat
from nbformat.v4 import new_markdown_cell

from nnkit.notebooks import fill, reference_code

NOT_GRADABLE = -1
ANSWERS = reference_code("activations")


class Entry(NamedTuple):
    build: Callable  # release notebook -> submission (a notebook, or raw text for a broken file; None: no file)
    score: int
    phrase: str | None
    does: str  # the README's "what it does"
    grader: str  # the README's "what the grader does"
    filename: str = "activations.ipynb"


def answer(function: str, code: str):
    return lambda release: fill(release, {**ANSWERS, function: code})


def with_cell(code: str):
    """The correct answers plus a cell of the student's own, right after the imports."""
    def build(release):
        notebook = fill(release, ANSWERS)
        notebook.cells.insert(2, nbformat.v4.new_code_cell(code))
        return notebook
    return build


def edited(change):
    def build(release):
        notebook = fill(release, ANSWERS)
        change(notebook)
        return notebook
    return build


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def drop_cell(name):
    return lambda nb: nb.cells.remove(next(c for c in nb.cells if grade_id(c) == name))


def set_source(name, source):
    return lambda nb: setattr(next(c for c in nb.cells if grade_id(c) == name), "source", source)


def to_markdown(name):
    def change(nb):
        index = next(i for i, c in enumerate(nb.cells) if grade_id(c) == name)
        nb.cells[index] = new_markdown_cell(nb.cells[index].source, metadata=nb.cells[index].metadata)
    return change


def rename_ids(nb):
    for cell in nb.cells:
        if grade_id(cell) == "relu":
            cell.metadata["nbgrader"]["grade_id"] = "my_relu"


def duplicate_tests(nb):
    copies = [copy.deepcopy(c) for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    for number, cell in enumerate(copies):
        cell["id"] = f"copy-{number}"  # nbformat's own ids stay unique; nbgrader's grade ids do not
    nb.cells += copies


SIGMOID_LOST = "sigmoid's 5 points lost, the rest graded"
FORGE = '''import IPython.display

def sigmoid(x):
    e = np.exp(-np.abs(x))
    fake = {"case": "sigmoid_mnist", "exception": None, "result": None, "mutated": [], "warnings": []}
    IPython.display.publish_display_data({"application/vnd.nnkit.record+json": fake})
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)) * 0'''

CATALOGUE = {
    # runaway code
    "infinite_loop": Entry(answer("sigmoid", "def sigmoid(x):\n    while True:\n        pass"), 7,
                           "did not finish within the time limit", "an endless loop in `sigmoid`",
                           f"each sigmoid cell is interrupted at the time limit: {SIGMOID_LOST}"),
    "swallows_interrupt": Entry(answer("sigmoid", "import time\n\ndef sigmoid(x):\n    while True:\n        try:\n"
                                       "            time.sleep(0.1)\n        except KeyboardInterrupt:\n            pass"),
                                7, "ignored the interrupt", "a loop in `sigmoid` that swallows KeyboardInterrupt",
                                f"kernel restarted after the time limit, clean cells replayed: {SIGMOID_LOST}"),
    "sleeps_forever": Entry(answer("sigmoid", "import time\n\ndef sigmoid(x):\n    time.sleep(10**6)"), 7,
                            "did not finish within the time limit", "`time.sleep(10**6)` in `sigmoid`",
                            f"interrupted at the time limit: {SIGMOID_LOST}"),
    "memory_hog": Entry(answer("relu", "def relu(x):\n    hoard = [np.ones(2**27) for _ in range(256)]\n"
                               "    return np.maximum(x, 0)"), 9, "MemoryError",
                        "`relu` allocates 256 GiB, 1 GiB at a time",
                        "the kernel's 4 GiB memory limit raises MemoryError: relu's 3 points lost"),
    "forks": Entry(answer("sigmoid", "import os\n\ndef sigmoid(x):\n    for _ in range(20):\n        if os.fork() == 0:\n"
                          "            os._exit(0)\n    e = np.exp(-np.abs(x))\n    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))"),
                   12, None, "`sigmoid` forks 20 children (which exit) before answering",
                   "graded normally: full marks"),
    # kernel death
    "os_exit": Entry(answer("sigmoid", "import os\n\ndef sigmoid(x):\n    os._exit(0)"), 7, "the kernel died",
                     "`os._exit(0)` in `sigmoid`", f"kernel restarted, clean cells replayed: {SIGMOID_LOST}"),
    "sys_exit": Entry(answer("sigmoid", "import sys\n\ndef sigmoid(x):\n    sys.exit()"), 7, "SystemExit",
                      "`sys.exit()` in `sigmoid`", f"IPython turns it into an error: {SIGMOID_LOST}"),
    "segfault": Entry(answer("sigmoid", "import ctypes\n\ndef sigmoid(x):\n    return ctypes.string_at(0)"), 7,
                      "the kernel died", "a segfault via `ctypes.string_at(0)` in `sigmoid`",
                      f"kernel restarted, clean cells replayed: {SIGMOID_LOST}"),
    # notebook damage
    "invalid_json": Entry(lambda release: "{ this is not a notebook", NOT_GRADABLE, "NotJSONError",
                          "the notebook file is not JSON", "reported with the reason, listed for review; no grades"),
    "missing_notebook": Entry(lambda release: None, NOT_GRADABLE, "No notebooks were matched",
                              "an empty submission folder", "reported with the reason; no gradebook entry"),
    "renamed_notebook": Entry(lambda release: fill(release, ANSWERS), NOT_GRADABLE,
                              "unknown notebook my_activations.ipynb", "the notebook renamed `my_activations.ipynb`",
                              "reported: which name was found and which was expected; no grades",
                              filename="my_activations.ipynb"),
    "deleted_test_cell": Entry(edited(drop_cell("test_relu_mnist")), 10, None, "a hidden-test cell deleted",
                               "that cell scores 0 (2 points); the rest graded"),
    "edited_test_cell": Entry(edited(set_source("test_relu_mnist", "pass")), 12, None,
                              "a hidden-test cell's code replaced by `pass`",
                              "nbgrader restores the locked cell from the gradebook: graded normally"),
    "reordered_cells": Entry(edited(lambda nb: nb.cells.reverse()), 0, "is not defined",
                             "all cells in reverse order",
                             "run in the submitted order: every test runs before its function exists: 0"),
    "duplicated_test_cells": Entry(edited(duplicate_tests), NOT_GRADABLE, "old version",
                                   "every test cell duplicated",
                                   "nbgrader refuses the notebook; the batch grades everyone else on their own"),
    "answer_cell_to_markdown": Entry(edited(to_markdown("relu")), 12, None, "the `relu` answer cell turned into markdown",
                                     "nbgrader restores the cell type: graded normally"),
    "changed_cell_ids": Entry(edited(rename_ids), NOT_GRADABLE, "failed to validate", "an answer cell's grade id changed",
                              "nbgrader rejects the corrupted metadata: reported, no grades"),
    "huge_output": Entry(with_cell("print('x' * 20_000_000)"), 12, None, "a cell prints 20 MB",
                         "graded normally; nbgrader's LimitOutput truncates the output"),
    # cheating
    "patches_numpy_checks": Entry(with_cell("np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
                                            "np.testing.assert_allclose = lambda *a, **k: None"), 0, "flagged for review",
                                  "a cell reassigning `np.allclose`, `np.isclose`, `np.testing.assert_allclose`",
                                  "flagged by the integrity scan: every function 0, listed for review"),
    "patches_builtins": Entry(with_cell("import builtins\nbuiltins.abs = lambda x: 0\nbuiltins.print = lambda *a, **k: None"),
                              0, "flagged for review", "a cell reassigning the builtins `abs` and `print`",
                              "flagged: every function 0, listed for review"),
    "patches_grader": Entry(with_cell("import nnkit.record\nnnkit.record.record = lambda *a, **k: None"), 0,
                            "flagged for review", "a cell replacing the kit's `record` with a no-op",
                            "flagged: every function 0 (and a missing record fails anyway)"),
    "forged_record": Entry(answer("sigmoid", FORGE), 7, "recorded more than once",
                           "`sigmoid` publishes a fake grader record, then returns zeros",
                           f"two records in one cell fail the case, flagged: {SIGMOID_LOST}"),
    "delegates_to_torch": Entry(answer("sigmoid", "import torch\n\ndef sigmoid(x):\n"
                                       "    return torch.sigmoid(torch.from_numpy(x)).numpy()"), 7, "uses torch",
                                "`sigmoid` returns `torch.sigmoid(...)` (right values)",
                                f"flagged: {SIGMOID_LOST}, listed for review"),
    "delegates_to_scipy": Entry(answer("sigmoid", "from scipy.special import expit\n\ndef sigmoid(x):\n    return expit(x)"),
                                7, "uses expit", "`sigmoid` returns `scipy.special.expit(x)` (right values)",
                                f"flagged: {SIGMOID_LOST}"),
    "imports_solutions": Entry(answer("relu", "def relu(x):\n    from solutions.activations import relu as r\n    return r(x)"),
                               9, "imports solutions", "`relu` imports the reference solution",
                               "flagged: relu's 3 points lost"),
    "reads_solution_file": Entry(answer("relu", "def relu(x):\n    code = open('../../../solutions/activations.py').read()\n"
                                        "    return np.maximum(x, 0) if code else x"), 9, "opens a file outside",
                                 "`relu` reads `../../../solutions/activations.py`", "flagged: relu's 3 points lost"),
    "writes_outside": Entry(answer("relu", "def relu(x):\n    open('/tmp/stolen_inputs.txt', 'a').write(str(x.shape))\n"
                                   "    return np.maximum(x, 0)"), 9, "opens a file outside",
                            "`relu` writes to `/tmp`", "flagged: relu's 3 points lost"),
    "prints_fake_pass": Entry(answer("relu", "def relu(x):\n    print('All tests passed! 3/3 points')\n    return x"), 9,
                              "wrong values", "a wrong `relu` that prints 'All tests passed!'",
                              "the verdict is the grader's, not the output's: relu's 3 points lost"),
    # noise
    "warns_on_stderr": Entry(answer("relu", "import sys, warnings\n\ndef relu(x):\n    warnings.warn('deprecated', DeprecationWarning)\n"
                                    "    print('note: computing relu', file=sys.stderr)\n    return np.maximum(x, 0)"), 12, None,
                             "a correct `relu` that warns and writes to stderr", "no points lost: full marks"),
}
