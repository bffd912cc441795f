"""Compare your notebook with the worked solution, answer by answer, with nbdime.

    python -m nnkit.batch.solutiondiff PATH [--web]       (make compare NB=PATH)

PATH is your notebook, named after its assignment (activations.ipynb, ...), as for the self-check.
nbdime compares whole notebooks, and the worked solution (solutions/<name>/) differs from your
work in everything you did not write: outputs, execution counts, metadata, the text. So both sides
are reduced first to the answer cells' sources (the cells nbgrader marks as solution cells, found
by their grade id, in the release's order; a cell you added is left out), then nbdime's `nbdiff`
prints what differs in the terminal; with `--web`, `nbdiff-web` shows it in the browser. Your
file is never changed: the reduced copies live in a throwaway folder.

Exit status (nnkit.exits): 0 when the comparison was shown (whatever it found), 2 when the
notebook cannot be compared (the same one-line reasons as the self-check), 3 when nbdime is not
installed (`make compare` installs it: the `selfstudy` extra).
"""
import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from nnkit import exits
from nnkit.collect.notebooks import read
from nnkit.kernel.config import COURSE_ROOT

SOLUTIONS = COURSE_ROOT / "solutions"


def answer_ids(notebook) -> list[str]:
    """The grade ids of a notebook's answer cells, in its order."""
    return [c.metadata["nbgrader"]["grade_id"] for c in notebook.cells
            if c.metadata.get("nbgrader", {}).get("solution") and c.metadata["nbgrader"].get("grade_id")]


def answers_only(notebook, ids: list[str]) -> nbformat.NotebookNode:
    """A notebook of the answer cells' sources alone, in the order of `ids`: no output, execution
    count, metadata or other cell (an answer missing from the notebook is an empty cell)."""
    sources = {}
    for cell in notebook.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in ids and grade_id not in sources:
            sources[grade_id] = cell.get("source", "")
    reduced = nbformat.v4.new_notebook()
    reduced.cells = [nbformat.v4.new_code_cell(sources.get(grade_id, ""), id=grade_id.replace("_", "-")[:64])
                     for grade_id in ids]
    return reduced


def reduced_pair(notebook: Path, folder: Path) -> tuple[Path, Path]:
    """Your notebook's and the worked solution's answers, each written into `folder`."""
    assignment = notebook.stem
    solution = read(SOLUTIONS / assignment / f"{assignment}.ipynb")
    ids = answer_ids(solution)
    yours, theirs = folder / "yours" / f"{assignment}.ipynb", folder / "solution" / f"{assignment}.ipynb"
    for path, content in ((yours, read(notebook)), (theirs, solution)):
        path.parent.mkdir()
        nbformat.write(answers_only(content, ids), str(path))
    return yours, theirs


def main(argv=None) -> int:
    from nnkit.batch.selfcheck import refusal

    parser = argparse.ArgumentParser(prog="python -m nnkit.batch.solutiondiff", description=__doc__.splitlines()[0])
    parser.add_argument("path", metavar="PATH", help="your notebook, e.g. work/activations/activations.ipynb")
    parser.add_argument("--web", action="store_true", help="show the comparison in the browser (nbdiff-web)")
    args = parser.parse_args(argv)
    notebook = Path(args.path)
    refused = refusal(notebook)
    if refused:
        print(f"{refused['notebook']}: {refused['error']}", file=sys.stderr)
        return exits.CANNOT_CHECK
    tool = shutil.which("nbdiff-web" if args.web else "nbdiff", path=str(Path(sys.executable).parent))
    if tool is None:
        raise exits.KitFailure("nbdime is not installed here: run `make compare NB=...`, which installs it "
                               "(the selfstudy extra)")
    with tempfile.TemporaryDirectory(prefix="nnkit-diff-") as tmp:
        try:
            yours, theirs = reduced_pair(notebook, Path(tmp))
        except (OSError, ValueError, AttributeError, TypeError, KeyError, nbformat.ValidationError) as error:
            print(f"{notebook}: not a readable notebook ({type(error).__name__})", file=sys.stderr)
            return exits.CANNOT_CHECK
        print(f"Your answers ({notebook}) against the worked solution (solutions/{notebook.stem}/): "
              "- yours, + the solution's.", flush=True)
        subprocess.run([tool, str(yours.relative_to(tmp)), str(theirs.relative_to(tmp))], cwd=tmp, check=False)
    return exits.OK


if __name__ == "__main__":
    exits.run(main)
