"""Autograde the class (every student, every assignment): the table, grades.csv and the report.

`nnkit grade` (make grade); across machines `nnkit prepare`, then one `nnkit grade --shard I/N` per
process (cluster/: a Slurm array), then `nnkit collect`. How it grades: docs/grading.md.
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
                                       "run `nnkit prepare` first")
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


GRADE_EXITS = {
    "ok": "every submission got a state that is the student's doing (graded, to review, not gradable "
          "for the student's own reason): a class of failing students exits 0",
    "kit_failure": "a submission not graded for a reason that is not the student's, or grading cannot start "
                   "(no sandbox, no gradebook): one line per cause on stderr, after the table",
}


def course_parser(prog: str, description: str, **meanings: str) -> argparse.ArgumentParser:
    parser = exits.command_parser(prog, description, **(GRADE_EXITS | meanings))
    parser.add_argument("--assignment", action="append", choices=ASSIGNMENTS,
                        help="only this assignment (repeatable); default: all")
    parser.add_argument("--course", type=Path, default=COURSE_ROOT,
                        help="the course folder: this kit's checkout (the default), or a copy of its course "
                             "with its own nbgrader_config.py, e.g. to grade without touching the checkout")
    return parser


def parsed(parser: argparse.ArgumentParser, argv) -> tuple[argparse.Namespace, list[str], Path]:
    """The arguments, the assignments they choose (course order) and the course folder, checked."""
    args = parser.parse_args(argv)
    assignments = [a for a in ASSIGNMENTS if a in (args.assignment or ASSIGNMENTS)]
    for name, missing in BEING_ADDED.items():  # half an assignment never stops the others (nnkit.kernel.config)
        print(f"{name}: being added, not graded until it has {', '.join(missing)}", file=sys.stderr)
    root = args.course.resolve()
    if not (root / paths.CONFIG_FILE).is_file():
        parser.error(f"{args.course} is not a course folder: it has no {paths.CONFIG_FILE}")
    return args, assignments, root


def main(argv=None) -> int:
    """nnkit grade: the whole class, or one shard of it."""
    parser = course_parser("nnkit grade", __doc__.splitlines()[0])
    parser.add_argument("--jobs", "-j", type=int, default=1, help="workers grading at once on this machine (default 1)")
    parser.add_argument("--shard", type=shard_argument, metavar="I/N",
                        help="grade only shard I of N (0-based) of the students (after `nnkit prepare`); no CSV or "
                             "report (`nnkit collect` writes them)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="grade without the sandbox (only for code you trust; listed for review in the report)")
    args, assignments, root = parsed(parser, argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.no_sandbox:
        from nnkit.sandbox.bwrap import OPT_OUT_VARIABLE
        os.environ[OPT_OUT_VARIABLE] = "1"  # read by nbgrader_config.py in every worker
    with stopping_failures():
        if args.shard:
            summary = run(assignments, root, args.jobs, args.shard)
            failed = sum(not o.gradable for o in summary["outcomes"])
            print(f"shard {args.shard[0]}/{args.shard[1]}: {summary['submissions']} submissions in "
                  f"{summary['seconds']} s, "
                  f"{failed} could not be graded")
            return report_failures(kit_failures(summary["outcomes"]))
        text, failures = grade_class(assignments, root, args.jobs)
        print(text)
        return report_failures(failures)


def prepare_main(argv=None) -> int:
    """nnkit prepare: the gradebook ready for shards."""
    parser = course_parser("nnkit prepare", "Only enter the assignments and the students in the gradebook: run it once "
                           "before the shards (`nnkit grade --shard I/N`).",
                           ok="the gradebook knows every assignment and student",
                           kit_failure="the gradebook cannot be used: one line")
    _, assignments, root = parsed(parser, argv)
    with stopping_failures():
        prepare(assignments, root)
    print(f"gradebook ready: {len(assignments)} assignments, {len(all_students(assignments, root))} students")
    return exits.OK


def collect_main(argv=None) -> int:
    """nnkit collect: what the shards graded, as a whole-class run shows it."""
    parser = course_parser("nnkit collect", "The table, grades.csv and the report of what is graded: run it after "
                           "the shards. It exits as they did.")
    _, assignments, root = parsed(parser, argv)
    with stopping_failures():
        print(finish(root, assignments))
        return report_failures(kit_failures(recorded_outcomes(root, assignments)))


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


if __name__ == "__main__":  # only for `nnkit author regenerate`'s own subprocess (nnkit.authoring.commands)
    exits.run(main)
