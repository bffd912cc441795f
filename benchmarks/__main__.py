"""Every speed figure of the kit, measured in one run (make bench):

    python -m benchmarks [--runs R] [--students N]

1-3. benchmarks.grading: the kit's autograde against bare `nbconvert --execute`; sandboxed against
     not; 1 vs 2 workers; backprop with and without its student-only cell.
4.   benchmarks.kernels: the reference conv / max pooling against torch.nn.functional.
5.   benchmarks.fairness: the seed's loop conv / max_pooling, worst hidden-test cell vs the limit.
6-7. benchmarks.neighbours: classmates' slowest cell with a CPU hog beside them vs alone (--jobs 2);
     the batch with a cgroup per submission vs per-process limits only.
Ratios only mean something within one run: these machines are shared and noisy.
"""
import argparse
import time

from benchmarks import fairness, grading, kernels, neighbours
from nnkit import exits


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="grading runs to take medians over (default 3)")
    parser.add_argument("--students", type=int, default=8, help="students in the benchmark class (default 8)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    for section in (lambda: grading.report(args.students, args.runs), lambda: "4. " + kernels.report(),
                    lambda: "5. " + fairness.report(), lambda: neighbours.report(students=args.students, runs=args.runs)):
        print(section(), end="\n\n", flush=True)
    print(f"benchmarks done in {time.perf_counter() - start:.0f} s")
    return exits.OK


if __name__ == "__main__":
    exits.run(main)
