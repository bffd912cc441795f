"""Shared fixtures: throwaway copies of the course, so tests never touch the real gradebook; a
failure marker for fixtures that keep evidence."""
from pathlib import Path

import pytest

from nnkit.scratch import scratch_course


@pytest.fixture
def course(tmp_path) -> Path:
    return scratch_course(tmp_path / "course")


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Mark a test that failed, for fixtures that keep evidence of it (the browser's screenshot)."""
    outcome = yield
    if outcome.get_result().when == "call" and outcome.get_result().failed:
        item.failed = True
