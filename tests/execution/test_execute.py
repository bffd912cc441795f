"""ResilientExecute, each path doing what its docstring says: a kernel that fails to start is
replaced (only then); a cell cut off at the time limit is an event the grader saw; a kernel that
dies, and one that dies again while the clean cells are replayed, cost only their cells; the
student-only cells are not run; output beyond the caps is dropped on arrival."""
import nbformat
import pytest
from nbclient import NotebookClient

from nnkit.execution import execute
from nnkit.execution.execute import KernelNotStarted, ResilientExecute
from nnkit.judging.judge import judge
from nnkit.judging.review import events_of
from nnkit.kernel import limits
from nnkit.kernel import schema as records


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
    # a short limit only for the cell that must reach it; a wide one for the cell that must not
    executed, events = run(notebook("import time\ntime.sleep(3600)", "print('next')"),
                           timeout_func=lambda cell: 2 if "sleep" in cell.source else 120)
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


def stored_size(cell) -> int:
    """The cell's outputs as nbformat writes them."""
    return len(nbformat.writes(nbformat.v4.new_notebook(cells=[cell])))


def test_a_display_update_is_charged_once_per_output_it_updates():
    """30 outputs share one display id; one 4 MiB update would store 30 copies (120 MiB)."""
    executed, events = run(notebook(
        "from IPython.display import display, update_display\n"
        "for _ in range(30):\n    display({'text/plain': 'x'}, raw=True, display_id='same')\n"
        "update_display({'text/plain': 'x' * 4 * 2**20}, raw=True, display_id='same')", "print('next')"))
    assert stored_size(executed.cells[0]) < 2 * limits.OUTPUT_BYTES_PER_CELL
    assert "dropped" in texts(executed.cells[0]) and [e.kind for e in events] == ["output"]
    assert texts(executed.cells[1]) == "next\n"


def test_a_small_display_update_is_applied():
    executed, events = run(
        notebook(
            "from IPython.display import display, update_display\n"
            "display({'text/plain': 'old'}, raw=True, display_id='d')\n"
            "update_display({'text/plain': 'new'}, raw=True, display_id='d')"
        )
    )
    assert [o.data["text/plain"] for o in executed.cells[0].outputs] == ["new"] and events == []


def test_empty_outputs_count():
    executed, events = run(notebook(
        f"from IPython.display import publish_display_data\nfor _ in range({limits.OUTPUTS_PER_CELL + 500}):\n"
        "    publish_display_data({})"))
    assert len(executed.cells[0].outputs) <= limits.OUTPUTS_PER_CELL + 1 and [e.kind for e in events] == ["output"]


def test_a_cleared_output_frees_its_budget():
    """An honest progress display: clear_output(wait=True) then a new output, many times over."""
    executed, events = run(notebook(
        "from IPython.display import clear_output\n"
        f"for i in range(100):\n    clear_output(wait=True)\n    print(i, 'x' * {limits.OUTPUT_BYTES_PER_CELL // 50})"))
    assert texts(executed.cells[0]).startswith("99 ") and events == []


def test_widget_state_is_not_stored():
    executed, _ = run(notebook(
        "import comm\nw = comm.create_comm(target_name='jupyter.widget', data={'state': {'_model_name': 'M', "
        "'_model_module': 'm', '_model_module_version': '1', 'big': 'x' * 2**20}, 'buffer_paths': []})\n"
        "w.send({'method': 'update', 'state': {'more': 'y' * 2**20}, 'buffer_paths': []})", "print('next')"))
    assert "widgets" not in executed.metadata and texts(executed.cells[1]) == "next\n"


def test_an_output_widget_does_not_capture_output_past_the_caps():
    """nbclient mimics the Output widget: outputs captured by it went to the widget state, uncapped."""
    executed, _ = run(notebook(
        "import comm\nfrom IPython import get_ipython\n"
        "w = comm.create_comm(target_name='jupyter.widget', data={'state': {'_model_name': 'OutputModel', "
        "'_model_module': '@jupyter-widgets/output', '_model_module_version': '1.0.0', "
        "'msg_id': get_ipython().kernel.get_parent()['header']['msg_id']}, 'buffer_paths': []})\n"
        f"for _ in range(3):\n    print('x' * {limits.OUTPUT_BYTES_PER_CELL})"))
    assert "widgets" not in executed.metadata and "dropped" in texts(executed.cells[0])
    assert stored_size(executed.cells[0]) < 2 * limits.OUTPUT_BYTES_PER_CELL


RECORD = "{'application/vnd.nnkit.record+json': {'case': %s}}"


def test_records_outside_a_hidden_test_cell_are_the_students_output():
    executed, _ = run(notebook("from IPython.display import publish_display_data\n"
                               f"publish_display_data({RECORD % repr('sigmoid_mnist')})"))
    assert [o.get("data") for o in executed.cells[0].outputs] == [{}]


def hidden_test(source: str, case: str = "sigmoid_mnist"):
    nb = notebook(f"if False:\n    record({case!r}, sigmoid)\n" + source)
    nb.cells[0].metadata["nbgrader"] = {"grade": True, "locked": True, "solution": False, "points": 1,
                                        "grade_id": "test", "schema_version": 3}
    return nb


