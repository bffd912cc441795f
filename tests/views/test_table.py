"""The grade table (nnkit.views.table): a row per student in order, a column per assignment, one
denominator for every row, and the legend of the marks shown (and of no other)."""
from nnkit.gradebook.states import LEGEND, MARKS, State, Submission
from nnkit.views.table import format_table


def test_a_row_per_student_with_the_same_denominator_and_the_legend_of_the_marks_shown():
    entries = [Submission("bob", "a", State.GRADED, 2, 3), Submission("ann", "a", State.REVIEW, 1.5, 3),
               Submission("ann", "b", State.NOT_GRADABLE, None, 4), Submission("bob", "b", State.MISSING, None, 4)]
    lines = format_table(entries, ("a", "b")).splitlines()
    review, not_gradable = f"1.5/3{MARKS[State.REVIEW]}", MARKS[State.NOT_GRADABLE]
    assert [line.split() for line in lines[:3]] == [["student", "a", "b", "total"],
                                                   ["ann", review, not_gradable, "1.5/7"], ["bob", "2/3", "-", "2/7"]]
    assert lines[3] == f"({MARKS[State.REVIEW]} {LEGEND[State.REVIEW]}, {MARKS[State.NOT_GRADABLE]} " \
                       f"{LEGEND[State.NOT_GRADABLE]}, {MARKS[State.MISSING]} {LEGEND[State.MISSING]})"


def test_columns_are_right_aligned_and_an_all_graded_table_has_no_legend():
    entries = [Submission("a-long-name", "relu", State.GRADED, 10, 10), Submission("b", "relu", State.GRADED, 2, 10)]
    table = format_table(entries, ("relu",))
    rows = [("student", "relu", "total"), ("a-long-name", "10/10", "10/10"), ("b", "2/10", "2/10")]
    assert table.splitlines() == [f"{name:<11}  {relu:>5}  {total:>5}" for name, relu, total in rows]


def test_an_assignment_a_student_has_no_entry_for_is_missing_and_counts_nothing():
    row = format_table([Submission("ann", "a", State.GRADED, 1, 1)], ("a", "b")).splitlines()[1]
    assert row.split() == ["ann", "1/1", "-", "1/1"]
