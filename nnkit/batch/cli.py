"""`make grade`: autograde a whole class (every student, every assignment), print the table and
the summary, write grades.csv and the report. Across machines, one shard per process:

    python -m nnkit.batch.cli [--assignment NAME ...] [--jobs J]   (make grade [JOBS=J])
    python -m nnkit.batch.cli --prepare | --shard I/N | --collect   (cluster/: a Slurm array)

Its exit codes: nnkit.exits. How it grades: docs/grading.md; its states: docs/instructors.md.
"""
import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

from nnkit import exits
from nnkit.batch import locks
from nnkit.batch.preparation import (
    all_students,
    announce_limits,
    prepare,
    require_sandbox,
    shard,
    submissions,
    unprepared,
)
from nnkit.batch.summary import finish, kit_failures, recorded_outcomes, report_failures
from nnkit.batch.supervisor import Progress, grade_and_retry
from nnkit.collect import paths
from nnkit.gradebook.states import State, state_of
from nnkit.kernel.config import ASSIGNMENTS, BEING_ADDED, COURSE_ROOT


def run(assignments: list[str] | None = None, root: Path = COURSE_ROOT, jobs: int = 1,
        shard_of: tuple[int, int] | None = None) -> dict:
    """Grade every student (or shard `shard_of` = (index, count) of them) with `jobs` workers, in
    `assignments` (default: all); returns {"seconds", "submissions", "jobs", "notebook_seconds", "outcomes"}."""
    assignments = list(ASSIGNMENTS) if assignments is None else assignments
    require_sandbox()
    announce_limits()
    start = time.perf_counter()
    students = all_students(assignments, root)
    mine = set(students if shard_of is None else shard(students, *shard_of))
    tasks = [(student, assignment) for assignment in assignments for student in submissions(assignment, root, mine)]
    # a task run again (cancelled, out of time) grades what its shard has not graded, or the kit failed
    if shard_of is not None:
        failed = {(o.student, o.assignment) for o in recorded_outcomes(root, assignments) if o.kit_failure}
        tasks = [task for task in tasks if task in failed or state_of(root, *task)[0] == State.UNGRADED]
    try:
        with locks.grading(root, tasks):
            if shard_of is None:
                prepare(assignments, root)
            elif missing := unprepared(assignments, root):
                raise exits.KitFailure(f"the gradebook does not know {', '.join(missing)}: "
                                       "run `python -m nnkit.batch.cli --prepare` first")
            progress = Progress(len(tasks))
            outcomes = grade_and_retry(tasks, root, jobs, progress, "class" if shard_of is None else
                                       f"shard-{shard_of[0]}of{shard_of[1]}")
    except locks.Busy as busy:
        raise exits.KitFailure(str(busy)) from None
    return {"seconds": round(time.perf_counter() - start, 1), "submissions": len(tasks), "jobs": jobs,
            "notebook_seconds": progress.seconds, "outcomes": outcomes}


def grade_class(assignments: list[str] | None = None, root: Path = COURSE_ROOT,
                jobs: int = 1) -> tuple[str, list[str]]:
    """Grade, export the CSV, write the report; return the summary to print and the kit's failures
    (`kit_failures`: one line per cause, none when every state is the student's doing)."""
    assignments = list(ASSIGNMENTS) if assignments is None else assignments
    summary = run(assignments, root, jobs)
    return finish(root, assignments, summary), kit_failures(summary["outcomes"])


def shard_argument(text: str) -> tuple[int, int]:
    index, _, count = text.partition("/")
    if not (index.isdigit() and count.isdigit() and 0 <= int(index) < int(count)):
        raise argparse.ArgumentTypeError(f"expected I/N with 0 <= I < N, got {text!r}")
    return int(index), int(count)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nnkit.batch.cli", description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", action="append", choices=ASSIGNMENTS,
                        help="grade only this assignment (repeatable); default: all")
    parser.add_argument("--course", type=Path, default=COURSE_ROOT,
                        help="the course folder: this kit's checkout (the default), or a copy of its course "
                             "with its own nbgrader_config.py, e.g. to grade without touching the checkout")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="workers grading at once on this machine (default 1)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--prepare", action="store_true", help="only enter assignments and students in the gradebook")
    mode.add_argument("--shard", type=shard_argument, metavar="I/N",
                      help="grade only shard I of N (0-based) of the students; no CSV or report")
    mode.add_argument("--collect", action="store_true", help="the table, grades.csv and the report of what is graded")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="grade without the sandbox (only for code you trust; listed for review in the report)")
    args = parser.parse_args(argv)
    if args.no_sandbox:
        from nnkit.sandbox.bwrap import OPT_OUT_VARIABLE
        os.environ[OPT_OUT_VARIABLE] = "1"  # read by nbgrader_config.py in every worker
    assignments = [a for a in ASSIGNMENTS if a in (args.assignment or ASSIGNMENTS)]
    for name, missing in BEING_ADDED.items():  # half an assignment never stops the others (nnkit.kernel.config)
        print(f"{name}: being added, not graded until it has {', '.join(missing)}", file=sys.stderr)
    root = args.course.resolve()
    if not (root / paths.CONFIG_FILE).is_file():
        parser.error(f"{args.course} is not a course folder: it has no {paths.CONFIG_FILE}")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    with stopping_failures():
        if args.prepare:
            prepare(assignments, root)
            print(f"gradebook ready: {len(assignments)} assignments, {len(all_students(assignments, root))} students")
            return exits.OK
        if args.shard:
            summary = run(assignments, root, args.jobs, args.shard)
            failed = sum(not o.gradable for o in summary["outcomes"])
            print(
                f"shard {args.shard[0]}/{args.shard[1]}: {summary['submissions']} submissions in "
                f"{summary['seconds']} s, "
                f"{failed} could not be graded"
            )
            return report_failures(kit_failures(summary["outcomes"]))
        if args.collect:
            print(finish(root, assignments))
            return report_failures(kit_failures(recorded_outcomes(root, assignments)))
        text, failures = grade_class(assignments, root, args.jobs)
        print(text)
        return report_failures(failures)


@contextlib.contextmanager
def stopping_failures():
    """The kit's failures that stop a whole batch (a gradebook that cannot be opened or is locked
    throughout, a folder it may not write) as one line each: exits.KitFailure."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        yield
    except SQLAlchemyError as error:
        cause = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise exits.KitFailure(f"the gradebook cannot be used: {type(error).__name__}: {cause}") from error
    except PermissionError as error:
        raise exits.KitFailure(f"permission denied: {error.filename or error}: the batch must be able to write "
                               "the course's gradebook, autograded/ and outcomes/") from error



if __name__ == "__main__":
    exits.run(main)
