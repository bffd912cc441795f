"""ResilientExecute replaces a kernel that fails to start: with several grading processes starting
kernels at once, one may lose a race for a TCP port and die before it runs anything."""
import nbformat
import pytest

from nnkit import execute
from nnkit.execute import ResilientExecute


def notebook():
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])


def failing_starts(monkeypatch, failures: int, message: str) -> list:
    """Make the first `failures` kernel starts fail as nbclient reports it, after cleaning up the
    dead kernel as nbclient does."""
    started = []
    original = ResilientExecute.start_new_kernel_client

    def start_new_kernel_client(self):
        started.append(len(started) + 1)
        if len(started) <= failures:
            self._cleanup_kernel()
            raise RuntimeError(message)
        return original(self)

    monkeypatch.setattr(ResilientExecute, "start_new_kernel_client", start_new_kernel_client)
    return started


def test_a_kernel_that_dies_before_replying_is_replaced(monkeypatch):
    started = failing_starts(monkeypatch, 2, "Kernel died before replying to kernel_info")
    executed, _ = ResilientExecute(kernel_name="python3").preprocess(notebook(), {})
    assert executed.cells[0].outputs[0].text == "42\n"
    assert started == [1, 2, 3]


def test_it_gives_up_after_the_last_attempt(monkeypatch):
    started = failing_starts(monkeypatch, execute.KERNEL_START_ATTEMPTS, "Kernel died before replying to kernel_info")
    with pytest.raises(RuntimeError, match="kernel_info"):
        ResilientExecute(kernel_name="python3").preprocess(notebook(), {})
    assert len(started) == execute.KERNEL_START_ATTEMPTS


def test_other_errors_are_not_retried(monkeypatch):
    started = failing_starts(monkeypatch, 1, "something else")
    with pytest.raises(RuntimeError, match="something else"):
        ResilientExecute(kernel_name="python3").preprocess(notebook(), {})
    assert started == [1]
