"""Shared fixtures: throwaway copies of the course, so tests never touch the real gradebook."""
from pathlib import Path

import pytest

from nnkit.course import scratch_course


@pytest.fixture
def course(tmp_path) -> Path:
    return scratch_course(tmp_path / "course")
