"""Check your own notebook with the instructor's autograder, without an instructor.

    python -m nnkit.selfcheck path/to/convolution.ipynb [more notebooks or folders] [--json]

Each notebook (named after its assignment, as in release/) is autograded by nbgrader in a
throwaway copy of the course, with the real hidden tests and the same verdicts the instructor
would get; your files and the course's gradebook are not touched and the hidden tests' code is
never shown. Prints the score per function and per hidden test with the grader's message.
Exit status: 0 at full marks on every notebook, 1 otherwise, 2 when a notebook cannot be graded.
"""
import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from nnkit.course import cell_scores, nbgrader, scratch_course
from nnkit.notebooks import ASSIGNMENTS, read

STUDENT = "self"


def notebooks_in(paths: list[str]) -> list[Path]:
    found = []
    for path in map(Path, paths):
        found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts) if path.is_dir() else [path]
    return found


def check(notebook: Path) -> dict:
    """{notebook, assignment, score, max_score, cells: [...]} or {notebook, error}."""
    assignment = notebook.stem
    if assignment not in ASSIGNMENTS:
        return {"notebook": str(notebook), "error": f"not an assignment of this course (expected one of {', '.join(ASSIGNMENTS)}.ipynb)"}
    if not notebook.is_file():
        return {"notebook": str(notebook), "error": "no such file"}
    with tempfile.TemporaryDirectory(prefix="selfcheck-") as tmp:
        root = scratch_course(Path(tmp) / "course")
        try:
            nbgrader("generate_assignment", assignment, root=root)
            target = root / "submitted" / STUDENT / assignment / f"{assignment}.ipynb"
            target.parent.mkdir(parents=True)
            shutil.copy(notebook, target)
            nbgrader("autograde", assignment, root=root)
            graded = read(root / "autograded" / STUDENT / assignment / f"{assignment}.ipynb")
            scores = cell_scores(assignment, STUDENT, root)
        except (RuntimeError, OSError, ValueError) as error:
            return {"notebook": str(notebook), "error": f"could not be graded: {str(error).strip()[-800:]}"}
    cells = []
    for cell in graded.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            message = "".join(o.get("text", "") if o.output_type == "stream" else o.get("evalue", "") for o in cell.outputs)
            score = scores.get(meta["grade_id"], 0.0) or 0.0
            cells.append({"id": meta["grade_id"], "points": meta["points"], "score": score,
                          "passed": score == meta["points"], "message": message.strip()})
    return {"notebook": str(notebook), "assignment": assignment, "score": sum(c["score"] for c in cells),
            "max_score": sum(c["points"] for c in cells), "cells": cells}


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
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nnkit.selfcheck", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="notebooks, or folders to search for them")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    results = [check(notebook) for notebook in notebooks_in(args.paths)]
    print(json.dumps(results, indent=2) if args.json else "\n\n".join(map(report, results)))
    if not results or any("error" in r for r in results):
        return 2
    return 0 if all(r["score"] == r["max_score"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
