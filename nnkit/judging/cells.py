"""Which cells are hidden tests: a graded code cell whose (instructor-owned) source calls
`record("<case>", ...)` for a case of the course. Asked by the execution (which records to keep),
the judging step (which cells to judge), the integrity scan and the authoring tools, answered here.
"""
import ast

from nbgrader.utils import is_grade

from nnkit.kernel.course_cases import CASES


def recorded_cases(source: str) -> list[str]:
    """The case names of the `record("<case>", function)` calls in a cell's source, in order."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "record"
            and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in CASES]


def hidden_test_cases(cell) -> list[str]:
    """The cases a hidden-test cell records, in order; [] for any other cell."""
    if cell.get("cell_type") != "code" or not is_grade(cell):
        return []
    return recorded_cases(cell.get("source", ""))
