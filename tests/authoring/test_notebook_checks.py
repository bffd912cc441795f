"""nnkit/authoring/notebook_checks.py: `check` names the line where an answer cell differs."""


def test_check_names_the_line_where_an_answer_cell_differs_from_the_key(monkeypatch):
    import nnkit.collect.notebooks
    from nnkit.authoring.notebook_checks import answer_problems

    real = nnkit.collect.notebooks.reference_code("activations")
    changed = dict(real, relu=real["relu"].replace("Inputs", "Input", 1))
    monkeypatch.setattr(nnkit.collect.notebooks, "reference_code", lambda assignment: changed)
    (problem,) = answer_problems("activations")
    assert "the answer cell of relu, line" in problem and "assignments/activations/key/solution.py:" in problem
    assert "notebook: " in problem and "Input" in problem
