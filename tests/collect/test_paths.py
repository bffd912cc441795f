"""Where a course keeps each submission's files: nbgrader's directory_structure, and reading the
course's settings leaves no trace."""
import os
import sys

from nnkit.collect import paths
from nnkit.gradebook import states
from nnkit.gradebook.scratch import scratch_course
from nnkit.gradebook.states import State

ASSIGNMENT = "activations"


# --- each fact once --------------------------------------------------------------------------

def test_submission_paths_follow_the_courses_nbgrader_directory_structure(tmp_path):
    """Every path to a submission is nbgrader's format_path: a course that configures another
    directory structure is followed by the states, not only by nbgrader."""
    root = scratch_course(tmp_path / "course")
    with open(root / "nbgrader_config.py", "a") as f:
        f.write("\nc.CourseDirectory.directory_structure = '{nbgrader_step}/{assignment_id}-by-{student_id}'\n")
    assert paths.submitted(root, "ann", ASSIGNMENT) == root / "submitted" / f"{ASSIGNMENT}-by-ann"
    assert (
        paths.graded_notebook(root, "ann", ASSIGNMENT)
        == root / "autograded" / f"{ASSIGNMENT}-by-ann" / f"{ASSIGNMENT}.ipynb"
    )
    assert states.state_of(root, "ann", ASSIGNMENT) == (State.MISSING, [])
    folder = paths.submitted(root, "ann", ASSIGNMENT)
    folder.mkdir(parents=True)
    assert states.state_of(root, "ann", ASSIGNMENT) == (State.UNGRADED, [])

# --- reading a course's settings leaves no trace in the process (found by a full run: a later batch
# imported the sitecustomize.py a --no-sandbox control run had let a student write into its course)

def test_reading_a_courses_settings_changes_neither_the_environment_nor_the_import_path(tmp_path, monkeypatch):
    (tmp_path / paths.CONFIG_FILE).write_text(
        "import os, sys\nsys.path.insert(0, 'planted')\nos.environ['PYTHONPATH'] = 'planted'\n"
        "c = get_config()\nc.CourseDirectory.autograded_directory = 'graded'\n")
    monkeypatch.setenv("PYTHONPATH", "mine")
    before = list(sys.path)
    assert paths.course_settings(tmp_path).CourseDirectory.autograded_directory == "graded"
    assert os.environ["PYTHONPATH"] == "mine" and sys.path == before
