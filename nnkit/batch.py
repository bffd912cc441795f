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

The table, grades.csv and the report show each submission's state (nnkit.states): graded, to
review (?), not gradable (!), not graded yet (*), missing (-).

Across machines (one gradebook server, NNKIT_DB_URL; see nnkit/gradebook.py), the same split
runs as separate processes, one per shard, launched by any scheduler (cluster/ has a Slurm array):

    python -m nnkit.batch --prepare                  once: assignments and students in the gradebook
    python -m nnkit.batch --shard I/N [--jobs J]     on each machine, I = 0 .. N-1
    python -m nnkit.batch --collect                  once all are done: table, grades.csv, report
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import time
from multiprocessing.connection import wait
from pathlib import Path

from nnkit.autograde import Outcome
from nnkit.course import format_table
from nnkit.gradebook import open_gradebook
from nnkit.mnist import COURSE_ROOT
from nnkit.notebooks import ASSIGNMENTS
from nnkit.syllabus import BEING_ADDED
from nnkit.states import State, class_submissions, write_outcome

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
    folder = root / "submitted"
    return sorted(p.name for p in folder.iterdir() if (p / assignment).is_dir()
                  and (among is None or p.name in among)) if folder.is_dir() else []


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
    entered in this gradebook is not entered again (outcomes/entered.json holds their digests)."""
    from nnkit.autograde import CourseAPI
    from nnkit.gradebook import db_url

    record = root / "outcomes" / "entered.json"
    entered = json.loads(record.read_text()) if record.is_file() else {}
    with open_gradebook(root) as gradebook:
        known = {a.name for a in gradebook.assignments}
    api = None
    for assignment in assignments:
        key, digest = f"{db_url(root)} {assignment}", source_digest(root, assignment)
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

    return submission_digest(root / "source" / assignment)


def unprepared(assignments: list[str], root: Path) -> list[str]:
    with open_gradebook(root) as gradebook:
        known = {a.name for a in gradebook.assignments}
    return [a for a in assignments if a not in known]


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class Worker:
    """A grading process (nnkit.worker): tasks go to its stdin, outcomes come back on a pipe of
    their own, its log (nbgrader's, the kernels' stderr) goes to a file."""

    def __init__(self, root: Path, log: Path, threads: int | None):
        from nnkit.course import nbgrader_env

        env = nbgrader_env()
        if threads:  # the kernels this worker starts get their share of the cores (numpy's BLAS)
            env.update({name: str(threads) for name in THREAD_VARIABLES})
        read, write = os.pipe()
        with open(log, "w") as output:
            self.process = subprocess.Popen([sys.executable, "-m", "nnkit.worker", str(root), str(write)],
                                            stdin=subprocess.PIPE, stdout=output, stderr=subprocess.STDOUT,
                                            pass_fds=(write,), env=env, text=True)
        os.close(write)
        self.results = os.fdopen(read, "r")
        self.task = None

    def send(self, task) -> None:
        self.task = task
        try:
            if task is None:
                self.process.stdin.close()
            else:
                self.process.stdin.write(json.dumps(task) + "\n")
                self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # it died: its pipe reports it

    def receive(self) -> Outcome | None:
        """The outcome of its task, or None when it died."""
        line = self.results.readline()
        return Outcome(**json.loads(line)) if line else None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.results.close()


def grade(tasks: list[tuple[str, str]], root: Path, jobs: int, progress: Progress) -> list[Outcome]:
    """Grade (student, assignment) tasks with `jobs` supervised worker processes."""
    logs = root / "outcomes" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    threads = max(1, (os.cpu_count() or 1) // jobs) if jobs > 1 else None
    pending, crashes, outcomes = collections.deque(tasks), collections.Counter(), []
    workers: dict = {}  # results file: Worker
    started = 0

    def start_worker():
        nonlocal started
        started += 1
        worker = Worker(root, logs / f"worker-{started}.log", threads)
        workers[worker.results] = worker
        hand_out(worker)

    def hand_out(worker):
        worker.send(pending.popleft() if pending else None)
        if worker.task is None:
            worker.close()
            del workers[worker.results]

    def done(outcome: Outcome):
        outcomes.append(outcome)
        progress.step(outcome)

    try:
        for _ in range(min(jobs, len(pending))):
            start_worker()
        while workers:
            for results in wait(list(workers)):
                worker = workers[results]
                outcome = worker.receive()
                if outcome is not None:
                    done(outcome)
                    hand_out(worker)
                    continue
                worker.close()  # it died with its task in hand
                del workers[results]
                task = tuple(worker.task)
                crashes[task] += 1
                if crashes[task] > CRASHES_ALLOWED:
                    student, assignment = task
                    reason = (f"the grading process died while grading it, {crashes[task]} times "
                              f"(exit code {worker.process.returncode}: out of memory?)")
                    write_outcome(root, student, assignment, submitted_digest(root, student, assignment), False, reason)
                    done(Outcome(student, assignment, False, reason, "worker crashed"))
                else:
                    pending.appendleft(task)
                if pending:
                    start_worker()
    finally:
        for worker in list(workers.values()):
            worker.close()
    return outcomes


def submitted_digest(root: Path, student: str, assignment: str) -> str:
    from nnkit.states import submission_digest

    folder = root / "submitted" / student / assignment
    return submission_digest(folder) if folder.is_dir() else ""


def require_sandbox() -> None:
    """Refuse to grade student code bare unless told to (--no-sandbox, for code you trust)."""
    from nnkit import sandbox

    if not os.environ.get(sandbox.OPT_OUT_VARIABLE) and sandbox.unavailable():
        raise SystemExit(f"refusing to grade: no sandbox for student code: {sandbox.unavailable()}")


def run(assignments: list[str] = list(ASSIGNMENTS), root: Path = COURSE_ROOT, jobs: int = 1,
        shard_of: tuple[int, int] | None = None) -> dict:
    """Grade every student (or shard `shard_of` = (index, count) of them) with `jobs` workers;
    returns {"seconds", "submissions", "jobs", "notebook_seconds", "outcomes"}."""
    require_sandbox()
    start = time.perf_counter()
    if shard_of is None:
        prepare(assignments, root)
    elif missing := unprepared(assignments, root):
        raise SystemExit(f"the gradebook does not know {', '.join(missing)}: run `python -m nnkit.batch --prepare` first")
    students = all_students(assignments, root)
    mine = set(students if shard_of is None else shard(students, *shard_of))
    tasks = [(student, assignment) for assignment in assignments for student in submissions(assignment, root, mine)]
    progress = Progress(len(tasks))
    outcomes = grade(tasks, root, jobs, progress)
    # Once more, alone: a busy database or a kernel that did not start is never the student's
    # doing, and with several workers any failure may come from another's load.
    again = [o for o in outcomes if o.retry or (jobs > 1 and not o.gradable)]
    if again:
        progress.total += len(again)
        retried = {(o.student, o.assignment): o for o in grade([(o.student, o.assignment) for o in again], root, 1, progress)}
        outcomes = [retried.get((o.student, o.assignment), o) for o in outcomes]
    return {"seconds": round(time.perf_counter() - start, 1), "submissions": len(tasks), "jobs": jobs,
            "notebook_seconds": progress.seconds, "outcomes": outcomes}


def summary_text(root: Path, assignments: list[str], summary: dict | None = None) -> str:
    """The grade table with each submission's state, what could not be graded and what to review."""
    entries = class_submissions(root, assignments)
    lines = [format_table(entries, assignments), ""]
    if summary:
        workers = summary.get("jobs", 1)
        lines.append(f"{summary['submissions']} submissions graded in {summary['seconds']} s"
                     f" ({summary['seconds'] / max(summary['submissions'], 1):.1f} s each"
                     + (f", {workers} workers" if workers > 1 else "") + ")")
    for state, heading in ((State.NOT_GRADABLE, "could not be graded (marked !, no grades)"),
                           (State.REVIEW, "graded, to review (marked ?)")):
        chosen = [e for e in entries if e.state == state]
        if chosen:
            lines.append(f"{len(chosen)} {heading}:")
            lines += [f"  {e.student} / {e.assignment}: {'; '.join(e.reasons)}" for e in chosen]
    kept = [e for e in entries if e.state == State.MISSING and e.reasons]
    lines += [f"  {e.student} / {e.assignment}: {'; '.join(e.reasons)}" for e in kept]
    return "\n".join(lines)


