"""Locked cells restored without nbgrader's false alarm (nnkit.execution.locked_cells): a hidden-test
cell as released is restored silently; a locked cell the student changed is restored and reported."""
import logging
from types import SimpleNamespace

from nbformat.v4 import new_code_cell
from nbgrader.utils import compute_checksum

from nnkit.execution.locked_cells import OverwriteCells

SOURCE = "assert relu(1.0) == 1.0\n### BEGIN HIDDEN TESTS\nrecord('relu_mnist', relu)\n### END HIDDEN TESTS"
RELEASED = "assert relu(1.0) == 1.0"


def restored(source: str, caplog) -> tuple[str, list[str]]:
    """The cell's source after the overwrite, and the warnings it logged."""
    meta = {"grade": True, "locked": True, "solution": False, "grade_id": "test_relu", "points": 1}
    original = new_code_cell(SOURCE, metadata={"nbgrader": dict(meta)})
    stored = SimpleNamespace(cell_type="code", locked=True, source=SOURCE, checksum=compute_checksum(original))
    overwrite = OverwriteCells()
    overwrite.log = logging.getLogger("test_locked_cells")
    overwrite.notebook_id, overwrite.assignment_id = "activations", "activations"
    overwrite.gradebook = SimpleNamespace(find_source_cell=lambda *a: stored,
                                          find_graded_cell=lambda *a: SimpleNamespace(max_score=1))
    cell = new_code_cell(source, metadata={"nbgrader": dict(meta)})
    with caplog.at_level(logging.WARNING, "test_locked_cells"):
        overwrite.preprocess_cell(cell, {}, 0)
    return cell.source, [r.getMessage() for r in caplog.records]


def test_a_hidden_test_cell_as_released_is_restored_without_a_word(caplog):
    assert restored(RELEASED, caplog) == (SOURCE, [])


def test_a_locked_cell_the_student_changed_is_restored_and_reported(caplog):
    source, said = restored("assert True", caplog)
    assert source == SOURCE and len(said) == 1 and "Attribute 'checksum' for cell test_relu has changed" in said[0]
