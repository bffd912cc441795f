"""ResilientExecute, each path doing what its docstring says: a kernel that fails to start is
replaced (only then); a cell cut off at the time limit is an event the grader saw; a kernel that
dies, and one that dies again while the clean cells are replayed, cost only their cells; the
student-only cells are not run; output beyond the caps is dropped on arrival."""
import nbformat
import pytest
from nbclient import NotebookClient

from nnkit import execute, limits
from nnkit.execute import KernelNotStarted, ResilientExecute
from nnkit.states import events_of


def notebook(*sources, student_only=()):
    cells = [nbformat.v4.new_code_cell(source) for source in sources]
    for index in student_only:
        cells[index].metadata["nbgrader"] = {"grade": False, "locked": True, "solution": False,
                                             "grade_id": f"{execute.STUDENT_ONLY}plot", "schema_version": 3}
    return nbformat.v4.new_notebook(cells=cells)


def run(nb, **traits):
    resources = {}
    executed, _ = ResilientExecute(kernel_name="python3", **traits).preprocess(nb, resources)
    return executed, events_of(resources)


def texts(cell) -> str:
    return "".join(o.get("text", "") or f"{o.get('ename')}: {o.get('evalue')}" for o in cell.outputs)


def failing_starts(monkeypatch, failures: int, message: str) -> list:
    """The first `failures` kernel starts fail as nbclient reports a kernel that never answered."""
    started = []
    original = NotebookClient.async_start_new_kernel_client

    async def start(self):
        started.append(len(started) + 1)
        if len(started) <= failures:
            await self._async_cleanup_kernel()
            raise RuntimeError(message)
        return await original(self)

    monkeypatch.setattr(NotebookClient, "async_start_new_kernel_client", start)
    return started


def test_a_kernel_that_dies_before_replying_is_replaced(monkeypatch):
    started = failing_starts(monkeypatch, 2, "Kernel died before replying to kernel_info")
    executed, _ = run(notebook("print(6 * 7)"))
    assert executed.cells[0].outputs[0].text == "42\n"
    assert started == [1, 2, 3]


def test_it_gives_up_after_the_last_attempt_with_an_error_of_its_own(monkeypatch):
    started = failing_starts(monkeypatch, execute.KERNEL_START_ATTEMPTS, "Kernel died before replying to kernel_info")
    with pytest.raises(KernelNotStarted):
        run(notebook("print(1)"))
    assert len(started) == execute.KERNEL_START_ATTEMPTS


def test_a_restart_that_fails_after_cells_ran_is_not_a_start_failure(monkeypatch):
    """The kernel dies in cell 2 and cannot be restarted: the notebook is still executed (cell 3
    says why it did not run), nothing is replayed from the start, no new kernel is started."""
    started = failing_starts(monkeypatch, 0, "")

    async def restart_fails(self, now=False, **kw):
        raise RuntimeError("Kernel didn't respond in 60 seconds")

    monkeypatch.setattr("jupyter_client.manager.AsyncKernelManager.restart_kernel", restart_fails)
    executed, events = run(notebook("print('first')", "import os; os._exit(1)", "print('third')"), sandbox=False)
    assert texts(executed.cells[0]) == "first\n" and "could not be restarted" in texts(executed.cells[2])
    assert started == [1] and [e.kind for e in events] == ["no_sandbox", "kernel_died"]


def test_a_kernel_that_dies_again_during_the_replay_still_lets_the_notebook_finish(tmp_path):
    marker = tmp_path / "ran"
    executed, events = run(notebook(
        f"import os\nif os.path.exists({str(marker)!r}): os._exit(1)\nopen({str(marker)!r}, 'w').close()",
        "os._exit(0)", "print('after')"), sandbox=False)
    assert texts(executed.cells[2]) == "after\n"
    assert "died" in texts(executed.cells[1])
    assert [e.kind for e in events] == ["no_sandbox", "kernel_died", "kernel_died"]
    assert "replaying this cell" in events[2].detail


def test_a_cell_cut_off_at_the_time_limit_is_an_event_and_the_rest_runs():
    executed, events = run(notebook("import time\ntime.sleep(30)", "print('next')"), timeout=2)
    assert [(e.kind, e.cell) for e in events] == [("timeout", "cell 1")] and "time limit" in events[0].detail
    assert texts(executed.cells[1]) == "next\n"


def test_a_keyboard_interrupt_raised_by_the_code_itself_is_not_a_timeout():
    executed, events = run(notebook("raise KeyboardInterrupt"), timeout=10)
    assert events == [] and "KeyboardInterrupt" in texts(executed.cells[0])


def test_student_only_cells_are_not_run():
    executed, _ = run(notebook("import torchvision", "print('graded')", student_only=[0]))
    assert "not run when grading" in texts(executed.cells[0]) and texts(executed.cells[1]) == "graded\n"


def test_output_beyond_the_cap_is_dropped_on_arrival_with_a_note():
    megabytes = 3 * limits.OUTPUT_BYTES_PER_CELL // 2**20
    executed, events = run(notebook(f"for _ in range({megabytes}):\n    print('x' * 2**20)", "print('small')"))
    kept = sum(len(o.get("text", "")) for o in executed.cells[0].outputs)
    assert kept <= limits.OUTPUT_BYTES_PER_CELL + 1000 and "dropped" in texts(executed.cells[0])
    assert texts(executed.cells[1]) == "small\n" and [e.kind for e in events] == ["output"]
