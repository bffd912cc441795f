"""Is the per-cell time limit fair to a slow but correct student? Time the convolution and gradients
hidden tests.

Measured: the wall time of each hidden-test cell of the `convolution` assignment in a real
Jupyter kernel, when the answer cells hold the seed tutorial's loop `max_pooling` and `conv`
(tests/variants/seed.py, the slowest answers in the catalogue), next to the limit a grading
kernel gives each cell, nnkit.kernel.limits.CELL_TIMEOUT_SECONDS. The instructor's reference answer is
measured the same way for comparison. For `gradients`, the slowest correct style is the catalogue's
loop versions (tests/variants/correct/<function>_loops.py, e.g. conv_backward's four nested loops
over n, k, i, j, CS231n's naive one), with the reference answer for the other functions.

How: the instructor notebook source/convolution/convolution.ipynb (which holds the hidden tests,
each one `record("<case>", fn)`) gets its answer cells filled with the code under test, as
nbgrader autograde would see a submission; nbclient runs it in a python3 kernel started like
the grading kernels (the course folder on PYTHONPATH, the same start-up line and per-cell
timeout), with record_timing. A cell's time is its "iopub.execute_input" to
"shell.execute_reply" timestamps (building the case's inputs and encoding the answer
included); a case's time is the "seconds" that record() measured around the function call
alone. Nothing here asserts a time: these machines are shared and noisy.

    nnkit bench --only fairness
"""
import os
from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple

import nbformat
from nbgrader.utils import is_grade

from benchmarks.rows import Row
from nnkit.collect.notebooks import fill, implementations_in, notebook_path, read, reference_code
from nnkit.gradebook import points as gradebook
from nnkit.kernel import schema as records
from nnkit.kernel.config import COURSE_ROOT
from nnkit.kernel.limits import CELL_TIMEOUT_SECONDS, KERNEL_STARTUP

ASSIGNMENT = "convolution"
SEED = COURSE_ROOT / "tests" / "variants" / "seed.py"
LOOPS = "gradients"  # timed with the catalogue's correct loop versions
CORRECT = COURSE_ROOT / "tests" / "variants" / "correct"


class CellTime(NamedTuple):
    cell: str  # the graded cell's grade_id
    seconds: float  # the whole cell, as the kernel ran it
    case: str  # the case its record() call ran
    case_seconds: float  # the function call alone, as record() timed it
    failed: str  # "" or what went wrong (an exception raised by the function or by the cell)


def is_graded(cell) -> bool:
    """A hidden test: a graded cell with points (the visible checks carry none: nnkit.gradebook.points)."""
    return (
        cell.cell_type == "code"
        and is_grade(cell)
        and gradebook.carries_points(cell.metadata["nbgrader"].get("points", 0))
    )


def filled_notebook(implementations: dict[str, str], assignment: str = ASSIGNMENT) -> nbformat.NotebookNode:
    """The instructor notebook, hidden tests included, with its answer cells holding `implementations`."""
    return fill(read(notebook_path("source", assignment)), implementations)


def seed_notebook() -> nbformat.NotebookNode:
    return filled_notebook(implementations_in(SEED.read_text()))


def reference_notebook(assignment: str = ASSIGNMENT) -> nbformat.NotebookNode:
    return filled_notebook(reference_code(assignment), assignment)


def loop_variants(assignment: str = LOOPS) -> list:
    """The catalogue's correct loop versions of the assignment's graded functions."""
    from nnkit.kernel.course_cases import CASES

    graded = {case.function for case in CASES.values() if case.assignment == assignment}
    return sorted(p for function in graded for p in CORRECT.glob(f"{function}_loops.py"))


def loops_notebook(assignment: str = LOOPS) -> nbformat.NotebookNode:
    code = dict(reference_code(assignment))
    for path in loop_variants(assignment):
        code.update(implementations_in(path.read_text(), set(code)))
    return filled_notebook(code, assignment)


def cell_seconds(cell) -> float:
    timing = cell.metadata["execution"]
    start, end = (datetime.fromisoformat(timing[key]) for key in ("iopub.execute_input", "shell.execute_reply"))
    return (end - start).total_seconds()


def timings(executed: nbformat.NotebookNode) -> list[CellTime]:
    """One CellTime per graded cell of an executed notebook."""
    rows = []
    for cell in filter(is_graded, executed.cells):
        found = [records.parse(records.record_in(o.get("data"))) for o in cell.outputs
                 if o.get("output_type") == "display_data" and records.holds_record(o.get("data"))]
        errors = [f"{o['ename']}: {o['evalue']}" for o in cell.outputs if o.get("output_type") == "error"]
        record = found[0] if found else records.CallRecord("?", seconds=float("nan"))
        raised = record.exception
        failed = "; ".join(errors + ([f"{raised.type}: {raised.message}"] if raised else []))
        rows.append(CellTime(cell.metadata["nbgrader"]["grade_id"], cell_seconds(cell), record.case,
                             float(record.seconds), failed[:80]))
    return rows


def execute(notebook: nbformat.NotebookNode, assignment: str = ASSIGNMENT) -> nbformat.NotebookNode:
    """Run a notebook as a grading kernel would: its folder as cwd, nnkit importable, the limits applied."""
    from nbclient import NotebookClient

    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(COURSE_ROOT)] + paths))
    folder = notebook_path("source", assignment).parent
    client = NotebookClient(notebook, kernel_name="python3", timeout=CELL_TIMEOUT_SECONDS, allow_errors=True,
                            record_timing=True, resources={"metadata": {"path": str(folder)}},
                            extra_arguments=["--HistoryManager.hist_file=:memory:",
                                             f"--IPKernelApp.exec_lines={KERNEL_STARTUP}"])
    return client.execute(env=env)


def describe(rows: list[CellTime]) -> str:
    """The worst cell against the limit, then a line per hidden-test cell."""
    worst = max(rows, key=lambda r: r.seconds)
    lines = [f"worst cell {worst.seconds:.4f} s = {100 * worst.seconds / CELL_TIMEOUT_SECONDS:.3f}% "
             f"of the {CELL_TIMEOUT_SECONDS} s limit ({worst.cell})",
             f"  {'hidden-test cell':28} {'cell ms':>8}  {'case':22} {'case ms':>8}"]
    for r in rows:
        lines.append(f"  {r.cell:28} {1e3 * r.seconds:8.1f}  {r.case:22} {1e3 * r.case_seconds:8.2f}"
                     + (f"  ({r.failed})" if r.failed else ""))
    return "\n".join(lines)


def section() -> Iterator[str | Row]:
    """Section 5: the seed's cells, then the reference's, each run in a kernel of its own."""
    yield (f"5. Hidden-test cells of `{ASSIGNMENT}` in a real Jupyter kernel (nbclient), per-cell limit "
           f"nnkit.kernel.limits.CELL_TIMEOUT_SECONDS = {CELL_TIMEOUT_SECONDS} s, {os.cpu_count()} CPUs; "
           "cell = the whole cell, case = the function call alone")
    yield Row("seed tutorial's loop conv / max_pooling (tests/variants/seed.py): ",
              lambda: timings(execute(seed_notebook())), describe)
    yield Row("reference answer (the source notebook's solution): ",
              lambda: timings(execute(reference_notebook())), describe)
    names = ", ".join(p.name for p in loop_variants())
    yield Row(f"`{LOOPS}`, the slowest correct loop style ({names}): ",
              lambda: timings(execute(loops_notebook(), LOOPS)), describe)

