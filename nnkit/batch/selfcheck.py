"""Check your own notebook with the instructor's autograder, without an instructor.

    python -m nnkit.batch.selfcheck PATH [PATH ...] [--json]       (make check NB=PATH)

PATH is a notebook named after its assignment (activations.ipynb, ...) or a folder to search for
them. Each notebook is autograded by nbgrader in a throwaway copy of the course, with the real
hidden tests and the same verdicts the instructor would get; your files and the course's
gradebook are not touched (the copy has its own gradebook, whatever NNKIT_DB_URL says) and the
hidden tests' code is never shown. Prints the score per hidden test with the grader's message.

Its exit codes: nnkit.exits (full marks on every notebook is OK).
"""
import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import nbformat

from nnkit import exits
from nnkit.collect import paths
from nnkit.collect.nofollow import copy_file, kind
from nnkit.collect.notebooks import notebook_path, read
from nnkit.gradebook.scratch import scratch_course
from nnkit.gradebook.states import class_submissions
from nnkit.judging.review import Kind
from nnkit.kernel.config import ASSIGNMENTS

STUDENT = "self"


def notebooks_in(paths: list[str]) -> tuple[list[Path], list[dict]]:
    """The notebooks to check, and an error for each path that names none."""
    found, errors = [], []
    for path in map(Path, paths):
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            found += inside
            if not inside:
                errors.append({"notebook": str(path), "error": "no notebooks (.ipynb files) in this folder"})
        elif path.exists() or path.suffix == ".ipynb":
            found.append(path)
        else:
            errors.append({"notebook": str(path), "error": "no such file or folder"})
    return found, errors


def graded_ids(notebook) -> set[str]:
    """The ids of a notebook's answer and hidden-test cells: they tell its assignment. Whatever
    shape a student's file has (nbformat reads a notebook that fails validation as it is)."""
    cells = notebook.get("cells")
    metadata = [c.get("metadata") for c in cells if isinstance(c, dict)] if isinstance(cells, list) else []
    marks = [m.get("nbgrader") for m in metadata if isinstance(m, dict)]
    return {m["grade_id"] for m in marks if isinstance(m, dict) and isinstance(m.get("grade_id"), str)
            and (m.get("grade") or m.get("solution"))}


# What nbformat raises on a file that is not a notebook: not JSON (ValueError), JSON of another
# shape (AttributeError, TypeError, KeyError), a notebook that fails its schema.
NOT_A_NOTEBOOK = (OSError, ValueError, AttributeError, TypeError, KeyError, nbformat.ValidationError)


def assignment_of(notebook: Path) -> str | None:
    """The assignment a notebook belongs to, by its cells' nbgrader ids (not by its file name);
    None when it has none of any, or is not a notebook."""
    try:
        content = read(notebook)
    except NOT_A_NOTEBOOK:
        return None
    ids = graded_ids(content)
    overlap = {a: len(ids & graded_ids(read(notebook_path("release", a)))) for a in ASSIGNMENTS
               if notebook_path("release", a).is_file()}  # an assignment being written has none yet
    best = max(overlap, key=overlap.get, default=None)
    return best if best and overlap[best] else None


def refusal(notebook: Path) -> dict | None:
    """{notebook, error} when the file cannot be checked as the notebook its name says, else None."""
    assignment = notebook.stem
    if notebook.is_symlink() or (notebook.exists() and not notebook.is_file()):
        what = kind(notebook.lstat().st_mode)
        return {"notebook": str(notebook), "error": f"{what}, not a notebook: give the notebook file itself"}
    if not notebook.is_file():
        return {"notebook": str(notebook), "error": "no such file"}
    if assignment not in ASSIGNMENTS:
        belongs = assignment_of(notebook)
        hint = (f"this is the {belongs} notebook: rename it to {belongs}.ipynb" if belongs else
                f"not a notebook of this course (expected one of {', '.join(a + '.ipynb' for a in ASSIGNMENTS)})")
        return {"notebook": str(notebook), "error": hint}
    belongs = assignment_of(notebook) if notebook.stat().st_size else assignment
    if belongs not in (None, assignment):
        return {"notebook": str(notebook), "error": f"this is the {belongs} notebook saved as {notebook.name}: "
                                                    f"check {belongs}.ipynb instead"}
    return None


