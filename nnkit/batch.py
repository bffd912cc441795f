"""Autograde a whole class: every student, every assignment, with progress and a summary, then
export grades.csv and write the report autograded/report.html.

    python -m nnkit.batch [--assignment NAME ...] [--jobs J]        (make grade [JOBS=J])

First the assignments are entered in the gradebook from source/ (whatever state release/ is in)
and the students of submitted/ are added, so that workers only ever update rows. Then J worker
processes (nnkit.worker), each holding one nbgrader API object (nbgrader starts once per worker),
take the submissions one at a time from a queue. Every outcome comes back as data: graded, or not
gradable with the reason (nnkit.autograde: the notebook is missing, renamed, empty, not JSON, or
the exception nbgrader stopped on). A submission never stops the batch. A worker that crashes
(or is killed, e.g. out of memory) loses nothing the others graded: it is replaced, and the
submission it held is graded again (once). Failures that are never the student's (a busy
database, a kernel that did not start) are graded once more at the end, alone; with J > 1, so
is every failure, since another worker's load may have caused it.

Each submission has a wall-clock budget (nnkit.limits.NOTEBOOK_SECONDS, or the course config's
`c.ResilientExecute.notebook_timeout`), which the grader enforces inside the notebook (the cells
run before it keep their grades). A watchdog here stops a worker still holding one submission
WATCHDOG_GRACE_SECONDS past it (whatever held it: nbgrader, a kernel that does not stop): the
submission is not gradable, with the reason, and the worker is replaced. At its start the batch
removes the cgroups a crashed grader left (nnkit.cgroups), and says once when the kernels get
per-process limits only.

The table, grades.csv and the report show each submission's state (nnkit.states): graded, to
review (?), not gradable (!), not graded yet (*), missing (-).

Exit status (nnkit.exits): 0 when every submission got a state that reflects the student's work
(graded, to review, or not gradable for the student's own reason: a broken or renamed notebook);
3 (KIT_FAILURE) when any could not be graded for a reason that is not the student's (a kernel
that cannot start in its sandbox, a permission, a locked or missing gradebook, a worker that died),
with one line per cause on stderr; 3 as well when the batch cannot start (no sandbox, no gradebook).

Across machines (one gradebook server, NNKIT_DB_URL; see nnkit/gradebook.py), the same split
runs as separate processes, one per shard, launched by any scheduler (cluster/ has a Slurm array):

    python -m nnkit.batch --prepare                  once: assignments and students in the gradebook
    python -m nnkit.batch --shard I/N [--jobs J]     on each machine, I = 0 .. N-1
    python -m nnkit.batch --collect                  once all are done: table, grades.csv, report

Two batches never grade one submission at once (nnkit.locks): a second batch that would stops
before grading anything and says why; the shards of one course run side by side. Each batch's
worker logs go to a folder of their own, outcomes/logs/<time>-<class or shard>/worker-N.log.

--course names the course folder: this kit's checkout by default (the cluster script passes it), or
a copy of this course with its own nbgrader_config.py (its kit files links to this one, as
nnkit.scratch.scratch_course makes: the tests' and the self-check's), graded without touching the
checkout. Its assignments are this kit's (course.toml): the kit's code grades them.
"""
import argparse
import collections
import contextlib
import json
import os
import subprocess
import sys
import time
from multiprocessing.connection import wait
from pathlib import Path

from nnkit import exits, locks, paths, places
from nnkit.autograde import KIT_CAUSES, Outcome
from nnkit.gradebook import open_gradebook, with_tools_on_path
from nnkit.limits import THREAD_VARIABLES
from nnkit.config import COURSE_ROOT
from nnkit.config import ASSIGNMENTS
from nnkit.table import format_table
from nnkit.states import REVIEW_HEADINGS, State, class_submissions, state_of, submitted_digest, to_review, write_outcome
from nnkit.config import BEING_ADDED

CRASHES_ALLOWED = 1  # a submission whose worker dies is graded again this many times


