"""The points rule: which grade cells count in a score, and an assignment's cells that do."""


def carries_points(points: float) -> bool:
    """Whether a grade cell worth `points` (its max_score in the gradebook, its nbgrader metadata's
    points in a notebook) counts in the score: the 0-point checks (an answer's shape, its dtype) are
    left out of every column, table, rate and benchmark. The one place that says so."""
    return points > 0


def points_of(gradebook, assignment: str) -> dict[str, float]:
    """{hidden-test cell: its points} of an assignment, in notebook order, the cells that carry points only."""
    return {cell.name: cell.max_score for notebook in gradebook.find_assignment(assignment).notebooks
            for cell in notebook.grade_cells if carries_points(cell.max_score)}
