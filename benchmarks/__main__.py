"""Every speed figure of the kit, measured in one run (make bench):

    python -m benchmarks [--runs R] [--students N] [--smallest]

1-3. benchmarks.grading: the kit's autograde against bare `nbconvert --execute`; sandboxed against
     not; 1 vs 2 workers; backprop with and without its student-only cell.
4.   benchmarks.kernels: the reference conv / max pooling against torch.nn.functional.
5.   benchmarks.fairness: the seed's loop conv / max_pooling, worst hidden-test cell vs the limit.
6-7. benchmarks.neighbours: classmates' slowest cell with a CPU hog beside them vs alone (--jobs 2);
     the batch with a cgroup per submission vs per-process limits only.
Ratios only mean something within one run: these machines are shared and noisy. Each line is
printed as soon as it is measured; a row that cannot be measured says why in its place, and the
run then exits KIT_FAILURE (3) after the last section. --smallest runs every section at its
smallest size (benchmarks.sizes), as tests/test_benchmarks.py does: its figures mean nothing.
"""
import argparse
import time
from collections.abc import Iterator
from dataclasses import replace

from benchmarks import fairness, grading, kernels, neighbours
from benchmarks.rows import Printer, Row
from benchmarks.sizes import FULL, SMALLEST, Size
from nnkit import exits


def sections(size: Size) -> list[Iterator[str | Row]]:
    """The seven sections in order, each a generator that measures as it is printed."""
    return [*grading.sections(size), kernels.section(size), fairness.section(), neighbours.fairness(size),
            neighbours.cost(size)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, help=f"grading runs to take medians over (default {FULL.runs})")
    parser.add_argument("--students", type=int, help=f"students in the benchmark class (default {FULL.students})")
    parser.add_argument(
        "--smallest", action="store_true", help="every section at its smallest size (a check, not a measure)"
    )
    args = parser.parse_args(argv)
    size = SMALLEST if args.smallest else FULL
    size = replace(size, runs=args.runs or size.runs, students=args.students or size.students)
    start = time.perf_counter()
    printer = Printer()
    for section in sections(size):
        printer.section(section)
    printer.say(f"benchmarks done in {time.perf_counter() - start:.0f} s")
    if printer.failures:
        printer.say(f"{len(printer.failures)} rows not measured: " + "; ".join(printer.failures))
        return exits.KIT_FAILURE
    return exits.OK


if __name__ == "__main__":
    exits.run(main)
