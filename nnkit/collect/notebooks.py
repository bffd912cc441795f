"""Notebook plumbing shared by the demo-class builder and the tests: read the reference code out
of a source notebook, and fill a release notebook's answer cells with given implementations."""
import ast
import copy
from pathlib import Path

import nbformat

from nnkit.kernel.config import COURSE_ROOT

MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def notebook_path(folder: str, assignment: str, root: Path = COURSE_ROOT) -> Path:
    return root / folder / assignment / f"{assignment}.ipynb"


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def total_points(assignment: str, root: Path = COURSE_ROOT) -> float:
    """The points an assignment carries: the sum over its source notebook's graded cells."""
    return sum(c.metadata["nbgrader"].get("points", 0) for c in read(notebook_path("source", assignment, root)).cells
               if c.metadata.get("nbgrader", {}).get("grade"))


def is_answer_cell(cell) -> bool:
    return cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution", False)


def defined_functions(source: str) -> dict[str, str]:
    """{name: source text} of the top-level functions defined in a piece of code."""
    lines = source.splitlines()
    tree = ast.parse(source)
    return {node.name: "\n".join(lines[node.lineno - 1 - len(node.decorator_list):node.end_lineno])
            for node in tree.body if isinstance(node, ast.FunctionDef)}


def implementations_in(source: str, answers=None) -> dict[str, str]:
    """{name: code} for each top-level function of a Python file, with the file's imports and its
    other top-level statements (e.g. a patch of numpy) written above it, as a student would put
    them in the answer cell. With `answers` (the names of a notebook's answer functions), only
    those are returned, and the file's other functions (its helpers) are written above each."""
    lines = source.splitlines()
    body = ast.parse(source).body
    docstring = body[:1] if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) else []
    above = "\n".join("\n".join(lines[node.lineno - 1:node.end_lineno]) for node in body
                      if not isinstance(node, ast.FunctionDef) and node not in docstring)
    functions = defined_functions(source)
    head = above
    if answers is not None:
        head = "\n\n\n".join([above] * bool(above) + [code for name, code in functions.items() if name not in answers])
        functions = {name: code for name, code in functions.items() if name in answers}
    return {name: f"{head}\n\n\n{code}" if head else code for name, code in functions.items()}


def reference_code(assignment: str) -> dict[str, str]:
    """The instructor's answer for each function of an assignment, solution markers removed."""
    code = {}
    for cell in read(notebook_path("source", assignment)).cells:
        if is_answer_cell(cell):
            clean = "\n".join(line for line in cell.source.splitlines() if line.strip() not in MARKERS)
            code.update(defined_functions(clean))
    return code


def fill(release: nbformat.NotebookNode, implementations: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of a release notebook whose answer cells define the given functions.

    Each answer cell is rewritten as the implementations of the functions its stub defines;
    a function without an implementation keeps its stub.
    """
    filled = copy.deepcopy(release)
    for cell in filled.cells:
        if is_answer_cell(cell):
            stubs = defined_functions(cell.source)
            cell.source = "\n\n\n".join(implementations.get(name, stub) for name, stub in stubs.items())
    return filled
