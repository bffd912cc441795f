"""After grading: the grade table with each submission's state and what to review, grades.csv and
the report written, and the kit's failures, one line per cause (exit code 3: nnkit.exits). Every
name and reason a student controls is printed escaped (nnkit.collect.escape).
"""
import sys
from pathlib import Path

from nnkit import exits
from nnkit.collect import paths
from nnkit.collect.escape import escaped
from nnkit.gradebook import outcomes
from nnkit.gradebook.outcomes import KIT_CAUSES, Outcome
from nnkit.gradebook.states import REVIEW_HEADINGS, State, class_submissions, to_review
from nnkit.views.table import format_table


def summary_text(root: Path, assignments: list[str], summary: dict | None = None, entries: list | None = None) -> str:
    """The grade table with each submission's state, what could not be graded and what to review
    (`entries`: nnkit.gradebook.states' Submissions, when the caller has them already)."""
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
        lines += [escaped(f"  {e.student} / {e.assignment}: {'; '.join(e.reasons)}") for e in chosen]
    return "\n".join(lines)


def finish(root: Path, assignments: list[str], summary: dict | None = None) -> str:
    """Export the CSV, write the report; return the summary to print."""
    from nnkit.views import report
    from nnkit.views.export import write_csv

    entries = class_submissions(root, assignments)  # once: it hashes every submission
    grades = write_csv(root, paths.grades(root), assignments, entries=entries)
    page = report.write(root, assignments, entries)
    return (summary_text(root, assignments, summary, entries)
            + f"\ngrades (with a column per hidden test): {relative(grades)}"
            f"\nreport: {relative(page)}")


def relative(path: Path) -> str:
    """A path as the instructor typed their way to it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def kit_failures(outcomes: list[Outcome]) -> list[str]:
    """One line per cause of the submissions that could not be graded for a reason not the
    student's (nnkit.gradebook.outcomes.STUDENT_CAUSES): what it means, how many, and the first one."""
    by_cause: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        if outcome.kit_failure:
            by_cause.setdefault(outcome.cause, []).append(outcome)
    lines = []
    for cause, failed in by_cause.items():
        first = failed[0]
        count = f"{len(failed)} submission{'s' if len(failed) > 1 else ''}"
        meaning = KIT_CAUSES.get(cause, "the kit failed")
        lines.append(escaped(f"not graded, not the student's doing ({count}): {meaning}: "
                             f"{first.reason} (first: {first.student} / {first.assignment})"))
    return lines


def recorded_outcomes(root: Path, assignments: list[str]) -> list[Outcome]:
    """The failures on file for the current submissions (what --collect reports on): each
    outcome written by a worker with its cause (outcomes written before causes were kept are left out)."""
    found = []
    for entry in class_submissions(root, assignments):
        if entry.state == State.NOT_GRADABLE:
            outcome = outcomes.read(root, entry.student, entry.assignment)
            if outcome is not None and outcome.cause:
                found.append(outcome)
    return found


def report_failures(lines: list[str]) -> int:
    """Print the kit's failures, one line per cause, on stderr; the batch's exit code."""
    for line in lines:
        print(line, file=sys.stderr)
    return exits.KIT_FAILURE if lines else exits.OK
