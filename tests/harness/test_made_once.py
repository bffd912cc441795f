"""tests/conftest.py's made_once: what several test processes share (the graded demo class) is made
by the first that asks, read by the others, and made again from nothing if its maker failed."""
import pytest

from conftest import MADE, made_once


class Factory:
    """pytest's tmp_path_factory as a test process sees it: its own base folder."""

    def __init__(self, base):
        self.base = base
        base.mkdir(parents=True, exist_ok=True)

    def getbasetemp(self):
        return self.base


def test_the_first_process_makes_it_and_the_others_read_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    first, second = Factory(tmp_path / "popen-gw0"), Factory(tmp_path / "popen-gw1")
    with made_once(first, "thing") as (folder, made):
        assert not made and folder == tmp_path / "thing" and list(folder.iterdir()) == []
        (folder / "result").write_text("graded")
        (folder / MADE).touch()
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    with made_once(second, "thing") as (folder, made):
        assert made and (folder / "result").read_text() == "graded"


def test_what_a_failed_maker_left_is_made_again_from_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    with pytest.raises(RuntimeError):
        with made_once(Factory(tmp_path / "popen-gw0"), "thing") as (folder, made):
            (folder / "half").write_text("")
            raise RuntimeError("the batch failed")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    with made_once(Factory(tmp_path / "popen-gw1"), "thing") as (folder, made):
        assert not made and list(folder.iterdir()) == []


def test_one_process_alone_keeps_it_in_its_own_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    with made_once(Factory(tmp_path / "pytest-1"), "thing") as (folder, _):
        assert folder == tmp_path / "pytest-1" / "thing"  # never the parent, which other runs share


def test_a_pytest_started_by_a_test_process_keeps_to_its_own_folder(tmp_path, monkeypatch):
    """It inherits the worker's variable but not its base: the parent of its base is shared by
    every run on the machine, so what it found there could be an earlier run's."""
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    with made_once(Factory(tmp_path / "pytest-7"), "thing") as (folder, _):
        assert folder == tmp_path / "pytest-7" / "thing"
