"""Notebook plumbing (nnkit.collect.notebooks): the reference answers read out of a source notebook,
a student's implementations written into a release's answer cells, and nothing else changed."""
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from nnkit.collect import notebooks
from nnkit.kernel.config import ASSIGNMENTS

ASSIGNMENT = ASSIGNMENTS[0]


def answer_cell(source: str):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "answer"}
    return cell


def test_defined_functions_keeps_each_top_level_function_with_its_decorators():
    source = "import x\n\n@cache\ndef f(a):\n    return a\n\n\ndef g():\n    def inner():\n        pass\n"
    assert notebooks.defined_functions(source) == {"f": "@cache\ndef f(a):\n    return a",
                                                   "g": "def g():\n    def inner():\n        pass"}


def test_implementations_carry_the_files_imports_and_with_answers_its_helpers():
    source = '"""doc"""\nimport numpy as np\n\ndef helper():\n    return 1\n\ndef relu(x):\n    return x\n'
    both = notebooks.implementations_in(source)
    assert set(both) == {"helper", "relu"} and both["relu"].startswith("import numpy as np\n\n\ndef relu")
    (only,) = notebooks.implementations_in(source, answers={"relu"}).values()
    assert only == "import numpy as np\n\n\ndef helper():\n    return 1\n\n\ndef relu(x):\n    return x"


def test_fill_rewrites_answer_cells_only_and_keeps_a_stub_without_an_implementation():
    release = new_notebook(cells=[new_markdown_cell("def relu(x): text"), new_code_cell("def relu(x):\n    pass"),
                                  answer_cell("def relu(x):\n    pass\n\n\ndef sigmoid(x):\n    pass")])
    filled = notebooks.fill(release, {"relu": "def relu(x):\n    return x"})
    assert filled.cells[2].source == "def relu(x):\n    return x\n\n\ndef sigmoid(x):\n    pass"
    assert filled.cells[:2] == release.cells[:2] and release.cells[2].source.endswith("pass")  # the release untouched


def test_the_reference_code_is_the_source_notebooks_answers_without_the_markers():
    source = notebooks.read(notebooks.notebook_path("source", ASSIGNMENT))
    code = notebooks.reference_code(ASSIGNMENT)
    answers = "\n".join(c.source for c in source.cells if notebooks.is_answer_cell(c))
    assert code and all(f"def {name}(" in answers for name in code)
    assert not any(marker in text for text in code.values() for marker in notebooks.MARKERS)


def test_total_points_sum_the_graded_cells_of_the_source_notebook(tmp_path):
    cells = [new_code_cell(""), new_code_cell(""), new_code_cell("")]
    for cell, grade, points in zip(cells, (True, True, False), (2, 3, 7), strict=True):
        cell.metadata["nbgrader"] = {"grade": grade, "points": points}
    (tmp_path / "source" / "a").mkdir(parents=True)
    nbformat.write(new_notebook(cells=cells), str(notebooks.notebook_path("source", "a", tmp_path)))
    assert notebooks.total_points("a", tmp_path) == 5