class Progress:
    """Submissions done / total and an ETA on one line (a line per step when not on a terminal)."""

    def __init__(self, total: int, stream=None):
        self.total, self.done, self.start = total, 0, time.perf_counter()
        self.stream = stream or sys.stderr  # looked up now: a caller may have redirected it
        self.seconds: dict[str, float] = {}  # assignment: seconds spent on its notebooks, over all workers

    def step(self, outcome: Outcome) -> None:
        self.seconds[outcome.assignment] = self.seconds.get(outcome.assignment, 0) + outcome.seconds
        self.done += 1
        elapsed = time.perf_counter() - self.start
        eta = elapsed / self.done * (self.total - self.done)
        width = 30
        bar = "#" * round(width * self.done / max(self.total, 1))
        line = f"[{bar:<{width}}] {self.done}/{self.total} submissions, ETA {eta:.0f} s  {outcome.assignment}/{outcome.student}"
        if self.stream.isatty():
            self.stream.write("\r" + line.ljust(100) + ("\n" if self.done == self.total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def submissions(assignment: str, root: Path, among=None) -> list[str]:
    """The students who submitted an assignment (only those `among` the given ones, if given)."""
    return [student for student in paths.students(root)
            if (among is None or student in among) and paths.submitted(root, student, assignment).is_dir()]


def all_students(assignments: list[str], root: Path) -> list[str]:
    return sorted({student for assignment in assignments for student in submissions(assignment, root)})


def shard(students: list[str], index: int, count: int) -> list[str]:
    """Shard `index` of `count` (0-based): every count-th student of the sorted list. The shards
    are disjoint, cover every student, and differ in size by one at most."""
    return sorted(students)[index::count]


def prepare(assignments: list[str], root: Path) -> None:
    """Enter the assignments (from source/, whatever state release/ is in) and the students of
    submitted/ in the gradebook, so that workers running at once only ever update rows, never race
    to create the same one. An assignment whose source notebook is unchanged since it was last
    entered in this gradebook is not entered again (outcomes/entered.json holds their digests, by
    the gradebook's URL without its password). Two preparations run one after the other."""
    with locks.preparing(root):
        enter(assignments, root)


def enter(assignments: list[str], root: Path) -> None:
    from nnkit.autograde import CourseAPI
    from nnkit.gradebook import db_label

    record = places.course_state(root) / "entered.json"
    entered = json.loads(record.read_text()) if record.is_file() else {}
    with open_gradebook(root) as gradebook:
        known = {a.name for a in gradebook.assignments}
    api = None
    for assignment in assignments:
        key, digest = f"{db_label(root)} {assignment}", source_digest(root, assignment)
        if assignment in known and entered.get(key) == digest:
            continue
        api = api or CourseAPI(root)
        api.enter_assignment(assignment)
        entered[key] = digest
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(entered, indent=1))
    with open_gradebook(root) as gradebook:
        known = {s.id for s in gradebook.students}
        for student in all_students(assignments, root):
            if student not in known:
                gradebook.add_student(student)


def source_digest(root: Path, assignment: str) -> str:
    from nnkit.states import submission_digest

    return submission_digest(paths.source(root, assignment))


def unprepared(assignments: list[str], root: Path) -> list[str]:
    with open_gradebook(root) as gradebook:
        known = {a.name for a in gradebook.assignments}
    return [a for a in assignments if a not in known]


EXIT_SECONDS = 60  # a worker asked to exit (its input closed) finishes its notebook within this, or is killed


class Logs:
    """The worker logs of one batch, in a folder of their own under outcomes/logs/ (made atomically,
    so batches on machines that share the course never write into each other's): worker-1.log,
    worker-2.log, ... numbered across the batch's passes, so a retry keeps the log of what it retries."""

    def __init__(self, root: Path, label: str = "class"):
        top = places.course_state(root) / "logs"
        top.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        for number in range(1, 10_000):
            self.folder = top / (f"{stamp}-{label}" + (f"-{number}" if number > 1 else ""))
            try:
                self.folder.mkdir()
                break
            except FileExistsError:
                continue
        self.count = 0

    def next(self) -> Path:
        self.count += 1
        return self.folder / f"worker-{self.count}.log"


class Worker:
    """A grading process (nnkit.worker): tasks go to its stdin, outcomes come back on a pipe of
    their own, its log (nbgrader's, the kernels' stderr) goes to a file."""

    def __init__(self, root: Path, log: Path, threads: int | None):
        env = with_tools_on_path(dict(os.environ))
        if threads:  # the kernels this worker starts get their share of the cores (numpy's BLAS)
            env.update({name: str(threads) for name in THREAD_VARIABLES})
        read, write = os.pipe()
        with open(log, "x") as output:
            self.process = subprocess.Popen([sys.executable, "-m", "nnkit.worker", str(root), str(write)],
                                            stdin=subprocess.PIPE, stdout=output, stderr=subprocess.STDOUT,
                                            pass_fds=(write,), env=env, text=True)
        os.close(write)
        self.results = os.fdopen(read, "r")
        self.task = None

    def send(self, task) -> None:
        self.task, self.since = task, time.monotonic()
        if task is None:
            return self.ask_to_exit()
        try:
            self.process.stdin.write(json.dumps(task) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # it died: its pipe reports it

    def ask_to_exit(self) -> None:
        """Close its input: it exits once the notebook in hand is graded."""
        try:
            self.process.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # it died already

    def receive(self) -> Outcome | None:
        """The outcome of its task, or None when it died."""
        line = self.results.readline()
        return Outcome(**json.loads(line)) if line else None

    def close(self, seconds: float = EXIT_SECONDS) -> None:
        """Let it exit on its own (its input closed: it finishes the notebook in hand, closes nbgrader
        and its gradebook connection); kill it only when it has not within `seconds`."""
        self.ask_to_exit()
        try:
            self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.results.close()


def notebook_budget(root: Path) -> float | None:
    """The course's wall-clock budget per notebook, in seconds (None: none); the kit's own
    (limits.NOTEBOOK_SECONDS) when the course has no nbgrader_config.py."""
    from nnkit import limits

    config = paths.course_settings(root)
    if "ResilientExecute" in config and "notebook_timeout" in config.ResilientExecute:
        return config.ResilientExecute.notebook_timeout
    return limits.NOTEBOOK_SECONDS


def grade(tasks: list[tuple[str, str]], root: Path, jobs: int, progress: Progress, logs: Logs | None = None,
          budget: float | None = None) -> list[Outcome]:
    """Grade (student, assignment) tasks with `jobs` supervised worker processes (their logs in
    `logs`); a worker that holds one task `budget` (default: the course's notebook budget) +
    WATCHDOG_GRACE_SECONDS is stopped."""
    from nnkit import cgroups
    from nnkit.limits import WATCHDOG_GRACE_SECONDS

    budget = notebook_budget(root) if budget is None else budget
    limit = None if budget is None else budget + WATCHDOG_GRACE_SECONDS
    logs = logs or Logs(root)
    threads = max(1, (os.cpu_count() or 1) // jobs) if jobs > 1 else None
    pending, crashes, outcomes = collections.deque(tasks), collections.Counter(), []
    workers: dict = {}  # results file: Worker
    retiring: list = []  # asked to exit

    def start_worker():
        worker = Worker(root, logs.next(), threads)
        workers[worker.results] = worker
        hand_out(worker)

    def hand_out(worker):
        worker.send(pending.popleft() if pending else None)
        if worker.task is None:  # asked to exit: waited for at the end, while the others work
            retiring.append(workers.pop(worker.results))

    def done(outcome: Outcome):
        outcomes.append(outcome)
        progress.step(outcome)

    def stop_overdue() -> None:
        """The watchdog: a worker past its task's limit is killed (its kernels die with it)."""
        for results, worker in list(workers.items()):
            if worker.task is not None and time.monotonic() - worker.since > limit:
                worker.close(seconds=0)  # no waiting for the notebook in hand: it is what overran
                del workers[results]
                cgroups.sweep()
                student, assignment = worker.task
                reason = (f"stopped by the watchdog: grading it took longer than {limit:g} s (the notebook's "
                          f"budget of {budget:g} s plus {WATCHDOG_GRACE_SECONDS} s for nbgrader)")
                write_outcome(root, student, assignment, submitted_digest(root, student, assignment), False, reason,
                              "watchdog")
                done(Outcome(student, assignment, False, reason, "watchdog", time.monotonic() - worker.since))
                if pending:
                    start_worker()

    try:
        for _ in range(min(jobs, len(pending))):
            start_worker()
        while workers:
            due = None if limit is None else max(0.1, min(w.since + limit - time.monotonic() for w in workers.values()))
            ready = wait(list(workers), timeout=due)
            if limit is not None:
                stop_overdue()
            for results in ready:
                if results not in workers:
                    continue  # stopped by the watchdog meanwhile
                worker = workers[results]
                outcome = worker.receive()
                if outcome is not None:
                    done(outcome)
                    hand_out(worker)
                    continue
                worker.close()  # it died with its task in hand
                del workers[results]
                cgroups.sweep()  # the groups of its kernels
                task = tuple(worker.task)
                crashes[task] += 1
                if crashes[task] > CRASHES_ALLOWED:
                    student, assignment = task
                    reason = (f"the grading process died while grading it, {crashes[task]} times "
                              f"(exit code {worker.process.returncode}: out of memory?)")
                    write_outcome(root, student, assignment, submitted_digest(root, student, assignment), False, reason,
                                  "worker crashed")
                    done(Outcome(student, assignment, False, reason, "worker crashed"))
                else:
                    pending.appendleft(task)
                if pending:
                    start_worker()
    finally:
        for worker in list(workers.values()):
            worker.ask_to_exit()  # all asked at once, then waited for
        for worker in retiring + list(workers.values()):
            worker.close()
    return outcomes


def require_sandbox() -> None:
    """Refuse to grade student code bare unless told to (--no-sandbox, for code you trust), or where a
    student's hard link could reach a file they may not read."""
    from nnkit import sandbox
    from nnkit.files import hardlinks_unprotected

    if not os.environ.get(sandbox.OPT_OUT_VARIABLE) and sandbox.unavailable():
        raise exits.KitFailure(f"refusing to grade: no sandbox for student code: {sandbox.unavailable()}")
    unprotected = hardlinks_unprotected()  # nnkit.files: a hard link would give a student another file's bytes
    if unprotected:
        raise exits.KitFailure(f"refusing to grade: {unprotected}")


def announce_limits(stream=None) -> None:
    """Remove the cgroups a crashed grader left; say once when the kernels get per-process limits only
    (no cgroup can be had here: docs/grading.md). Not a failure: grading goes on."""
    from nnkit import cgroups, sandbox

    if os.environ.get(sandbox.OPT_OUT_VARIABLE):
        return
    cgroups.sweep()
    if cgroups.probe():
        print(f"{cgroups.PER_PROCESS_ONLY}: {cgroups.probe()}", file=stream or sys.stderr, flush=True)
    else:
        cgroups.share_parent()  # the workers make their groups where this batch sweeps


def run(assignments: list[str] = list(ASSIGNMENTS), root: Path = COURSE_ROOT, jobs: int = 1,
        shard_of: tuple[int, int] | None = None) -> dict:
    """Grade every student (or shard `shard_of` = (index, count) of them) with `jobs` workers;
    returns {"seconds", "submissions", "jobs", "notebook_seconds", "outcomes"}."""
    require_sandbox()
    announce_limits()
    start = time.perf_counter()
    students = all_students(assignments, root)
    mine = set(students if shard_of is None else shard(students, *shard_of))
    tasks = [(student, assignment) for assignment in assignments for student in submissions(assignment, root, mine)]
    if shard_of is not None:  # a task run again (cancelled, out of time) grades what its shard has not graded, or the kit failed
        failed = {(o.student, o.assignment) for o in recorded_outcomes(root, assignments) if o.kit_failure}
        tasks = [task for task in tasks if task in failed or state_of(root, *task)[0] == State.UNGRADED]
    try:
        with locks.grading(root, tasks):
            if shard_of is None:
                prepare(assignments, root)
            elif missing := unprepared(assignments, root):
                raise exits.KitFailure(f"the gradebook does not know {', '.join(missing)}: "
                                       "run `python -m nnkit.batch --prepare` first")
            progress = Progress(len(tasks))
            outcomes = grade_and_retry(tasks, root, jobs, progress, "class" if shard_of is None else
                                       f"shard-{shard_of[0]}of{shard_of[1]}")
    except locks.Busy as busy:
        raise exits.KitFailure(str(busy)) from None
    return {"seconds": round(time.perf_counter() - start, 1), "submissions": len(tasks), "jobs": jobs,
            "notebook_seconds": progress.seconds, "outcomes": outcomes}


def grade_and_retry(tasks: list[tuple[str, str]], root: Path, jobs: int, progress: Progress, label: str) -> list[Outcome]:
    logs = Logs(root, label)
    outcomes = grade(tasks, root, jobs, progress, logs)
    # Once more, alone: a busy database or a kernel that did not start is never the student's
    # doing, and with several workers any failure may come from another's load.
    again = [o for o in outcomes if o.retry or (jobs > 1 and not o.gradable)]
    if again:
        progress.total += len(again)
        retried = {(o.student, o.assignment): o for o in grade([(o.student, o.assignment) for o in again], root, 1,
                                                                progress, logs)}
        outcomes = [retried.get((o.student, o.assignment), o) for o in outcomes]
    return outcomes


def summary_text(root: Path, assignments: list[str], summary: dict | None = None, entries: list | None = None) -> str:
    """The grade table with each submission's state, what could not be graded and what to review
    (`entries`: nnkit.states' Submissions, when the caller has them already)."""
    if entries is None:
        entries = class_submissions(root, assignments)
    lines = [format_table(entries, assignments), ""]
    if summary:
        workers = summary.get("jobs", 1)
        lines.append(f"{summary['submissions']} submissions graded in {summary['seconds']} s"
                     f" ({summary['seconds'] / max(summary['submissions'], 1):.1f} s each"
                     + (f", {workers} workers" if workers > 1 else "") + ")")
    for state, chosen in to_review(entries).items():
        lines.append(f"{len(chosen)} {REVIEW_HEADINGS[state]}:")
        lines += [f"  {e.student} / {e.assignment}: {'; '.join(e.reasons)}" for e in chosen]
    return "\n".join(lines)


def finish(root: Path, assignments: list[str], summary: dict | None = None) -> str:
    """Export the CSV, write the report; return the summary to print."""
    from nnkit import report
    from nnkit.export import write_csv

    entries = class_submissions(root, assignments)  # once: it hashes every submission
    write_csv(root, root / "grades.csv", assignments, entries=entries)
    page = report.write(root, assignments, entries)
    return (summary_text(root, assignments, summary, entries) + f"\ngrades (with a column per hidden test): {relative(root / 'grades.csv')}"
            f"\nreport: {relative(page)}")


def relative(path: Path) -> str:
    """A path as the instructor typed their way to it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def grade_class(assignments: list[str] = list(ASSIGNMENTS), root: Path = COURSE_ROOT, jobs: int = 1) -> tuple[str, list[str]]:
    """Grade, export the CSV, write the report; return the summary to print and the kit's failures
    (`kit_failures`: one line per cause, none when every state is the student's doing)."""
    summary = run(assignments, root, jobs)
    return finish(root, assignments, summary), kit_failures(summary["outcomes"])


def kit_failures(outcomes: list[Outcome]) -> list[str]:
    """One line per cause of the submissions that could not be graded for a reason not the
    student's (nnkit.autograde.STUDENT_CAUSES): what it means, how many, and the first one."""
    by_cause: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        if outcome.kit_failure:
            by_cause.setdefault(outcome.cause, []).append(outcome)
    lines = []
    for cause, failed in by_cause.items():
        first = failed[0]
        count = f"{len(failed)} submission{'s' if len(failed) > 1 else ''}"
        lines.append(f"not graded, not the student's doing ({count}): {KIT_CAUSES.get(cause, 'the kit failed')}: "
                     f"{first.reason} (first: {first.student} / {first.assignment})")
    return lines


def recorded_outcomes(root: Path, assignments: list[str]) -> list[Outcome]:
    """The failures on file for the current submissions (what --collect reports on): each
    outcome written by a worker with its cause (outcomes written before causes were kept are left out)."""
    from nnkit.states import read_outcome

    found = []
    for entry in class_submissions(root, assignments):
        if entry.state == State.NOT_GRADABLE:
            outcome = read_outcome(root, entry.student, entry.assignment) or {}
            if "cause" in outcome:
                found.append(Outcome(entry.student, entry.assignment, False, str(outcome.get("reason", "")),
                                     str(outcome["cause"])))
    return found


def report_failures(lines: list[str]) -> int:
    """Print the kit's failures, one line per cause, on stderr; the batch's exit code."""
    for line in lines:
        print(line, file=sys.stderr)
    return exits.KIT_FAILURE if lines else exits.OK


def shard_argument(text: str) -> tuple[int, int]:
    index, _, count = text.partition("/")
    if not (index.isdigit() and count.isdigit() and 0 <= int(index) < int(count)):
        raise argparse.ArgumentTypeError(f"expected I/N with 0 <= I < N, got {text!r}")
    return int(index), int(count)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nnkit.batch", description=__doc__.splitlines()[0])
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
        from nnkit.sandbox import OPT_OUT_VARIABLE
        os.environ[OPT_OUT_VARIABLE] = "1"  # read by nbgrader_config.py in every worker
    assignments = [a for a in ASSIGNMENTS if a in (args.assignment or ASSIGNMENTS)]
    for name, missing in BEING_ADDED.items():  # half an assignment never stops the others (nnkit.config)
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
            print(f"shard {args.shard[0]}/{args.shard[1]}: {summary['submissions']} submissions in {summary['seconds']} s, "
                  f"{failed} could not be graded")
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
