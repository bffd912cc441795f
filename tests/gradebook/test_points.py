"""The points rule (nnkit.gradebook.points): a grade cell counts when it carries points; an assignment's
cells that do, in notebook order. That every view follows it: tests/architecture/test_one_place.py."""
from types import SimpleNamespace

from nnkit.gradebook.points import carries_points, points_of


def test_a_cell_counts_when_it_carries_points():
    assert [carries_points(p) for p in (0, 0.0, 0.5, 3)] == [False, False, True, True]


def test_the_cells_with_points_of_every_notebook_in_order():
    def notebook(*cells):
        return SimpleNamespace(grade_cells=[SimpleNamespace(name=n, max_score=p) for n, p in cells])

    assignment = SimpleNamespace(notebooks=[notebook(("test_b", 2), ("check_shape", 0)), notebook(("test_a", 1.5))])
    book = SimpleNamespace(find_assignment={"relu": assignment}.__getitem__)
    assert list(points_of(book, "relu").items()) == [("test_b", 2), ("test_a", 1.5)]
