"""Autograde a whole class: every student, every assignment, with progress and a summary, then
export grades.csv and write the report autograded/report.html.

    python -m nnkit.batch [--assignment NAME ...] [--jobs J]        (make grade [JOBS=J])

The students are split into J disjoint groups (every J-th of the sorted list), graded at once by
J workers; each worker runs one `nbgrader autograde` over every assignment of its group (nbgrader
keeps going past a submission it cannot grade). This follows their logs to show submissions
done / total and an ETA, and collects the submissions that could not be graded, with the
reason. Those get no grades (their row reads 0 in the gradebook and `!` in the table), never
stop the batch, and are written with the reason to autograded/batch.json for the report.
Assignments and students are entered in the gradebook before any worker starts, so workers
never race to create the same row; with J > 1, a submission that failed is graded once more on
its own after the workers finish, and so, with any J, is one whose kernel died before running any
code or that found the database busy: causes that are never the student's.

Across machines (one gradebook server, NNKIT_DB_URL; see nnkit/gradebook.py), the same split
runs as separate processes, one per shard, launched by any scheduler (cluster/ has a Slurm array):

    python -m nnkit.batch --prepare                  once: assignments and students in the gradebook
    python -m nnkit.batch --shard I/N [--jobs J]     on each machine, I = 0 .. N-1
    python -m nnkit.batch --collect                  once all are done: table, grades.csv, report
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nnkit.course import format_table, nbgrader, nbgrader_env, scores
from nnkit.gradebook import open_gradebook
from nnkit.mnist import COURSE_ROOT
from nnkit.notebooks import ASSIGNMENTS

CONVERTING = re.compile(r"Converting notebook .*/submitted/([^/]+)/([^/]+)/[^/]+\.ipynb")
FAILING = re.compile(r"There was an error processing assignment: .*/submitted/([^/]+)/([^/\s]+)\s*$")
SKIPPED = re.compile(r"Skipping unknown notebook: .*/submitted/([^/]+)/([^/]+)/([^/]+\.ipynb)")
FAILED = re.compile(r"There was an error processing assignment '([^']+)' for student '([^']+)'")
LOG_LINE = re.compile(r"^\[\w+ \| (\w+)\]")
NOT_THE_STUDENT = re.compile(r"Kernel died before replying to kernel_info|OperationalError|database is locked")
EXCLUDE_FILE_VARIABLE = "NNKIT_EXCLUDE_STUDENTS_FILE"  # read by nbgrader_config.py


class Progress:
    """students done / total and an ETA on one line (a line per step when not on a terminal)."""

    def __init__(self, total: int, stream=None):
        self.total, self.done, self.start = total, 0, time.perf_counter()
        self.stream = stream or sys.stderr  # looked up now: a caller may have redirected it
        self.lock = threading.Lock()  # workers report from their own threads
        self.seconds: dict[str, float] = {}  # assignment: seconds spent on its notebooks, over all workers

    def step(self, label: str) -> None:
        with self.lock:
            self._step(label)

    def spent(self, assignment: str, seconds: float) -> None:
        with self.lock:
            self.seconds[assignment] = self.seconds.get(assignment, 0) + seconds

    def _step(self, label: str) -> None:
        self.done += 1
        elapsed = time.perf_counter() - self.start
        eta = elapsed / self.done * (self.total - self.done)
        width = 30
        bar = "#" * round(width * self.done / max(self.total, 1))
        line = f"[{bar:<{width}}] {self.done}/{self.total} submissions, ETA {eta:.0f} s  {label}"
        if self.stream.isatty():
            self.stream.write("\r" + line.ljust(100) + ("\n" if self.done == self.total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def submissions(assignment: str, root: Path, among=None) -> list[str]:
    """The students who submitted an assignment (only those `among` the given ones, if given)."""
    return sorted(p.name for p in (root / "submitted").glob("*")
                  if (p / assignment).is_dir() and (among is None or p.name in among))


def all_students(assignments: list[str], root: Path) -> list[str]:
    return sorted({student for assignment in assignments for student in submissions(assignment, root)})


def shard(students: list[str], index: int, count: int) -> list[str]:
    """Shard `index` of `count` (0-based): every count-th student of the sorted list. The shards
    are disjoint, cover every student, and differ in size by one at most."""
    return sorted(students)[index::count]


def prepare(assignments: list[str], root: Path) -> None:
    """Enter the assignments (from source/) and the students of submitted/ in the gradebook, so
    that workers running at once only ever update rows, never race to create the same one."""
    with open_gradebook(root) as gradebook:
        known = {a.name for a in gradebook.assignments}
    for assignment in assignments:
        if assignment not in known:
            nbgrader("generate_assignment", assignment, root=root)
    with open_gradebook(root) as gradebook:
        known = {s.id for s in gradebook.students}
        for student in all_students(assignments, root):
            if student not in known:
                gradebook.add_student(student)


def unprepared(assignments: list[str], root: Path) -> list[str]:
    with open_gradebook(root) as gradebook:
        known = {a.name for a in gradebook.assignments}
    return [a for a in assignments if a not in known]


def graded_since(pairs: set, root: Path, since: float) -> set[tuple[str, str]]:
    """The (student, assignment) pairs whose graded notebook was written since `since`."""
    return {(student, assignment) for student, assignment in pairs
            if (path := root / "autograded" / student / assignment / f"{assignment}.ipynb").is_file()
            and path.stat().st_mtime >= since}


def autograde_with_progress(assignments: list[str], root: Path, progress: Progress, among=None,
                            threads: int | None = None) -> list[dict]:
    """Grade every submission of these assignments (by the students `among` the given ones, if
    given); return the failures.

    One nbgrader run grades them all (nbgrader's assignment "*"), or one run per assignment when
    these students' folders hold something else too. nbgrader can also give up on a whole run
    because of one submission (e.g. one whose cells were duplicated: "old version of the nbgrader
    metadata format"), leaving the rest ungraded; each submission that run left ungraded and
    unexplained is then graded on its own, so that one bad notebook costs only its own grade.
    """
    pairs = {(student, assignment) for assignment in assignments for student in submissions(assignment, root, among)}
    if not pairs:
        return []
    students = {student for student, _ in pairs}
    folders = {(p.parent.name, p.name) for p in (root / "submitted").glob("*/*")
               if p.parent.name in students and p.is_dir()}
    runs = ["*"] if folders == pairs else sorted({assignment for _, assignment in pairs})
    others = sorted({p.name for p in (root / "submitted").glob("*")} - students)
    since = time.time() - 1  # file times are coarser than perf_counter
    failures = [f for run in runs for f in autograde_run(run, root, progress, exclude=others, threads=threads)]
    explained = {(f["student"], f["assignment"]) for f in failures}
    for student, assignment in sorted(pairs - graded_since(pairs, root, since) - explained):
        alone = autograde_run(assignment, root, progress, student, threads=threads)
        failures += alone
        if not alone and not graded_since({(student, assignment)}, root, since):
            failures.append({"assignment": assignment, "student": student, "reason": "nbgrader stopped: see its log"})
    return failures


def autograde_run(assignment: str, root: Path, progress: Progress, student: str | None = None,
                  exclude: list[str] = (), threads: int | None = None) -> list[dict]:
    """One `nbgrader autograde` of an assignment ("*": all) for one student, or for all but
    `exclude`, following its log."""
    env = nbgrader_env()
    if threads:  # each worker's kernels get their share of the cores (numpy's BLAS, torch)
        env.update({name: str(threads) for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")})
    with tempfile.NamedTemporaryFile("w", prefix="nnkit-exclude-", suffix=".txt") as excluded:
        if student:
            only = [f"--student={student}"]
        else:  # nbgrader's student_id_exclude, from a file: a long class list would not fit on a command line
            excluded.write(",".join(exclude))
            excluded.flush()
            env[EXCLUDE_FILE_VARIABLE], only = excluded.name, []
        process = subprocess.Popen([sys.executable, "-m", "nbgrader", "autograde", assignment, "--force", *only],
                                   cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return follow_log(process, progress, student and (student, assignment))


def follow_log(process: subprocess.Popen, progress: Progress, alone: tuple[str, str] | None) -> list[dict]:
    """Read an autograde run's log: a progress step per submission, the failures with reasons.
    `alone`: the (student, assignment) of a run that grades only that submission."""
    failures, seen, current, errors, logging_for, fatal = [], set(), None, {}, None, []
    started = time.perf_counter()
    for line in process.stdout:
        if match := CONVERTING.search(line):
            if match.groups() not in seen:
                if current:
                    progress.step("/".join(reversed(current)))
                    progress.spent(current[1], time.perf_counter() - started)
                current, started = match.groups(), time.perf_counter()
                seen.add(current)
        elif match := SKIPPED.search(line):
            errors.setdefault(match.group(1, 2), []).append(
                f"unknown notebook {match.group(3)} (expected {match.group(2)}.ipynb)")
        elif match := FAILING.search(line):  # the traceback that follows is this submission's
            logging_for = match.group(1, 2)
            if logging_for not in seen:
                seen.add(logging_for)
                progress.step("/".join(reversed(logging_for)))
        elif match := FAILED.search(line):  # nbgrader lists the failures at the end
            failures.append({"assignment": match.group(1), "student": match.group(2),
                             "reason": last_error(errors.get((match.group(2), match.group(1)), []))})
        elif logging_for and (not line.startswith("[") or " | ERROR]" in line):
            errors.setdefault(logging_for, []).append(line.rstrip())
        elif alone and " | ERROR]" in line:  # an error that ends the run, not tied to a submission
            fatal.append(LOG_LINE.sub("", line).strip())
        else:
            logging_for = None
    process.wait()
    if current:
        progress.step("/".join(reversed(current)))
        progress.spent(current[1], time.perf_counter() - started)
    if alone and process.returncode != 0 and not failures:
        student, assignment = alone
        failures.append({"assignment": assignment, "student": student,
                         "reason": (fatal or ["nbgrader stopped: see its log"])[0][:300]})
        if alone not in seen:
            progress.step(f"{assignment}/{student}")
    return failures


def last_error(lines: list[str]) -> str:
    """Why a submission failed: a skipped notebook if any, then the exception line of the traceback
    nbgrader logged ('NotJSONError: ...'), or its last line."""
    texts = [LOG_LINE.sub("", line).strip() for line in lines if line.strip()]
    skipped = [t for t in texts if t.startswith("unknown notebook")]
    exceptions = [t for t in texts if re.match(r"^[\w.]+(Error|Exception|Timeout\w*)\b", t)]
    reason = (exceptions or texts or ["unknown error"])[-1]
    return "; ".join(skipped + [reason])[:300]


def run(assignments: list[str] = list(ASSIGNMENTS), root: Path = COURSE_ROOT, jobs: int = 1,
        shard_of: tuple[int, int] | None = None) -> dict:
    """Grade every student (or shard `shard_of` = (index, count) of them) with `jobs` workers;
    returns {"seconds", "submissions", "jobs", "failures"} and writes it to autograded/batch.json
    (autograded/batch-shard-I-of-N.json for a shard)."""
    start = time.perf_counter()
    if shard_of is None:
        prepare(assignments, root)
    elif missing := unprepared(assignments, root):
        raise SystemExit(f"the gradebook does not know {', '.join(missing)}: run `python -m nnkit.batch --prepare` first")
    students = all_students(assignments, root)
    mine = students if shard_of is None else shard(students, *shard_of)
    groups = [group for i in range(jobs) if (group := set(shard(mine, i, jobs)))]  # one per worker
    total = sum(len(submissions(a, root, set(mine))) for a in assignments)
    progress = Progress(total)
    threads = max(1, (os.cpu_count() or 1) // jobs) if jobs > 1 else None
    with ThreadPoolExecutor(max(len(groups), 1)) as pool:
        failures = [f for found in pool.map(lambda group: autograde_with_progress(assignments, root, progress, group,
                                                                                  threads), groups) for f in found]
    # Once more, alone: with several workers any failure may come from another's load or lock, and
    # a kernel that died before it ran any code, or a busy database, is never the student's doing.
    again = [f for f in failures if jobs > 1 or NOT_THE_STUDENT.search(f["reason"])]
    progress.total += len(again)
    failures = [f for f in failures if f not in again] + [
        f for failure in again for f in autograde_with_progress([failure["assignment"]], root, progress,
                                                                {failure["student"]})]
    summary = {"seconds": round(time.perf_counter() - start, 1), "submissions": total, "jobs": jobs,
               "notebook_seconds": progress.seconds, "failures": failures}
    name = "batch.json" if shard_of is None else f"batch-shard-{shard_of[0]}-of-{shard_of[1]}.json"
    (root / "autograded").mkdir(exist_ok=True)
    (root / "autograded" / name).write_text(json.dumps(summary, indent=2))
    return summary


def collect(root: Path = COURSE_ROOT) -> dict:
    """Merge the shards' summaries into autograded/batch.json (for the CSV and the report)."""
    parts = [json.loads(path.read_text()) for path in sorted((root / "autograded").glob("batch-shard-*.json"))]
    summary = {"seconds": max((p["seconds"] for p in parts), default=0), "submissions": sum(p["submissions"] for p in parts),
               "jobs": sum(p.get("jobs", 1) for p in parts), "failures": [f for p in parts for f in p["failures"]]}
    (root / "autograded" / "batch.json").write_text(json.dumps(summary, indent=2))
    return summary


def summary_text(summary: dict, root: Path = COURSE_ROOT) -> str:
    failed = {(f["student"], f["assignment"]) for f in summary["failures"]}
    workers = summary.get("jobs", 1)
    lines = [format_table(scores(root), failed), "",
             f"{summary['submissions']} submissions graded in {summary['seconds']} s"
             f" ({summary['seconds'] / max(summary['submissions'], 1):.1f} s each"
             + (f", {workers} workers" if workers > 1 else "") + ")"]
    if summary["failures"]:
        lines.append(f"{len(summary['failures'])} could not be graded (marked !, no grades):")
        lines += [f"  {f['student']} / {f['assignment']}: {f['reason']}" for f in summary["failures"]]
    return "\n".join(lines)


def finish(summary: dict, root: Path) -> str:
    """Export the CSV, write the report; return the summary to print."""
    from nnkit import report

    nbgrader("export", root=root)
    page = report.write(root)
    flags = [f"  {student} / {assignment}: {entry}" for (student, assignment), entries in report.flagged(root).items()
             for entry in entries]
    flagged = f"\n{len(flags)} answers flagged by the integrity scan (scored zero):\n" + "\n".join(flags) if flags else ""
    return (summary_text(summary, root) + flagged + f"\ngrades (with a column per hidden test): {root / 'grades.csv'}"
            f"\nreport: {page}")


def grade_class(assignments: list[str] = list(ASSIGNMENTS), root: Path = COURSE_ROOT, jobs: int = 1) -> str:
    """Grade, export the CSV, write the report; return the summary to print."""
    return finish(run(assignments, root, jobs), root)


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
    mode.add_argument("--collect", action="store_true", help="merge the shards' results: table, grades.csv, report")
    args = parser.parse_args(argv)
    assignments, root = args.assignment or list(ASSIGNMENTS), args.course.resolve()
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.prepare:
        prepare(assignments, root)
        print(f"gradebook ready: {len(assignments)} assignments, {len(all_students(assignments, root))} students")
    elif args.shard:
        summary = run(assignments, root, args.jobs, args.shard)
        print(f"shard {args.shard[0]}/{args.shard[1]}: {summary['submissions']} submissions in {summary['seconds']} s, "
              f"{len(summary['failures'])} could not be graded")
    elif args.collect:
        print(finish(collect(root), root))
    else:
        print(grade_class(assignments, root, args.jobs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
