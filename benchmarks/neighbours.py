"""What one submission costs its classmates, and what bounding each submission costs the batch
(make bench, section 6).

    nnkit bench --only neighbours [--runs R] [--students S]

Fairness: a class of N classmates of `backprop` (correct answers: its hidden tests train a small
network, the course's most CPU-bound cells), graded with --jobs 2
- alone;
- with a CPU hog beside them: a submission graded first, by the other worker, whose cell starts
  hog_processes busy processes for hog_seconds (benchmarks.sizes; every classmate is graded meanwhile);
- the same hog, with per-process limits only (NNKIT_CGROUP=none), for comparison.
Reported: the classmates' slowest cell (from the execution times nbclient records in each graded
notebook), with the hog against alone as a ratio (goal: at most 2x), and how many classmates were
flagged (goal: none). Each submission's cgroup gives it the CPU weight of one process
(nnkit.kernel.limits.SUBMISSION_CPU_WEIGHT), so the hog's processes share one classmate's share.

Cost: the class of benchmarks.grading (S students x every notebook), sandboxed, one worker, with
cgroups and without (NNKIT_CGROUP=none), in turn, medians over R runs (goal: at most 1.1x).
Nothing here asserts a time: these machines are shared and noisy.
"""
import os
import shutil
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat

from benchmarks.fairness import cell_seconds
from benchmarks.grading import make_class, time_kit
from benchmarks.sizes import FULL, Size
from nnkit.collect import paths
from nnkit.collect.notebooks import read
from nnkit.gradebook.scratch import scratch_course
from nnkit.gradebook.states import State, class_submissions
from nnkit.kernel.config import COURSE_ROOT
from nnkit.sandbox import cgroups

ASSIGNMENT = "backprop"
HOG = "a_hog"  # graded first (students are graded in order)


def hog_cell(processes: int, seconds: int) -> str:
    """Every process is forked first, then all of them burn together (a fork loop among busy
    children would take minutes to start them all)."""
    return f"""import os, time
start = time.time() + 5
for _ in range({processes}):
    if os.fork() == 0:
        time.sleep(max(0, start - time.time()))
        while time.time() < start + {seconds}:
            pass
        os._exit(0)
time.sleep(max(0, start + {seconds} + 2 - time.time()))"""


@contextmanager
def cgroups_off(off: bool):
    """Grade with per-process limits only (NNKIT_CGROUP=none), in this process and its workers."""
    saved = os.environ.get(cgroups.SETTING)
    if off:
        os.environ[cgroups.SETTING] = cgroups.OFF
    cgroups.backend.cache_clear()
    cgroups.probe.cache_clear()
    try:
        yield
    finally:
        os.environ.pop(cgroups.SETTING, None)
        if saved is not None:
            os.environ[cgroups.SETTING] = saved
        cgroups.backend.cache_clear()
        cgroups.probe.cache_clear()


def make_neighbours(root: Path, classmates: int, hog: str | None) -> None:
    """`classmates` correct submissions, and the hog's cell in one more, graded first."""
    scratch_course(root)
    for i in range(classmates):
        shutil.copytree(
            paths.submitted(COURSE_ROOT, "correct", ASSIGNMENT), paths.submitted(root, f"s{i:03d}", ASSIGNMENT)
        )
    if hog:
        shutil.copytree(paths.submitted(COURSE_ROOT, "correct", ASSIGNMENT), paths.submitted(root, HOG, ASSIGNMENT))
        notebook = read(paths.submitted_notebook(root, HOG, ASSIGNMENT))
        notebook.cells.insert(2, nbformat.v4.new_code_cell(hog))
        nbformat.write(notebook, str(paths.submitted_notebook(root, HOG, ASSIGNMENT)))


def slowest_cell(root: Path, students: list[str]) -> float:
    """The slowest code cell of these students' graded notebooks, in seconds."""
    times = []
    for student in students:
        notebook = read(paths.graded_notebook(root, student, ASSIGNMENT))
        times += [cell_seconds(c) for c in notebook.cells
                  if c.cell_type == "code" and "shell.execute_reply" in c.metadata.get("execution", {})]
    return max(times)


def grade_neighbours(base: Path, classmates: int, hog: str | None, off: bool = False) -> tuple[float, int, float]:
    """(classmates' slowest cell, classmates flagged, batch seconds)."""
    root = base / f"{'hog' if hog else 'alone'}{'-off' if off else ''}"
    make_neighbours(root, classmates, hog)
    with cgroups_off(off):
        seconds, _ = time_kit(root, 2, True, [ASSIGNMENT])
    students = [f"s{i:03d}" for i in range(classmates)]
    flagged = sum(e.state != State.GRADED for e in class_submissions(root, [ASSIGNMENT]) if e.student in students)
    return slowest_cell(root, students), flagged, seconds


def fairness(size: Size = FULL) -> Iterator[str]:
    """Section 6: the classmates alone, then beside the hog with cgroups, then without."""
    classmates, hog = size.classmates, hog_cell(size.hog_processes, size.hog_seconds)
    yield (f"6. A CPU hog beside the class: {classmates} classmates of `{ASSIGNMENT}` (correct answers), --jobs 2, "
           f"{os.cpu_count()} cores; the hog: {size.hog_processes} busy processes for {size.hog_seconds} s, "
           "graded by the other worker")
    with tempfile.TemporaryDirectory(prefix="nnkit-bench-neighbours-") as tmp:
        alone, _, alone_seconds = grade_neighbours(Path(tmp), classmates, hog=None)
        yield f"   classmates' slowest cell, alone          {alone:7.3f} s   (batch {alone_seconds:.0f} s)"
        beside, flagged, hog_seconds = grade_neighbours(Path(tmp), classmates, hog=hog)
        yield (f"   ... with the hog beside, cgroups         {beside:7.3f} s   (batch {hog_seconds:.0f} s), "
               f"{flagged} flagged")
        yield f"   ratio hog / alone                        {beside / alone:7.2f}x   (goal <= 2x, none flagged)"
        bare, bare_flagged, bare_seconds = grade_neighbours(Path(tmp), classmates, hog=hog, off=True)
        yield (f"   ... with the hog, per-process limits only {bare:6.3f} s   (batch {bare_seconds:.0f} s), "
               f"{bare_flagged} flagged, ratio {bare / alone:.1f}x")


def cost(size: Size = FULL) -> Iterator[str]:
    """Section 7: the benchmark class with a cgroup per submission and without, in turn."""
    students, runs = size.students, size.runs
    where = cgroups.unavailable() or cgroups.backend().describe()
    yield (f"7. What a cgroup per submission costs: {students} students x every notebook, sandboxed, 1 worker, "
           f"medians over {runs} runs ({where})")
    with_groups, without = [], []
    with tempfile.TemporaryDirectory(prefix="nnkit-bench-cost-") as tmp:
        root = Path(tmp) / "course"
        make_class(root, students)
        for _ in range(runs):
            for off, times in ((False, with_groups), (True, without)):
                with cgroups_off(off):
                    times.append(time_kit(root, 1, True)[0])
    on, off = statistics.median(with_groups), statistics.median(without)
    yield f"   sandboxed, per-process limits only       {off / students:6.2f} s per student"
    yield f"   sandboxed, a cgroup per submission       {on / students:6.2f} s per student"
    yield f"   ratio with / without                     {on / off:6.3f}x   (goal <= 1.1x)"

