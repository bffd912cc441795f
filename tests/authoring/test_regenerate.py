"""nnkit/authoring/regenerate.py: the list of what changed, the demo class's gradebook entries
cleared and no other, the notebook's derived lines."""
import re
import shutil

import nbformat

from nnkit.kernel.config import COURSE_ROOT


def test_regenerate_lists_every_file_that_changed_and_only_those():
    from nnkit.authoring.regenerate import changes

    before = {"a": "1", "b": "2", "gone": "3"}
    assert changes(before, {"a": "1", "b": "9", "new": "4"}) == ["changed b", "new     new", "removed gone"]
    assert changes(before, before) == []


def test_regenerate_clears_only_the_demo_class_s_entries(tmp_path, nbgrader_path):
    """With a demo student's submission in the gradebook, it is removed; with a real student's, nothing
    is removed and the student is named."""
    from nnkit.authoring.regenerate import clear_demo_entries
    from nnkit.gradebook.db import OWN_GRADEBOOK_MARKER, open_gradebook

    (tmp_path / OWN_GRADEBOOK_MARKER).touch()
    assert clear_demo_entries("activations", tmp_path) == ([], [])
    with open_gradebook(tmp_path) as gradebook:
        gradebook.add_assignment("activations")
        for student in ("seed", "correct"):
            gradebook.add_student(student)
            gradebook.add_submission("activations", student)
    (tmp_path / "autograded" / "seed" / "activations").mkdir(parents=True)
    assert clear_demo_entries("activations", tmp_path) == (["correct", "seed"], [])
    assert not (tmp_path / "autograded" / "seed" / "activations").exists()
    with open_gradebook(tmp_path) as gradebook:
        assert gradebook.find_assignment("activations").submissions == []
        gradebook.add_student("alice")
        gradebook.add_submission("activations", "alice")
        gradebook.add_submission("activations", "seed")
    assert clear_demo_entries("activations", tmp_path) == ([], ["alice"])
    with open_gradebook(tmp_path) as gradebook:
        assert len(gradebook.find_assignment("activations").submissions) == 2


def test_the_derived_lines_of_a_notebook_are_written_from_its_cells_and_cases(tmp_path, monkeypatch):
    """A stale total in the intro and a hidden test without its description are rewritten; then nothing changes."""
    import nnkit.collect.notebooks as notebooks
    from nnkit.authoring import regenerate

    shutil.copytree(COURSE_ROOT / "source" / "activations", tmp_path / "source" / "activations")
    path = notebooks.notebook_path("source", "activations", tmp_path)
    committed = path.read_text()
    notebook = notebooks.read(path)
    notebook.cells[0].source = re.sub(r"\*\*Total: \d+ points\*\*", "**Total: 99 points**", notebook.cells[0].source)
    hidden = next(c for c in notebook.cells if c.source.startswith("# Hidden test"))
    hidden.source = re.sub(r"^(# Hidden test \([^)]*\)):.*", r"\1", hidden.source, count=1, flags=re.M)
    nbformat.write(notebook, str(path))
    real = notebooks.notebook_path
    monkeypatch.setattr(notebooks, "notebook_path",
                        lambda folder, assignment, root=tmp_path: real(folder, assignment, root))
    assert regenerate.write_derived_lines("activations") is True
    assert nbformat.writes(notebooks.read(path)) == nbformat.writes(nbformat.reads(committed, as_version=4))
    assert regenerate.write_derived_lines("activations") is False
