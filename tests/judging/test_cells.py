"""Which cells are hidden tests (nnkit.judging.cells): a graded code cell calling record() for a case
of the course, its cases in order; nothing else, whatever its text."""
from nbformat.v4 import new_code_cell, new_markdown_cell

from nnkit.judging.cells import hidden_test_cases, recorded_cases
from nnkit.kernel.course_cases import CASES

FIRST, SECOND = sorted(CASES)[:2]


def graded(cell):
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "test_x", "points": 1, "locked": True, "solution": False}
    return cell


def test_the_cases_a_cell_records_in_order_by_name_or_attribute():
    source = f"record('{SECOND}', f)\nif True:\n    nnkit.record('{FIRST}', g)\n"
    assert recorded_cases(source) == [SECOND, FIRST]


def test_an_unknown_case_a_computed_name_or_broken_code_records_nothing():
    assert recorded_cases("record('no_such_case', f)") == []
    assert recorded_cases(f"name = '{FIRST}'\nrecord(name, f)") == []
    assert recorded_cases(f"record('{FIRST}', f") == []  # a syntax error
    assert recorded_cases(f"print('{FIRST}')") == []


def test_only_a_graded_code_cell_is_a_hidden_test():
    source = f"record('{FIRST}', f)"
    assert hidden_test_cases(graded(new_code_cell(source))) == [FIRST]
    assert hidden_test_cases(new_code_cell(source)) == []  # a student's own cell
    assert hidden_test_cases(graded(new_markdown_cell(source))) == []
