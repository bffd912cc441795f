"""Write solutions/: one worked solution per assignment, for people (self-study), never for the grader.

solutions/<assignment>/ is the release folder as a student gets it (release/<assignment>/: the
notebook, its requirements.txt, backprop's MNIST sample; not its README) with every answer cell holding the
instructor's answer from source/ (its solution markers removed), run from top to bottom: every
visible check passes and the outputs of a full run are kept (backprop's training, loss curve
and plot included), so that a learner opens it in JupyterLab and compares it with their work.

    .venv/bin/python -m scripts.make_solutions [ASSIGNMENT ...] [--into FOLDER]

It runs each notebook as a student would, outside the course (backprop needs torchvision and
Matplotlib: the `authoring` extra, `pip install -e ".[authoring]"`). tests/course/test_self_study.py
checks that the committed notebooks are in sync with source/ and show a full, passing run; the
sandbox never shows solutions/. The grader's own key stays in assignments/<name>/key/.
"""
import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

from nnkit import exits
from nnkit.collect.notebooks import MARKERS, is_answer_cell, notebook_path, read
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ROOT

SOLUTIONS = COURSE_ROOT / "solutions"
# Of a release folder, what is the student's alone: its README says how to work in it, not how to read a solution.
HANDOUT_ONLY = ("README.md",)
CELL_TIMEOUT_SECONDS = 600  # backprop's training on the sample takes seconds; a loaded machine, more


def answer(source_cell) -> str:
    """An answer cell of source/ as the worked solution shows it: the instructor's code, markers removed."""
    return "\n".join(line for line in source_cell.source.splitlines() if line.strip() not in MARKERS)


def answered(assignment: str) -> nbformat.NotebookNode:
    """The release notebook with every answer cell holding source/'s answer (not yet run)."""
    notebook = read(notebook_path("release", assignment))
    source_cells = {
        cell.metadata["nbgrader"]["grade_id"]: cell
        for cell in read(notebook_path("source", assignment)).cells
        if is_answer_cell(cell)
    }
    for cell in notebook.cells:
        if is_answer_cell(cell):
            cell.source = answer(source_cells[cell.metadata["nbgrader"]["grade_id"]])
    return notebook


def run(notebook: nbformat.NotebookNode, folder: Path) -> nbformat.NotebookNode:
    """Run every cell in `folder`, as a student's kernel would: without the kit on its path."""
    from nbclient import NotebookClient

    saved = os.environ.pop("PYTHONPATH", None)
    try:
        NotebookClient(notebook, timeout=CELL_TIMEOUT_SECONDS, kernel_name="python3", record_timing=False,
                       resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        if saved is not None:
            os.environ["PYTHONPATH"] = saved
    return notebook


def write(assignment: str, into: Path = SOLUTIONS) -> Path:
    """Write solutions/<assignment>/: the release folder's files (but its README), its notebook answered and run."""
    release = COURSE_ROOT / "release" / assignment
    with tempfile.TemporaryDirectory(prefix=f"solution-{assignment}-") as scratch:
        workdir = Path(scratch) / assignment
        shutil.copytree(release, workdir)  # the run may write beside the notebook: never in release/
        notebook = run(answered(assignment), workdir)
    target = into / assignment
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(release, target, ignore=shutil.ignore_patterns(f"{assignment}.ipynb", *HANDOUT_ONLY))
    nbformat.write(notebook, str(target / f"{assignment}.ipynb"))
    return target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.make_solutions", description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help=f"default: all ({', '.join(ASSIGNMENTS)})")
    parser.add_argument("--into", type=Path, default=SOLUTIONS, help="where (default: solutions/)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.assignments) - set(ASSIGNMENTS))
    if unknown:
        parser.error(f"not an assignment of course.toml: {', '.join(unknown)}")
    for assignment in args.assignments or ASSIGNMENTS:
        print(f"wrote {write(assignment, args.into)}", file=sys.stderr)
    return exits.OK


if __name__ == "__main__":
    exits.run(main)
