"""Grading speed: the kit's autograde against bare execution of the same notebooks, in its sandbox
and without, with one worker against two, and what skipping the student-only cells saves.

    nnkit bench --only grading [--students N] [--runs R]

A scratch course gets N completed submissions (all three notebooks each, the demo's `correct` and
`seed` students in turn). Each run measures, one after the other:
- floor: `jupyter nbconvert --execute --allow-errors` of the same notebooks and nothing else, one
  nbconvert over all of them (as a worker of the batch runs one nbgrader autograde), each
  notebook in a copy of its release folder (with the MNIST sample, as autograde provides), its
  student-only cells left out as the grader leaves them out;
- kit, 1 worker: nnkit.batch.cli.run (nbgrader autograde with the hidden tests and the judge), every
  kernel in its sandbox;
- kit, 1 worker, no sandbox: the same with --no-sandbox;
- kit, 2 workers: sandboxed, jobs=2;
- backprop alone, 1 worker, with its student-only cell run (as before the grader skipped it);
and checks after each kit run that the gradebook is consistent and holds exactly the expected
scores (no lost or duplicated grade). Medians over R runs. Then the fixed costs that make up the
difference, each a median over fresh processes (benchmarks.sizes). Each line is printed as soon as it is
measured (benchmarks.rows).
"""
import contextlib
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import nbformat

from benchmarks.rows import Row, shared
from benchmarks.sizes import FULL, Size
from nnkit.authoring.democlass import demo_score
from nnkit.batch import cli as batch
from nnkit.collect import paths
from nnkit.collect.notebooks import read, total_points
from nnkit.execution.execute import student_only
from nnkit.gradebook.scratch import scratch_course
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ROOT
from nnkit.kernel.course_cases import CASES
from nnkit.sandbox.bwrap import OPT_OUT_VARIABLE
from nnkit.testing import gradebook_problems, nbgrader_env, scores

KINDS = ("correct", "seed")


