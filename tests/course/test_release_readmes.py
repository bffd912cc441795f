"""Each release folder's README.md (what its student does: install, open, validate, submit) is what
scripts/make_release_readmes.py writes from the assignment's facts, in source/ and in release/.
tests/course/test_install.py runs activations' install and validate commands as written."""
import pytest

from nnkit.collect.notebooks import total_points
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ID, COURSE_ROOT
from scripts.make_release_readmes import readme


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_release_folder_has_its_students_readme(assignment):
    for folder in ("source", "release"):
        path = COURSE_ROOT / folder / assignment / "README.md"
        assert path.is_file() and path.read_text() == readme(assignment), \
            f"{path.relative_to(COURSE_ROOT)} is stale: python -m scripts.make_release_readmes"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_readme_names_its_own_notebook_points_and_course(assignment):
    text = readme(assignment)
    for step in ("Install", "Open", "Validate", "Submit"):
        assert f". {step}\n" in text
    assert f"nbgrader validate {assignment}.ipynb" in text and f"jupyter lab {assignment}.ipynb" in text
    assert f"nbgrader submit {assignment} --course {COURSE_ID}" in text
    assert f"worth **{total_points(assignment):g} points**" in text
    assert ("download.pytorch.org" in (COURSE_ROOT / "release" / assignment / "requirements.txt").read_text()) == \
        ("CPU-only" in text)
    assert ("`data/`" in text) == (COURSE_ROOT / "release" / assignment / "data").is_dir()