def test_a_hidden_test_cell_keeps_records_of_its_declared_cases_only():
    """Fake records with a 4 MiB case name: not the cell's case, so not records (they were stubs
    that kept the name, counted as 100 bytes); one of the declared case is kept, a second marks it."""
    executed, _ = run(hidden_test(
        "from IPython.display import publish_display_data\n"
        "for _ in range(8):\n    publish_display_data(" + RECORD % "'x' * 4 * 2**20" + ")\n"
        f"for _ in range(3):\n    publish_display_data({RECORD % repr('sigmoid_mnist')})"))
    kept = [o.data[records.MIME] for o in executed.cells[0].outputs if records.MIME in o.get("data", {})]
    assert kept == [{"case": "sigmoid_mnist"}, {"case": "sigmoid_mnist", "repeated": True}]
    assert stored_size(executed.cells[0]) < 100_000


def test_a_record_over_its_limit_becomes_a_stub_that_says_its_size():
    executed, _ = run(hidden_test(
        "from IPython.display import publish_display_data\n"
        "publish_display_data({'application/vnd.nnkit.record+json': "
        f"{{'case': 'sigmoid_mnist', 'pad': 'x' * {limits.RECORD_BYTES}}}}})"))
    (record,) = [o.data[records.MIME] for o in executed.cells[0].outputs if records.MIME in o.get("data", {})]
    assert record["case"] == "sigmoid_mnist" and record["oversized"] > limits.RECORD_BYTES


# --- nothing a kernel sends makes the graded notebook unwritable ----------------------------------

SEND = ("k = get_ipython().kernel\n"
        "k.session.send(k.iopub_socket, {kind!r}, {content}, parent=k.get_parent())\n")


def test_an_output_nbformats_schema_rejects_is_dropped_with_a_note_and_the_notebook_stays_valid():
    """One line of a student's made the submission 'not gradable, not the student's doing': nbformat's
    validator refused the output (a display, a display update, a message missing a field)."""
    executed, events = run(
        notebook(
            "from IPython.display import publish_display_data\npublish_display_data({'text/plain': 5})\nprint('kept')",
            "from IPython.display import display, update_display\n"
            "display({'text/plain': 'old'}, raw=True, display_id='d')\n"
            "update_display({'text/plain': 5}, raw=True, display_id='d')",
            SEND.format(kind="display_data", content="{'data': {}}"),
            SEND.format(kind="error", content="{'ename': 5, 'evalue': '', 'traceback': []}"),
            "print('next')",
        )
    )
    nbformat.validate(executed)
    assert "kept\n" in texts(executed.cells[0]) and [o.data["text/plain"] for o in executed.cells[1].outputs
                                                      if o.output_type == "display_data"] == ["old"]
    for cell in executed.cells[:4]:
        assert "not a valid notebook output" in texts(cell), cell.outputs
    assert any(o.output_type == "error" for o in executed.cells[3].outputs)
    assert [(e.kind, e.cell) for e in events] == [("output", f"cell {i}") for i in (1, 2, 3, 4)]
    assert texts(executed.cells[4]) == "next\n"


def test_the_execution_count_is_the_kits_whatever_the_kernel_says():
    """A kernel's own execute_input sets the cell's count (nbclient copies it): a megabyte string
    that then kills the kernel, or a negative count in a cell that ends normally."""
    bogus = SEND.format(kind="execute_input", content="{'code': '', 'execution_count': %s}")
    executed, events = run(notebook(bogus % "'x' * 2**20" + "import os\nos._exit(1)", bogus % "-5", "print('next')"))
    nbformat.validate(executed)
    assert [c.execution_count for c in executed.cells] == [1, 2, 3] and texts(executed.cells[2]) == "next\n"
    assert [e.kind for e in events] == ["kernel_died"]


def test_the_records_of_a_notebook_share_one_budget():
    """Each record fits RECORD_BYTES, but together they are past RECORDS_BYTES_PER_NOTEBOOK: the one
    that does not fit becomes a stub that says so (10 cases of 8 MiB each were kept before)."""
    pad = 3 * limits.RECORDS_BYTES_PER_NOTEBOOK // 5
    assert pad < limits.RECORD_BYTES
    nb = hidden_test("if False:\n    record('relu_mnist', relu)\nfrom IPython.display import publish_display_data\n"
                     "for case in ('sigmoid_mnist', 'relu_mnist'):\n"
                     f"    publish_display_data({{{records.MIME!r}: {{'case': case, 'pad': 'x' * {pad}}}}})")
    executed, _ = run(nb)
    kept = [o.data[records.MIME] for o in executed.cells[0].outputs if records.MIME in o.get("data", {})]
    assert [r["case"] for r in kept] == ["sigmoid_mnist", "relu_mnist"] and len(kept[0]["pad"]) == pad
    assert kept[1]["oversized"] > pad and kept[1]["left"] == limits.RECORDS_BYTES_PER_NOTEBOOK - execute.stored_bytes(
        kept[0], limits.RECORD_BYTES)
    message = judge(kept[1]).message
    assert f"{limits.RECORDS_BYTES_PER_NOTEBOOK // 2**20} MiB together" in message and not judge(kept[1]).passed


def test_the_records_budget_has_a_wide_margin_over_the_largest_honest_notebook():
    """Every case's honest record, measured as the grader stores it: each assignment's together stay
    under a tenth of RECORDS_BYTES_PER_NOTEBOOK."""
    import importlib

    from nnkit.execution.execute import stored_bytes
    from nnkit.kernel import limits
    from nnkit.kernel.course_cases import CASES
    from nnkit.kernel.record import run_case

    together = {}
    for name, case in CASES.items():
        key = importlib.import_module(f"assignments.{case.assignment}.key.solution")
        record = run_case(name, *[getattr(key, function) for function in case.functions])
        together[case.assignment] = together.get(case.assignment, 0) + stored_bytes(record, limits.RECORD_BYTES)
    assert len(together) >= 3 and max(together.values()) < limits.RECORDS_BYTES_PER_NOTEBOOK / 10, together
