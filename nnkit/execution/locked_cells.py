"""OverwriteCells without nbgrader's false alarm on hidden tests (jupyter/nbgrader#1961).

nbgrader stores a locked cell's checksum in the gradebook before `ClearHiddenTests` runs, and the
released cell carries its hidden tests cleared; when autograde restores the cell, the two
checksums differ, so every hidden-test cell of every submission logs "Attribute 'checksum' for
cell ... has changed!", dozens per run, for cells nobody touched. Registered in
`Autograde.sanitize_preprocessors` (nbgrader_config.py) in place of nbgrader's, this one compares a
locked cell with what was released (the gradebook's source with its hidden tests cleared): a cell
as released is restored without a word; one the student did change is reported as before. The
restoration itself is nbgrader's, unchanged.
"""
import copy

from nbformat.notebooknode import NotebookNode
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import ClearHiddenTests
from nbgrader.preprocessors import OverwriteCells as NbgraderOverwriteCells


class OverwriteCells(NbgraderOverwriteCells):
    def preprocess_cell(self, cell, resources, cell_index):
        self.as_released = False
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None:
            try:
                source = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except MissingEntry:
                source = None
            if source is not None and source.locked:
                released = NotebookNode(
                    cell_type=source.cell_type, source=source.source, metadata=copy.deepcopy(cell.metadata)
                )
                ClearHiddenTests(parent=self.parent)._remove_hidden_test_region(released)
                self.as_released = cell.source == released.source
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name, attr, old, new):
        if attr == "checksum" and self.as_released:
            return
        super().report_change(name, attr, old, new)
