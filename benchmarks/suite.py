"""Every speed figure of the kit, measured in one run: `nnkit bench [--runs R] [--students N] [--smallest]`
(make bench).

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
import time
from collections.abc import Iterator
from dataclasses import replace

from benchmarks import fairness, grading, kernels, neighbours
from benchmarks.rows import Printer, Row
from benchmarks.sizes import FULL, SMALLEST, Size
from nnkit import exits

# The sections by the module that measures them, in the order they run (`--only` picks some).
SECTIONS = {
    "grading": lambda size: grading.sections(size),
    "kernels": lambda size: [kernels.section(size)],
    "fairness": lambda size: [fairness.section()],
    "neighbours": lambda size: [neighbours.fairness(size), neighbours.cost(size)],
}


def sections(size: Size, only=tuple(SECTIONS)) -> list[Iterator[str | Row]]:
    """The sections of `only`, in order, each a generator that measures as it is printed."""
    return [section for name, made in SECTIONS.items() if name in only for section in made(size)]


def main(argv=None) -> int:
    parser = exits.command_parser("nnkit bench", __doc__.splitlines()[0].split(":")[0],
                                  ok="every row measured", cannot_check="a bad argument",
                                  kit_failure="a row could not be measured (it says why in its place), or a crash")
    parser.add_argument("--runs", type=int, help=f"grading runs to take medians over (default {FULL.runs})")
    parser.add_argument("--students", type=int, help=f"students in the benchmark class (default {FULL.students})")
    parser.add_argument(
        "--smallest", action="store_true", help="every section at its smallest size (a check, not a measure)"
    )
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS), metavar="SECTION",
                        help=f"only these sections ({', '.join(SECTIONS)}); default: all")
    args = parser.parse_args(argv)
    size = SMALLEST if args.smallest else FULL
    size = replace(size, runs=args.runs or size.runs, students=args.students or size.students)
    start = time.perf_counter()
    printer = Printer()
    for section in sections(size, args.only):
        printer.section(section)
    printer.say(f"benchmarks done in {time.perf_counter() - start:.0f} s")
    if printer.failures:
        printer.say(f"{len(printer.failures)} rows not measured: " + "; ".join(printer.failures))
        return exits.KIT_FAILURE
    return exits.OK

