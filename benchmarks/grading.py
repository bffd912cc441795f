"""Grading speed: the kit's autograde against bare execution of the same notebooks, and with
one worker against two.

    python -m benchmarks.grading [--students N] [--runs R]

A scratch course gets N completed submissions (all three notebooks each, the demo's `correct` and
`seed` students in turn). Each run measures, one after the other:
- floor: `jupyter nbconvert --execute --allow-errors` of the same notebooks and nothing else, one
  nbconvert over all of them (as a worker of the batch runs one nbgrader autograde), each
  notebook in a copy of its release folder (with the MNIST sample, as autograde provides);
- kit, 1 worker: nnkit.batch.run (nbgrader autograde with the hidden tests and the judge);
- kit, 2 workers: the same with jobs=2;
and checks after each kit run that the gradebook is consistent and holds exactly the expected
scores (no lost or duplicated grade). Medians over R runs; the gradebook is prepared (assignments
and students entered) before timing, as it is once per course. Then the fixed costs that make
up the difference, each a median over R fresh processes.
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

from nnkit import batch
from nnkit.course import gradebook_problems, nbgrader_env, scores, scratch_course
from nnkit.mnist import COURSE_ROOT
from nnkit.notebooks import ASSIGNMENTS

KINDS = ("correct", "seed")
EXPECTED = {"correct": {"activations": 12, "convolution": 16, "backprop": 14},
            "seed": {"activations": 10, "convolution": 14, "backprop": 3}}  # as tests/test_autograde.py


def student_kind(student: str) -> str:
    """s000, s001: correct; s002, s003: seed; ... (so that every-J-th shards get both kinds)."""
    return KINDS[int(student[1:]) // 2 % len(KINDS)]


def make_class(root: Path, students: int) -> None:
    scratch_course(root)
    for i in range(students):
        shutil.copytree(COURSE_ROOT / "submitted" / student_kind(f"s{i}"), root / "submitted" / f"s{i:03d}")
    batch.prepare(list(ASSIGNMENTS), root)


def make_floor(root: Path, students: int) -> None:
    for i in range(students):
        for assignment in ASSIGNMENTS:
            folder = root / f"s{i:03d}" / assignment
            shutil.copytree(COURSE_ROOT / "release" / assignment, folder, symlinks=True)
            shutil.copy(COURSE_ROOT / "submitted" / student_kind(f"s{i}") / assignment / f"{assignment}.ipynb", folder)


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


def time_kit(root: Path, jobs: int) -> tuple[float, dict]:
    with contextlib.redirect_stderr(io.StringIO()):
        start = time.perf_counter()
        summary = batch.run(list(ASSIGNMENTS), root, jobs)
        seconds = time.perf_counter() - start
    return seconds, summary


def check_gradebook(root: Path, students: int, summary: dict) -> list[str]:
    """What is wrong with the gradebook after a run (nothing, we expect)."""
    table = scores(root)
    full = EXPECTED["correct"]
    want = {f"s{i:03d}": {a: (float(EXPECTED[student_kind(f"s{i}")][a]), float(full[a])) for a in ASSIGNMENTS}
            for i in range(students)}
    problems = gradebook_problems(root) + [f"{f['student']}/{f['assignment']}: {f['reason']}" for f in summary["failures"]]
    if table != want:
        problems.append(f"scores differ from the expected ones: {table}")
    return problems


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
from nnkit.cases import CASES
from nnkit import references
if sys.argv[1] == "live":  # what the grader did before torch's results were stored
    references.stored_torch_result = lambda name, args: references.torch_reference(CASES[name].function, args)
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
        floor, floor_parts, kit, kit_parts, parallel, problems = [], [], [], [], [], []
        for _ in range(runs):
            shutil.rmtree(floor_root, ignore_errors=True)
            make_floor(floor_root, students)
            seconds, parts = time_floor(floor_root)
            floor.append(seconds)
            floor_parts.append(parts)
            for jobs, times in ((1, kit), (2, parallel)):
                seconds, summary = time_kit(kit_root, jobs)
                times.append(seconds)
                if jobs == 1:
                    kit_parts.append(summary["notebook_seconds"])
                problems += [f"J={jobs}: {p}" for p in check_gradebook(kit_root, students, summary)]
        costs = fixed_costs(max(runs, 3))
    floor_total = statistics.median(floor)
    kit_total, parallel_total = statistics.median(kit), statistics.median(parallel)
    per = lambda seconds: seconds / students  # noqa: E731
    lines = [
        f"Grading speed: {students} students x {len(ASSIGNMENTS)} notebooks, half `correct`, half `seed`; "
        f"medians over {runs} runs; {os.cpu_count()} cores",
        "",
        "1. Overhead of the kit's autograde over bare execution (seconds per student, all three notebooks)",
        f"   floor, nbconvert --execute       {per(floor_total):6.2f} s",
        f"   kit autograde, 1 worker          {per(kit_total):6.2f} s",
        f"   ratio kit / floor                {kit_total / floor_total:6.2f}x   (target <= 1.5x)",
        "   by assignment, seconds per notebook, floor -> kit (from a notebook's first log line to its last):",
        *[f"     {a:<12} {statistics.median(f[a] for f in floor_parts) / students:5.2f} -> "
          f"{statistics.median(k[a] for k in kit_parts) / students:5.2f} s" for a in ASSIGNMENTS],
        "   fixed costs (once per nbgrader or nbconvert run, or per kernel), each a median of fresh processes:",
        *[f"     {name:<62} {seconds:6.2f} s" for name, seconds in costs],
        "",
        "2. Parallel autograde (nnkit.batch --jobs J)",
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
