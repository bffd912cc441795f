"""Shared fixtures: throwaway copies of the course, so tests never touch the real gradebook."""
import shutil
from pathlib import Path

import pytest

from nnkit.mnist import COURSE_ROOT

SHARED = ("nnkit", "solutions", "data", "source", "tests")


def make_course(root: Path) -> Path:
    """A course folder that shares the kit's code and sources (links) but has its own state."""
    root.mkdir(parents=True, exist_ok=True)
    for name in SHARED:
        (root / name).symlink_to(COURSE_ROOT / name)
    shutil.copy(COURSE_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    return root


@pytest.fixture
def course(tmp_path) -> Path:
    return make_course(tmp_path / "course")