def student_kind(student: str) -> str:
    """s000, s001: correct; s002, s003: seed; ... (so that every-J-th shards get both kinds)."""
    return KINDS[int(student[1:]) // 2 % len(KINDS)]


def make_class(root: Path, students: int) -> None:
    scratch_course(root)
    for i in range(students):
        for assignment in ASSIGNMENTS:
            shutil.copytree(paths.submitted(COURSE_ROOT, student_kind(f"s{i}"), assignment),
                            paths.submitted(root, f"s{i:03d}", assignment))


def make_floor(root: Path, students: int) -> None:
    for i in range(students):
        for assignment in ASSIGNMENTS:
            folder = root / f"s{i:03d}" / assignment
            shutil.copytree(COURSE_ROOT / "release" / assignment, folder, symlinks=True)
            notebook = read(paths.submitted_notebook(COURSE_ROOT, student_kind(f"s{i}"), assignment))
            notebook.cells = [cell for cell in notebook.cells if not student_only(cell)]
            nbformat.write(notebook, str(folder / f"{assignment}.ipynb"))


def env() -> dict:
    environment = nbgrader_env()
    environment["PYTHONPATH"] = str(COURSE_ROOT)
    return environment


def time_floor(root: Path) -> tuple[float, dict[str, float]]:
    """Seconds to execute every student's notebooks with one nbconvert (as the kit's worker runs
    one nbgrader), and the seconds spent on each assignment's notebooks, from nbconvert's log:
    from a notebook's "Converting" line to its "Writing" line."""
    notebooks = sorted(str(p) for p in root.glob("*/*/*.ipynb"))
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                                "--allow-errors", "--inplace", *notebooks], env=env(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    by_assignment, current, began = {}, None, 0.0
    for line in process.stderr:
        if match := re.search(r"Converting notebook .*/([^/]+)\.ipynb", line):
            current, began = match.group(1), time.perf_counter()
        elif "Writing" in line and current:
            by_assignment[current] = by_assignment.get(current, 0) + time.perf_counter() - began
            current = None
    if process.wait() != 0:
        raise RuntimeError("nbconvert failed on the benchmark's notebooks")
    return time.perf_counter() - start, by_assignment


def time_kit(root: Path, jobs: int, sandbox: bool = True, assignments=ASSIGNMENTS) -> tuple[float, dict]:
    saved = os.environ.pop(OPT_OUT_VARIABLE, None)
    if not sandbox:
        os.environ[OPT_OUT_VARIABLE] = "1"
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            start = time.perf_counter()
            summary = batch.run(list(assignments), root, jobs)
            seconds = time.perf_counter() - start
    finally:
        os.environ.pop(OPT_OUT_VARIABLE, None)
        if saved is not None:
            os.environ[OPT_OUT_VARIABLE] = saved
    return seconds, summary


def check_gradebook(root: Path, students: int, summary: dict) -> list[str]:
    """What is wrong with the gradebook after a run (nothing, we expect)."""
    table = scores(root)
    want = {f"s{i:03d}": {a: (float(demo_score(student_kind(f"s{i}"), a)), float(total_points(a))) for a in ASSIGNMENTS}
            for i in range(students)}
    problems = gradebook_problems(root) + [f"{o.student}/{o.assignment}: {o.reason}" for o in summary["outcomes"]
                                           if not o.gradable]
    if table != want:
        problems.append(f"scores differ from the expected ones: {table}")
    return problems


def with_student_only_cells(root: Path, run: bool) -> None:
    """Make the course's grader run (or skip, as it does) the student-only cells."""
    config = root / "nbgrader_config.py"
    lines = [line for line in config.read_text().splitlines() if "run_student_only" not in line]
    config.write_text("\n".join(lines + (["c.ResilientExecute.run_student_only = True"] if run else [])) + "\n")


def run_python(arguments: list[str]) -> str:
    """A fresh process of this Python in the course folder; its stdout, or why it failed in one line."""
    done = subprocess.run([sys.executable, *arguments], env=env(), capture_output=True, text=True, cwd=COURSE_ROOT)
    if done.returncode != 0:
        last = ([line for line in done.stderr.splitlines() if line.strip()] or ["(no message)"])[-1]
        shown = " ".join("CODE" if "\n" in argument else argument for argument in arguments)
        raise RuntimeError(f"`python {shown}` exited {done.returncode}: {last.strip()}")
    return done.stdout


def timed_command(arguments: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run_python(arguments)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


KERNEL = """
import sys, time, nbformat
from nbclient import NotebookClient
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import numpy")])
client = NotebookClient(nb, kernel_name="python3", shutdown_kernel=sys.argv[1])
start = time.perf_counter(); client.execute(); print(time.perf_counter() - start)
"""
# Every case's reference answer, checked as the grader checks it (references.checked_reference),
# against torch's stored results (now) or against torch computed live (what the grader did before).
REFERENCES = """
import sys, time
start = time.perf_counter()
from nnkit.kernel.course_cases import CASES
from nnkit.judging import references
torch_result = references.live_torch_result if sys.argv[1] == "live" else references.stored_torch_result
for name in CASES: references.checked_reference(name, torch_result)
print(time.perf_counter() - start)
"""


def python_seconds(code: str, *args: str, runs: int) -> float:
    return statistics.median(float(run_python(["-c", code, *args]).split()[-1]) for _ in range(runs))


def fixed_costs(runs: int) -> list[Row]:
    """One row per fixed cost, each a median over `runs` fresh processes."""
    def row(name, measure):
        return Row(f"     {name:<62} ", measure, lambda seconds: f"{seconds:6.2f} s")

    cases = len(CASES)
    return [
        row(
            "start python + nbgrader (`nbgrader --version`)",
            lambda: timed_command(["-m", "nbgrader", "--version"], runs),
        ),
        row(
            "start python + nbconvert (`nbconvert --version`)",
            lambda: timed_command(["-m", "jupyter", "nbconvert", "--version"], runs),
        ),
        *[
            row(
                f"start, run and stop one kernel (nbclient, {mode} shutdown)",
                lambda mode=mode: python_seconds(KERNEL, mode, runs=runs),
            )
            for mode in ("graceful", "immediate")
        ],
        row(
            "`import torch` in a fresh process",
            lambda: timed_command(["-c", "import torch"], runs) - timed_command(["-c", "pass"], runs),
        ),
        row(
            f"grader references, all {cases} cases, torch results stored (now)",
            lambda: python_seconds(REFERENCES, "stored", runs=runs),
        ),
        row(
            f"grader references, all {cases} cases, live torch (before)",
            lambda: python_seconds(REFERENCES, "live", runs=runs),
        ),
    ]


class Runs(NamedTuple):
    """Seconds of every run (lists over runs), and each run's seconds per assignment (dicts)."""
    floor: list
    floor_parts: list
    kit: list
    kit_parts: list
    bare: list
    bare_parts: list
    parallel: list
    unskipped: list
    problems: list


def measure_runs(students: int, runs: int) -> Runs:
    with tempfile.TemporaryDirectory(prefix="nnkit-bench-") as tmp:
        floor_root, kit_root = Path(tmp) / "floor", Path(tmp) / "course"
        make_class(kit_root, students)
        measured = Runs(*([] for _ in Runs._fields))
        for _ in range(runs):
            shutil.rmtree(floor_root, ignore_errors=True)
            make_floor(floor_root, students)
            seconds, parts = time_floor(floor_root)
            measured.floor.append(seconds)
            measured.floor_parts.append(parts)
            for jobs, sandbox, times, parts in ((1, True, measured.kit, measured.kit_parts),
                                                (1, False, measured.bare, measured.bare_parts),
                                                (2, True, measured.parallel, None)):
                seconds, summary = time_kit(kit_root, jobs, sandbox)
                times.append(seconds)
                if parts is not None:
                    parts.append(summary["notebook_seconds"])
                measured.problems.extend(f"J={jobs}{'' if sandbox else ' bare'}: {p}"
                                         for p in check_gradebook(kit_root, students, summary))
            with_student_only_cells(kit_root, run=True)
            measured.unskipped.append(time_kit(kit_root, 1, True, ["backprop"])[1]["notebook_seconds"]["backprop"])
            with_student_only_cells(kit_root, run=False)
    return measured


def consistent(problems: list[str]) -> str:
    if problems:
        raise AssertionError(f"{len(problems)} problems: " + "; ".join(problems[:3]))
    return "consistent, every grade present once and as expected"


def sections(size: Size = FULL) -> list[Iterator[str | Row]]:
    """Sections 1-3, from the same runs (measured once, when section 1 first needs them)."""
    runs = shared(lambda: measure_runs(size.students, size.runs))
    students = size.students
    median = statistics.median
    per_notebook = lambda parts, a: median(p[a] for p in parts) / students  # noqa: E731

    def against(base: tuple[str, float], other: tuple[str, float], ratio: str, target: str, per: str):
        """Two totals per student, then their ratio."""
        for label, seconds in (base, other):
            yield f"   {label:<32} {seconds / students:6.2f} s{per}"
        yield f"   {ratio:<32} {other[1] / base[1]:6.2f}x   ({target})"

    def by_assignment(base_parts: list, parts: list, per: str):
        for a in ASSIGNMENTS:
            yield f"     {a:<12} {per_notebook(base_parts, a):5.2f} -> {per_notebook(parts, a):5.2f} s{per}"

    def overhead():
        yield (f"Grading speed: {students} students x {len(ASSIGNMENTS)} notebooks, half `correct`, half `seed`; "
               f"medians over {size.runs} runs; {os.cpu_count()} cores")
        yield ""
        yield "1. Overhead of the kit's autograde over bare execution (seconds per student, every notebook)"
        r = runs()
        floor, kit = median(r.floor), median(r.kit)
        yield from against(("floor, nbconvert --execute", floor), ("kit autograde, 1 worker", kit),
                           "ratio kit / floor", "target <= 1.5x", "")
        yield "   by assignment, seconds per notebook, floor -> kit (from a notebook's first log line to its last):"
        yield from by_assignment(r.floor_parts, r.kit_parts, "")
        yield "   fixed costs (once per nbgrader or nbconvert run, or per kernel), each a median of fresh processes:"
        yield from fixed_costs(size.process_runs)

    def sandbox():
        yield "2. The sandbox (student-only cells skipped on both sides)"
        r = runs()
        bare, kit = median(r.bare), median(r.kit)
        yield from against(("kit, no sandbox", bare), ("kit, sandboxed", kit), "ratio sandboxed / not",
                           "target <= 1.1x", " per student")
        yield from by_assignment(r.bare_parts, r.kit_parts, " per notebook")
        yield (f"   backprop, its student-only cell run -> skipped: {median(r.unskipped) / students:5.2f} -> "
               f"{per_notebook(r.kit_parts, 'backprop'):5.2f} s per notebook")

    def parallel():
        yield "3. Parallel autograde (nnkit.batch.cli --jobs J), sandboxed"
        r = runs()
        notebooks = students * len(ASSIGNMENTS)
        for jobs, seconds in ((1, median(r.kit)), (2, median(r.parallel))):
            yield (f"   J={jobs}  {seconds:6.1f} s  {60 * students / seconds:6.1f} students/min  "
                   f"({60 * notebooks / seconds:.0f} notebooks/min)")
        yield f"   speed-up J=2 / J=1               {median(r.kit) / median(r.parallel):6.2f}x   (target >= 1.7x)"
        yield Row("   gradebook after every run: ", lambda: consistent(r.problems))

    return [overhead(), sandbox(), parallel()]