def finish(root: Path, assignments: list[str], summary: dict | None = None) -> str:
    """Export the CSV, write the report; return the summary to print."""
    from nnkit import report
    from nnkit.export import write_csv

    write_csv(root, root / "grades.csv", assignments)
    page = report.write(root)
    return (summary_text(root, assignments, summary) + f"\ngrades (with a column per hidden test): {relative(root / 'grades.csv')}"
            f"\nreport: {relative(page)}")


def relative(path: Path) -> str:
    """A path as the instructor typed their way to it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def grade_class(assignments: list[str] = list(ASSIGNMENTS), root: Path = COURSE_ROOT, jobs: int = 1) -> str:
    """Grade, export the CSV, write the report; return the summary to print."""
    return finish(root, assignments, run(assignments, root, jobs))


def shard_argument(text: str) -> tuple[int, int]:
    index, _, count = text.partition("/")
    if not (index.isdigit() and count.isdigit() and 0 <= int(index) < int(count)):
        raise argparse.ArgumentTypeError(f"expected I/N with 0 <= I < N, got {text!r}")
    return int(index), int(count)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nnkit.batch", description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", action="append", choices=ASSIGNMENTS,
                        help="grade only this assignment (repeatable); default: all")
    parser.add_argument("--course", type=Path, default=COURSE_ROOT, help="the course folder (default: this kit)")
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
    for name, missing in BEING_ADDED.items():  # half an assignment never stops the others (nnkit.syllabus)
        print(f"{name}: being added, not graded until it has {', '.join(missing)}", file=sys.stderr)
    root = args.course.resolve()
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.prepare:
        prepare(assignments, root)
        print(f"gradebook ready: {len(assignments)} assignments, {len(all_students(assignments, root))} students")
    elif args.shard:
        summary = run(assignments, root, args.jobs, args.shard)
        failed = sum(not o.gradable for o in summary["outcomes"])
        print(f"shard {args.shard[0]}/{args.shard[1]}: {summary['submissions']} submissions in {summary['seconds']} s, "
              f"{failed} could not be graded")
    elif args.collect:
        print(finish(root, assignments))
    else:
        print(grade_class(assignments, root, args.jobs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
