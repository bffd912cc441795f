"""A throwaway course (nnkit.gradebook.scratch): the kit's code and sources shared by link (or copied),
its own config and gradebook, nothing of the real course's state."""
from nnkit.gradebook.db import OWN_GRADEBOOK_MARKER
from nnkit.gradebook.scratch import scratch_course
from nnkit.kernel.config import COURSE_ROOT

SHARED = ("nnkit", "assignments", "data", "source", "course.toml")


def test_a_scratch_course_links_the_kit_and_has_its_own_gradebook_and_config(tmp_path):
    root = scratch_course(tmp_path / "course")
    assert all((root / name).resolve() == (COURSE_ROOT / name).resolve() for name in SHARED)
    assert (root / OWN_GRADEBOOK_MARKER).is_file() and not (root / "nbgrader_config.py").is_symlink()
    assert (root / "nbgrader_config.py").read_text() == (COURSE_ROOT / "nbgrader_config.py").read_text()
    assert not any((root / name).exists() for name in ("submitted", "autograded", "release", "gradebook.db"))


def test_a_copied_kit_is_its_own_and_a_shared_gradebook_has_no_marker(tmp_path):
    root = scratch_course(tmp_path / "course", own_gradebook=False, copy_kit=True)
    assert not any((root / name).is_symlink() for name in SHARED) and not (root / OWN_GRADEBOOK_MARKER).exists()
    assert (root / "course.toml").read_text() == (COURSE_ROOT / "course.toml").read_text()
    assert not list((root / "nnkit").rglob("__pycache__"))
