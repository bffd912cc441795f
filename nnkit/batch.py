"""Autograde a whole class: every student, every assignment, with progress and a summary, then
export grades.csv and write the report autograded/report.html.

    python -m nnkit.batch [--assignment NAME ...]        (make grade)

One `nbgrader autograde` per assignment grades all its submissions (nbgrader keeps going past
a submission it cannot grade); this follows its log to show students done / total and an ETA,
and collects the submissions that could not be graded, with the reason. Those get no grades
(their row reads 0 in the gradebook and `!` in the table), never stop the batch, and are
written with the reason to autograded/batch.json for the report.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from nnkit.course import format_table, nbgrader, nbgrader_env, scores
from nnkit.mnist import COURSE_ROOT
from nnkit.notebooks import ASSIGNMENTS

CONVERTING = re.compile(r"Converting notebook .*/submitted/([^/]+)/([^/]+)/[^/]+\.ipynb")
FAILING = re.compile(r"There was an error processing assignment: .*/submitted/([^/]+)/[^/]+\s*$")
SKIPPED = re.compile(r"Skipping unknown notebook: .*/submitted/([^/]+)/([^/]+)/([^/]+\.ipynb)")
FAILED = re.compile(r"There was an error processing assignment '([^']+)' for student '([^']+)'")
LOG_LINE = re.compile(r"^\[\w+ \| (\w+)\]")


class Progress:
    """students done / total and an ETA on one line (a line per step when not on a terminal)."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream, self.start = total, 0, stream, time.perf_counter()

    def step(self, label: str) -> None:
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


def submissions(assignment: str, root: Path) -> list[str]:
    return sorted(p.name for p in (root / "submitted").glob("*") if (p / assignment).is_dir())


def ensure_assignments(assignments: list[str], root: Path) -> None:
    """nbgrader grades only assignments its gradebook knows: add those it does not (from source/)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        known = {a.name for a in gradebook.assignments}
    for assignment in assignments:
        if assignment not in known:
            nbgrader("generate_assignment", assignment, root=root)


def graded_since(assignment: str, root: Path, since: float) -> set[str]:
    return {student for student in submissions(assignment, root)
            if (path := root / "autograded" / student / assignment / f"{assignment}.ipynb").is_file()
            and path.stat().st_mtime >= since}


def autograde_with_progress(assignment: str, root: Path, progress: Progress) -> list[dict]:
    """Grade every submission of an assignment; return the failures.

    One nbgrader run grades them all. nbgrader can also give up on the whole run because of one
    submission (e.g. one whose cells were duplicated: "old version of the nbgrader metadata
    format"), leaving the rest ungraded; each submission that run left ungraded and unexplained is
    then graded on its own, so that one bad notebook costs only its own grade.
    """
    since = time.time() - 1  # file times are coarser than perf_counter
    failures = autograde_run(assignment, root, progress)
    explained = {f["student"] for f in failures}
    for student in sorted(set(submissions(assignment, root)) - graded_since(assignment, root, since) - explained):
        failures += autograde_run(assignment, root, progress, student)
        if student not in graded_since(assignment, root, since) and student not in {f["student"] for f in failures}:
            failures.append({"assignment": assignment, "student": student, "reason": "nbgrader stopped: see its log"})
    return failures


def autograde_run(assignment: str, root: Path, progress: Progress, student: str | None = None) -> list[dict]:
    """One `nbgrader autograde` (of one student, or of all), following its log."""
    only = [f"--student={student}"] if student else []
    process = subprocess.Popen([sys.executable, "-m", "nbgrader", "autograde", assignment, "--force", *only], cwd=root,
                               env=nbgrader_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    failures, seen, current, errors, logging_for, fatal = [], set(), None, {}, None, []
    for line in process.stdout:
        if match := CONVERTING.search(line):
            if match.group(1) not in seen:
                if current:
                    progress.step(f"{assignment}/{current}")
                current = match.group(1)
                seen.add(current)
        elif match := SKIPPED.search(line):
            errors.setdefault(match.group(1), []).append(
                f"unknown notebook {match.group(3)} (expected {assignment}.ipynb)")
        elif match := FAILING.search(line):  # the traceback that follows is this student's
            logging_for = match.group(1)
            if logging_for not in seen:
                seen.add(logging_for)
                progress.step(f"{assignment}/{logging_for}")
        elif match := FAILED.search(line):  # nbgrader lists the failures at the end
            failures.append({"assignment": match.group(1), "student": match.group(2),
                             "reason": last_error(errors.get(match.group(2), []))})
        elif logging_for and (not line.startswith("[") or " | ERROR]" in line):
            errors.setdefault(logging_for, []).append(line.rstrip())
        elif student and " | ERROR]" in line:  # an error that ends the run, not tied to a submission
            fatal.append(LOG_LINE.sub("", line).strip())
        else:
            logging_for = None
    process.wait()
    if current:
        progress.step(f"{assignment}/{current}")
    if student and process.returncode != 0 and not failures:
        failures.append({"assignment": assignment, "student": student,
                         "reason": (fatal or ["nbgrader stopped: see its log"])[0][:300]})
        if student not in seen:
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


def run(assignments: list[str] = list(ASSIGNMENTS), root: Path = COURSE_ROOT) -> dict:
    """Grade everything; returns {"seconds", "submissions", "failures"} and writes autograded/batch.json."""
    ensure_assignments(assignments, root)
    total = sum(len(submissions(a, root)) for a in assignments)
    progress = Progress(total)
    start = time.perf_counter()
    failures = []
    for assignment in assignments:
        failures += autograde_with_progress(assignment, root, progress)
    summary = {"seconds": round(time.perf_counter() - start, 1), "submissions": total, "failures": failures}
    (root / "autograded").mkdir(exist_ok=True)
    (root / "autograded" / "batch.json").write_text(json.dumps(summary, indent=2))
    return summary


def summary_text(summary: dict, root: Path = COURSE_ROOT) -> str:
    failed = {(f["student"], f["assignment"]) for f in summary["failures"]}
    lines = [format_table(scores(root), failed), "",
             f"{summary['submissions']} submissions graded in {summary['seconds']} s"
             f" ({summary['seconds'] / max(summary['submissions'], 1):.1f} s each)"]
    if summary["failures"]:
        lines.append(f"{len(summary['failures'])} could not be graded (marked !, no grades):")
        lines += [f"  {f['student']} / {f['assignment']}: {f['reason']}" for f in summary["failures"]]
    return "\n".join(lines)


def grade_class(assignments: list[str] = list(ASSIGNMENTS), root: Path = COURSE_ROOT) -> str:
    """Grade, export the CSV, write the report; return the summary to print."""
    from nnkit import report

    summary = run(assignments, root)
    nbgrader("export", root=root)
    page = report.write(root)
    flags = [f"  {student} / {assignment}: {entry}" for (student, assignment), entries in report.flagged(root).items()
             for entry in entries]
    flagged = f"\n{len(flags)} answers flagged by the integrity scan (scored zero):\n" + "\n".join(flags) if flags else ""
    return (summary_text(summary, root) + flagged + f"\ngrades (with a column per hidden test): {root / 'grades.csv'}"
            f"\nreport: {page}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nnkit.batch", description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", action="append", choices=ASSIGNMENTS,
                        help="grade only this assignment (repeatable); default: all")
    parser.add_argument("--course", type=Path, default=COURSE_ROOT, help="the course folder (default: this kit)")
    args = parser.parse_args(argv)
    print(grade_class(args.assignment or list(ASSIGNMENTS), args.course.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
