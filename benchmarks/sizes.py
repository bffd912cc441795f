"""How big each benchmark's workloads are: FULL for `make bench`, SMALLEST for the test that runs
every section once (tests/test_benchmarks.py checks its rows, never a time)."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    students: int = 8  # the benchmark class (sections 1-3 and 7), every notebook each
    runs: int = 3  # grading runs a median is taken over
    process_runs: int = 3  # fresh processes a fixed cost is a median of
    batch: int = 64  # MNIST digits in a reference kernel workload (section 4)
    kernel_runs: int = 7  # timed calls a kernel figure is a median of
    threads: tuple[int, ...] = (1, 2)  # BLAS and torch thread counts, one process each
    classmates: int = 6  # graded beside the hog (section 6)
    hog_processes: int = 200  # the hog's busy processes ...
    hog_seconds: int = 40  # ... and how long they burn


FULL = Size()
SMALLEST = Size(students=1, runs=1, process_runs=1, batch=2, kernel_runs=1, threads=(1,), classmates=1,
                hog_processes=2, hog_seconds=2)
