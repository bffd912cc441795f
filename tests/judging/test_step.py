"""The judging step: output dropped at the cap is a note on a hidden test, not its verdict."""


from nnkit.judging import review

ASSIGNMENT = "activations"


# --- output dropped at the cap is a note on a hidden test, not its verdict (issue 20 review) --------

def hidden_test_notebook():
    """A graded hidden-test cell whose honest record arrived (records bypass the output budget)."""
    import nbformat

    from assignments.activations.key import solution
    from nnkit.kernel.record import run_case
    from nnkit.kernel.schema import MIME

    cell = nbformat.v4.new_code_cell('record("sigmoid_mnist", sigmoid)')
    cell.metadata["nbgrader"] = {"grade": True, "locked": True, "solution": False, "points": 1,
                                 "grade_id": "test_sigmoid", "schema_version": 3}
    cell.outputs = [nbformat.v4.new_output("display_data", data={MIME: run_case("sigmoid_mnist", solution.sigmoid)})]
    return nbformat.v4.new_notebook(cells=[cell])


def test_output_dropped_at_the_cap_in_a_hidden_test_keeps_its_verdict_and_every_event_is_listed():
    from nnkit.judging.step import JudgeRecords

    dropped = review.Review(
        review.Kind.OUTPUT.value, "test_sigmoid", "the grader dropped this cell's output beyond 1 MiB"
    )
    nb, _ = JudgeRecords().preprocess(hidden_test_notebook(), {review.RESOURCES_KEY: [dropped]})
    (cell,) = nb.cells
    assert [o.output_type for o in cell.outputs] == ["stream", "stream"] and "dropped" in cell.outputs[1].text
    assert review.review_of(nb) == [dropped]
    timeout = review.Review(review.Kind.TIMEOUT.value, "test_sigmoid", "it did not finish within the time limit")
    nb, _ = JudgeRecords().preprocess(hidden_test_notebook(), {review.RESOURCES_KEY: [timeout, dropped]})
    assert "time limit" in nb.cells[0].outputs[0].evalue and "dropped" in nb.cells[0].outputs[1].text
    assert review.review_of(nb) == [timeout, dropped], "a second event on the same cell replaced the first"
