"""solutions/: one worked solution per assignment, for people (self-study), never for the grader.

solutions/<assignment>/ is the release folder as a student gets it (not its README) with every answer
cell holding the instructor's answer from source/ (markers removed), run from top to bottom with
its outputs kept, so that a learner compares it with their work. It runs each notebook as a student
would, outside the course (backprop needs torchvision and Matplotlib: the `authoring` extra).
`nnkit author regenerate` calls `write` where `sync_problems` finds one stale;
tests/course/test_self_study.py checks the committed notebooks. The sandbox never shows solutions/.
"""
import os
import shutil
import tempfile
from pathlib import Path

import nbformat

from nnkit.collect.notebooks import MARKERS, is_answer_cell, notebook_path, read
from nnkit.kernel.config import COURSE_ROOT

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
    source_cells = {cell.metadata["nbgrader"]["grade_id"]: cell
                    for cell in read(notebook_path("source", assignment)).cells if is_answer_cell(cell)}
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


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def sync_problems(assignment: str, solutions: Path = SOLUTIONS) -> list[str]:
    """How solutions/<assignment>/ differs from the release folder answered from source/."""
    folder, release = solutions / assignment, COURSE_ROOT / "release" / assignment
    if not (folder / f"{assignment}.ipynb").is_file():
        return [f"{folder}: no worked notebook"]
    problems = []
    theirs = files(folder)
    want = {name: data for name, data in files(release).items() if name not in (f"{assignment}.ipynb", *HANDOUT_ONLY)}
    if {k: v for k, v in theirs.items() if k != f"{assignment}.ipynb"} != want:
        problems.append(f"{folder}: its files other than the notebook are not release/{assignment}/'s")
    solution, handout = read(folder / f"{assignment}.ipynb"), read(notebook_path("release", assignment))
    source = {c.metadata["nbgrader"]["grade_id"]: c for c in read(notebook_path("source", assignment)).cells
              if "nbgrader" in c.metadata}
    if [(c.cell_type, c.metadata.get("nbgrader")) for c in solution.cells] != \
            [(c.cell_type, c.metadata.get("nbgrader")) for c in handout.cells]:
        return problems + ["its cells are not the release notebook's"]
    for ours, theirs_cell in zip(solution.cells, handout.cells, strict=True):
        grade_id = ours.metadata.get("nbgrader", {}).get("grade_id", "")
        expected = answer(source[grade_id]) if is_answer_cell(ours) else theirs_cell.source
        if ours.source != expected:
            problems.append(f"cell {grade_id}: not source/'s {'answer' if is_answer_cell(ours) else 'text'}")
    return problems