class Checker:
    """One throwaway course for the whole run, each notebook a student of its own in it: the
    course, and the assignments' modules the grader imports from it (nbgrader_config.py puts it
    first on sys.path), live until the last notebook is graded, whatever mix of assignments,
    folders and repeats the run is given."""

    def __init__(self, tmp: Path):
        self.root = scratch_course(tmp / "course")
        self.entered: set[str] = set()
        self.api = None

    def check(self, notebook: Path, student: str) -> dict:
        """{notebook, assignment, score, max_score, state, reasons, cells: [...], kit_failure} or {notebook, error}."""
        refused = refusal(notebook)
        if refused:
            return refused
        assignment, root = notebook.stem, self.root
        target = paths.submitted_notebook(root, student, assignment)
        target.parent.mkdir(parents=True)
        copied = copy_file(notebook, target)  # the file itself, never through a link (nnkit.collect.nofollow)
        if copied:
            return {"notebook": str(notebook), "error": f"{copied}, not a notebook: give the notebook file itself"}
        if self.api is None:
            from nnkit.execution.autograde import CourseAPI

            self.api = CourseAPI(root)
        if assignment not in self.entered:
            self.api.enter_assignment(assignment)
            self.entered.add(assignment)
        outcome = self.api.autograde(assignment, student)
        if not outcome.gradable:
            return {"notebook": str(notebook), "error": outcome.reason, "kit_failure": outcome.kit_failure}
        (entry,) = [e for e in class_submissions(root, [assignment]) if e.student == student]
        graded = read(paths.graded_notebook(root, student, assignment))
        return verdict(notebook, assignment, entry, graded)


def verdict(notebook: Path, assignment: str, entry, graded) -> dict:
    cells = []
    for cell in graded.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") in entry.cells and cell.cell_type == "code":  # the hidden tests that carry points
            message = "".join(
                o.get("text", "") if o.output_type == "stream" else o.get("evalue", "") for o in cell.outputs
            )
            score = entry.cells.get(meta["grade_id"]) or 0.0
            cells.append({"id": meta["grade_id"], "points": meta["points"], "score": score,
                          "passed": score == meta["points"], "message": message.strip()})
    # a check the kit could not judge is the kit's failure, not points the learner lost (exit 3)
    kit_failures = [item.text() for item in entry.reviews if item.kind == Kind.JUDGE]
    return {"notebook": str(notebook), "assignment": assignment, "score": entry.score, "max_score": entry.max_score,
            "state": entry.state.value, "reasons": instructor_reasons(entry), "cells": cells,
            "kit_failure": bool(kit_failures)}


def check(notebook: Path) -> dict:
    """One notebook's result, in a throwaway course of its own (see Checker for several)."""
    with tempfile.TemporaryDirectory(prefix="selfcheck-") as tmp:
        return Checker(Path(tmp)).check(notebook, STUDENT)


def instructor_reasons(entry) -> list[str]:
    """What the instructor would look at: every reason but grading without the sandbox, which is
    this machine's (the learner is told so once), never the instructor's."""
    return [item.text() for item in entry.reviews if item.kind != Kind.NO_SANDBOX]


def report(result: dict) -> str:
    if "error" in result:
        return f"{result['notebook']}: {result['error']}"
    lines = [f"{result['notebook']}: {result['score']:g}/{result['max_score']:g} points"]
    for cell in result["cells"]:
        mark = "ok  " if cell["passed"] else "FAIL"
        first, *rest = cell["message"].splitlines() or [cell["id"]]
        lines.append(f"  {mark} {cell['score']:g}/{cell['points']:g}  {first}")
        if not cell["passed"]:
            lines += [f"             {line.strip()}" for line in rest]
    if result["reasons"]:
        lines.append("  Your instructor would look at: " + "; ".join(result["reasons"]))
    if result.get("kit_failure"):
        lines.append("  The kit failed to judge a check (not your code): this verdict is not your grade")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nnkit.batch.selfcheck", description=__doc__.splitlines()[0],
                                     epilog="Through make: make check NB=path/to/activations.ipynb "
                                            "(make exits 2 whenever this exits non-zero).")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="notebooks, or folders to search for them")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if not args.paths:
        parser.print_usage(sys.stderr)
        print("give a notebook or a folder: make check NB=path/to/activations.ipynb "
              "(or python -m nnkit.batch.selfcheck path/to/activations.ipynb)", file=sys.stderr)
        return exits.CANNOT_CHECK
    from nnkit.sandbox import bwrap

    bare = bwrap.unavailable()
    if bare:  # a learner's own machine, perhaps a Mac: their own code, graded without the sandbox
        os.environ[bwrap.OPT_OUT_VARIABLE] = "1"
    notebooks, results = notebooks_in(args.paths)
    with tempfile.TemporaryDirectory(prefix="selfcheck-") as tmp:
        checker = Checker(Path(tmp))
        results += [checker.check(notebook, f"{STUDENT}-{number}") for number, notebook in enumerate(notebooks, 1)]
    if not args.json:
        if bare and notebooks:
            print(
                f"No sandbox here ({bare.split(':')[0]}): your notebook ran without the sandbox, so libraries such as "
                "torch are importable and the verdict may differ from your instructor's.\n"
            )
        print("\n\n".join(map(report, results)))
    else:
        print(json.dumps(results, indent=2))
    if any(r.get("kit_failure") for r in results):
        return exits.KIT_FAILURE
    if not results or any("error" in r for r in results):
        return exits.CANNOT_CHECK
    return exits.OK if all(r["score"] == r["max_score"] for r in results) else exits.POINTS_LOST


if __name__ == "__main__":
    exits.run(main)
