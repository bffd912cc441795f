"""Grading speed: the kit's autograde against bare execution of the same notebooks, in its sandbox
and without, with one worker against two, and what skipping the student-only cells saves.

    python -m benchmarks.grading [--students N] [--runs R]

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
difference, each a median over R fresh processes.
"""
import argparse
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
from pathlib import Path

import nbformat

from nnkit.batch import cli as batch
from nnkit import exits
from nnkit.collect import paths
from nnkit.gradebook.scratch import scratch_course
from nnkit.testing import gradebook_problems, nbgrader_env, scores
from nnkit.execution.execute import student_only
from nnkit.kernel.config import COURSE_ROOT
from nnkit.kernel.config import ASSIGNMENTS
from nnkit.collect.notebooks import read, total_points
from nnkit.sandbox.bwrap import OPT_OUT_VARIABLE
from nnkit.authoring.democlass import demo_score

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


def timed_command(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env(), check=True, capture_output=True, cwd=COURSE_ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


KERNEL = """
import sys, time, nbformat
from nbclient import NotebookClient
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import numpy")])
client = NotebookClient(nb, kernel_name="python3", shutdown_kernel=sys.argv[1])
start = time.perf_counter(); client.execute(); print(time.perf_counter() - start)
"""
REFERENCES = """
import sys, time
start = time.perf_counter()
from nnkit.kernel.cases import CASES
from nnkit.judging import references
if sys.argv[1] == "live":  # what the grader did before torch's results were stored
    references.stored_torch_result = lambda name, args: references.torch_reference(name, args)
for name in CASES: references.expected(name)
print(time.perf_counter() - start)
"""


def python_seconds(code: str, *args: str, runs: int) -> float:
    return statistics.median(float(subprocess.run([sys.executable, "-c", code, *args], env=env(), check=True,
                                                  capture_output=True, text=True, cwd=COURSE_ROOT).stdout.split()[-1])
                             for _ in range(runs))


def fixed_costs(runs: int) -> list[tuple[str, float]]:
    return [
        ("start python + nbgrader (`nbgrader --version`)", timed_command([sys.executable, "-m", "nbgrader", "--version"], runs)),
        ("start python + nbconvert (`nbconvert --version`)",
         timed_command([sys.executable, "-m", "jupyter", "nbconvert", "--version"], runs)),
        *[(f"start, run and stop one kernel (nbclient, {mode} shutdown)", python_seconds(KERNEL, mode, runs=runs))
          for mode in ("graceful", "immediate")],
        ("`import torch` in a fresh process", timed_command([sys.executable, "-c", "import torch"], runs)
         - timed_command([sys.executable, "-c", "pass"], runs)),
        ("grader references, all 26 cases, torch results stored (now)", python_seconds(REFERENCES, "stored", runs=runs)),
        ("grader references, all 26 cases, live torch (before)", python_seconds(REFERENCES, "live", runs=runs)),
    ]


def report(students: int = 8, runs: int = 3) -> str:
    with tempfile.TemporaryDirectory(prefix="nnkit-bench-") as tmp:
        floor_root, kit_root = Path(tmp) / "floor", Path(tmp) / "course"
        make_class(kit_root, students)
        floor, floor_parts, kit, kit_parts, bare, bare_parts, parallel, unskipped, problems = ([] for _ in range(9))
        for _ in range(runs):
            shutil.rmtree(floor_root, ignore_errors=True)
            make_floor(floor_root, students)
            seconds, parts = time_floor(floor_root)
            floor.append(seconds)
            floor_parts.append(parts)
            for jobs, sandbox, times, parts in ((1, True, kit, kit_parts), (1, False, bare, bare_parts),
                                                (2, True, parallel, None)):
                seconds, summary = time_kit(kit_root, jobs, sandbox)
                times.append(seconds)
                if parts is not None:
                    parts.append(summary["notebook_seconds"])
                problems += [f"J={jobs}{'' if sandbox else ' bare'}: {p}" for p in check_gradebook(kit_root, students, summary)]
            with_student_only_cells(kit_root, run=True)
            unskipped.append(time_kit(kit_root, 1, True, ["backprop"])[1]["notebook_seconds"]["backprop"])
            with_student_only_cells(kit_root, run=False)
        costs = fixed_costs(max(runs, 3))
    floor_total = statistics.median(floor)
    kit_total, bare_total, parallel_total = statistics.median(kit), statistics.median(bare), statistics.median(parallel)
    per = lambda seconds: seconds / students  # noqa: E731
    part = lambda parts, a: statistics.median(p[a] for p in parts) / students  # noqa: E731
    lines = [
        f"Grading speed: {students} students x {len(ASSIGNMENTS)} notebooks, half `correct`, half `seed`; "
        f"medians over {runs} runs; {os.cpu_count()} cores",
        "",
        "1. Overhead of the kit's autograde over bare execution (seconds per student, all three notebooks)",
        f"   floor, nbconvert --execute       {per(floor_total):6.2f} s",
        f"   kit autograde, 1 worker          {per(kit_total):6.2f} s",
        f"   ratio kit / floor                {kit_total / floor_total:6.2f}x   (target <= 1.5x)",
        "   by assignment, seconds per notebook, floor -> kit (from a notebook's first log line to its last):",
        *[f"     {a:<12} {statistics.median(f[a] for f in floor_parts) / students:5.2f} -> {part(kit_parts, a):5.2f} s"
          for a in ASSIGNMENTS],
        "   fixed costs (once per nbgrader or nbconvert run, or per kernel), each a median of fresh processes:",
        *[f"     {name:<62} {seconds:6.2f} s" for name, seconds in costs],
        "",
        "2. The sandbox (student-only cells skipped on both sides)",
        f"   kit, no sandbox                  {per(bare_total):6.2f} s per student",
        f"   kit, sandboxed                   {per(kit_total):6.2f} s per student",
        f"   ratio sandboxed / not            {kit_total / bare_total:6.2f}x   (target <= 1.1x)",
        *[f"     {a:<12} {part(bare_parts, a):5.2f} -> {part(kit_parts, a):5.2f} s per notebook" for a in ASSIGNMENTS],
        f"   backprop, its student-only cell run -> skipped: {statistics.median(unskipped) / students:5.2f} -> "
        f"{part(kit_parts, 'backprop'):5.2f} s per notebook",
        "",
        "3. Parallel autograde (nnkit.batch.cli --jobs J), sandboxed",
        f"   J=1  {kit_total:6.1f} s  {60 * students / kit_total:6.1f} students/min  "
        f"({60 * students * len(ASSIGNMENTS) / kit_total:.0f} notebooks/min)",
        f"   J=2  {parallel_total:6.1f} s  {60 * students / parallel_total:6.1f} students/min  "
        f"({60 * students * len(ASSIGNMENTS) / parallel_total:.0f} notebooks/min)",
        f"   speed-up J=2 / J=1               {kit_total / parallel_total:6.2f}x   (target >= 1.7x)",
        "   gradebook after every run: " + ("consistent, every grade present once and as expected"
                                            if not problems else "PROBLEMS: " + "; ".join(problems[:5])),
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.grading", description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(report(args.students, args.runs))
    return exits.OK


if __name__ == "__main__":
    exits.run(main)
