"""`nnkit author check`: each source notebook against its key and its cases. An answer cell must be
its function of key/solution.py character for character; a hidden-test cell's first line must be
its case's description and points (regenerate writes it: nnkit.authoring.regenerate).
"""
import inspect
from pathlib import Path

from nnkit.kernel.config import COURSE_ROOT


def first_difference(ours: str, theirs: str) -> tuple[int, str, str]:
    """(1-based line, our line, their line) where two texts first differ."""
    a, b = ours.splitlines(), theirs.splitlines()
    for i in range(max(len(a), len(b))):
        left, right = (a[i] if i < len(a) else "(nothing)"), (b[i] if i < len(b) else "(nothing)")
        if left != right:
            return i + 1, left, right
    return 0, "", ""


def answer_problems(assignment: str, root: Path = COURSE_ROOT) -> list[str]:
    """Each answer cell's function that is not, character for character, the one of the key's
    solution module (found by name in its namespace: an imported function is its own module's)."""
    import importlib

    from nnkit.collect.notebooks import reference_code

    solution = importlib.import_module(f"assignments.{assignment}.key.solution")
    notebook = f"source/{assignment}/{assignment}.ipynb"
    problems = []
    for name, code in reference_code(assignment).items():
        function = getattr(solution, name, None)
        if function is None:
            problems.append(f"{notebook}: the answer cell defines {name}, which {solution.__name__} does not")
            continue
        lines, start = inspect.getsourcelines(function)
        theirs = "".join(lines).rstrip()
        if code != theirs:
            line, ours, differs = first_difference(code, theirs)
            where = Path(inspect.getsourcefile(function)).resolve().relative_to(COURSE_ROOT)
            problems.append(f"{notebook}: the answer cell of {name}, line {line} of the function:\n"
                            f"    notebook: {ours}\n    {where}:{start + line - 1}: {differs}")
    return problems


def hidden_line(points: float, what: str) -> str:
    return f"# Hidden test ({points:g} point{'s' if points != 1 else ''}): {what}"


def description_problems(assignment: str) -> list[str]:
    """Each hidden-test cell whose first line is not its case's description and points."""
    from nnkit.collect.notebooks import notebook_path, read
    from nnkit.judging.cells import hidden_test_cases
    from nnkit.kernel.course_cases import CASES

    problems = []
    for index, cell in enumerate(read(notebook_path("source", assignment)).cells):
        cases = hidden_test_cases(cell)
        if len(cases) == 1 and cases[0] in CASES:
            want = hidden_line(cell.metadata["nbgrader"]["points"], CASES[cases[0]].what)
            got = cell.source.splitlines()[0]
            if got != want:
                problems.append(f"source/{assignment}/{assignment}.ipynb, cell {index + 1} ({cases[0]}), line 1:\n"
                                f"    notebook: {got}\n    cases.py: {want}   (`nnkit author regenerate` writes it)")
    return problems


def check(assignments) -> list[str]:
    return [p for a in assignments for p in answer_problems(a) + description_problems(a)]
