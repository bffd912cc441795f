"""Execute that survives what student code does to its kernel: the rest of the notebook is still graded.

A cell at the time limit is interrupted and recorded as cut off; a kernel that dies, or ignores the
interrupt, is restarted and the clean cells before it replayed; a notebook past its budget is
stopped; a kernel that never starts is replaced (KERNEL_START_ATTEMPTS). Each kernel starts in the
sandbox (nnkit.sandbox), the STUDENT_ONLY cells are not run, and what reaches the notebook stays
within one budget (nnkit.kernel.limits); a record is kept only in a hidden-test cell that declares
its case. Every event is written for review (nnkit.judging.review). Why and how: docs/grading.md
(When the kernel dies or a cell will not stop).
"""
import copy
import json
import math
import time

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbformat import ValidationError
from nbformat.notebooknode import from_dict
from nbformat.v4 import output_from_msg
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade
from traitlets import Bool, Integer

from nnkit.judging.cells import hidden_test_cases
from nnkit.judging.review import USAGE_KEY, Kind, Review, add_event
from nnkit.kernel import limits
from nnkit.kernel import schema as records

# A locked cell whose grade id starts so is for the student only (it loads data with torchvision,
# trains and plots): the grader does not run it. Never a graded cell.
STUDENT_ONLY = "student_only_"
MESSAGE_BYTES = 4 * limits.RECORD_BYTES  # a single message larger than this is dropped by ZMQ itself
LINE_BYTES = 8  # what one more line of text costs in the notebook file: its quotes, comma, newline, indent

KERNEL_START_ATTEMPTS = 3
# What nbformat's output_from_msg raises for a message that is not a valid output: its own validator,
# against the v4 schema's definition of the output type, rejects it (ValidationError), or a field
# the schema requires is missing or of the wrong shape (KeyError, TypeError).
INVALID = (ValidationError, KeyError, TypeError)


class KernelNotStarted(RuntimeError):
    """No kernel answered after KERNEL_START_ATTEMPTS starts: the grading machine's fault, never the student's."""


def cell_label(cell, index: int) -> str:
    """How the grader names a cell: its nbgrader grade id, or its position."""
    return cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index + 1}"


def error_output(name: str, reason: str):
    return from_dict({"output_type": "error", "ename": name, "evalue": reason, "traceback": [f"{name}: {reason}"]})


def text_length(value) -> int:
    """The characters of every string in a message's content: a lower bound of its stored size,
    found without copying anything."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(len(str(k)) + text_length(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return sum(text_length(v) for v in value)
    return 1


def stored_bytes(output, limit: int) -> int:
    """What an output adds to the notebook file as nbformat writes it: its JSON (escapes included,
    so a NUL counts six bytes), plus LINE_BYTES per line, since nbformat stores text as a list of
    lines. An empty output costs its JSON too: nothing reaches the notebook for free. Past `limit`
    (anything that large is refused) the lower bound is enough, and no copy is made."""
    rough = text_length(output)
    if rough > limit:
        return rough
    dumped = json.dumps(output)
    return len(dumped) + LINE_BYTES * dumped.count("\\n")


class Budget:
    """What a notebook's cells have kept so far, in bytes as stored and in outputs (nnkit.kernel.limits)."""

    def __init__(self):
        self.cells: dict[int, list[int]] = {}  # cell index: [bytes, outputs]
        self.bytes = self.outputs = 0
        self.records: dict[tuple[int, str], int] = {}  # (cell index, case): records seen
        self.record_bytes = 0  # of the records kept, all cells together (RECORDS_BYTES_PER_NOTEBOOK)
        self.capped: set[int] = set()
        self.rejected: set[int] = set()  # cells noted for an output nbformat's schema rejects

    def take(self, cell_index: int, size: int, count: int = 1) -> bool:
        """Charge an output to its cell and to the notebook, if it fits in both; else charge nothing."""
        cell = self.cells.setdefault(cell_index, [0, 0])
        if (
            cell[0] + size > limits.OUTPUT_BYTES_PER_CELL
            or cell[1] + count > limits.OUTPUTS_PER_CELL
            or self.bytes + size > limits.OUTPUT_BYTES_PER_NOTEBOOK
            or self.outputs + count > limits.OUTPUTS_PER_NOTEBOOK
        ):
            return False
        cell[0] += size
        cell[1] += count
        self.bytes += size
        self.outputs += count
        return True

    def clear(self, cell_index: int) -> None:
        """A cell's outputs were cleared (clear_output): what they held is no longer stored."""
        size, count = self.cells.pop(cell_index, [0, 0])
        self.bytes -= size
        self.outputs -= count


class CappedKernelClient(AsyncKernelClient):
    """A kernel client that refuses any single message over MESSAGE_BYTES (ZMQ drops it on arrival)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.context.setsockopt(zmq.MAXMSGSIZE, MESSAGE_BYTES)


def student_only(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return (cell.cell_type == "code" and meta.get("locked", False) and not is_grade(cell)
            and str(meta.get("grade_id", "")).startswith(STUDENT_ONLY))


class ResilientExecute(Execute):
    sandbox = Bool(True, help="Start each kernel in the sandbox of nnkit.sandbox.bwrap (off: --no-sandbox).").tag(
        config=True
    )
    run_student_only = Bool(
        False, help="Run the student-only cells too (make bench measures what skipping them saves)."
    ).tag(config=True)
    notebook_timeout = Integer(
        limits.NOTEBOOK_SECONDS,
        allow_none=True,
        help="Wall-clock budget of a whole notebook, in seconds (None: no budget).",
    ).tag(config=True)

    store_widget_state = Bool(False, help="Never: a kernel's widget state is not the grader's to keep.")

    def preprocess(self, nb, resources=None, km=None):
        self._replayable, self._broken, self._running, self._last = [], "", None, None
        self._events = resources if resources is not None else {}
        self._budget = Budget()
        self._deadline = time.monotonic() + self.notebook_timeout if self.notebook_timeout else None
        self._managers = []
        if not self.sandbox:
            add_event(self._events, Review(Kind.NO_SANDBOX, None, "graded without the sandbox (--no-sandbox)"))
        try:
            return super().preprocess(nb, resources, km=km)
        finally:
            usage = [m.usage for m in self._managers if getattr(m, "usage", None)]
            if usage:  # what the submission's cgroup measured, over every kernel it had
                self._events[USAGE_KEY] = {"peak_memory_bytes": max(u["peak_memory_bytes"] or 0 for u in usage),
                                           "memory_limit_bytes": usage[-1]["memory_limit_bytes"],
                                           "oom_kills": sum(u["oom_kills"] for u in usage),
                                           "peak_processes": max(u["peak_processes"] or 0 for u in usage),
                                           "process_limit": usage[-1]["process_limit"],
                                           "forks_refused": sum(u["forks_refused"] for u in usage)}

    def create_kernel_manager(self):
        if self.sandbox:
            from nnkit.sandbox.manager import SandboxedKernelManager
            self.kernel_manager_class = SandboxedKernelManager
        km = super().create_kernel_manager()
        km.client_class = "nnkit.execution.execute.CappedKernelClient"
        self._managers.append(km)
        return km

    def left(self) -> float | None:
        """Seconds left of the notebook's budget (None: no budget)."""
        return None if self._deadline is None else self._deadline - time.monotonic()

    def over_budget(self) -> str:
        return (f"not run: the notebook used up its time budget ({self.notebook_timeout} s per notebook)"
                if self._deadline is not None and self.left() <= 0 else "")

    def _get_timeout(self, cell):
        """A cell's time limit, at most what is left of the notebook's budget."""
        timeout, left = super()._get_timeout(cell), self.left()
        if left is None:
            return timeout
        return max(1, math.ceil(left)) if timeout is None else max(1, min(timeout, math.ceil(left)))

    # --- what reaches the notebook: one budget for every message (nnkit.kernel.limits) ---------------------

    def output(self, outs, msg, display_id, cell_index):
        """Keep a cell's output (stream, display data, execute result, error) within the budget of
        nnkit.kernel.limits, counted as it will be stored; drop the rest on arrival, with a note. A record
        is kept only where it is expected (`accepted_record`), under its own budget."""
        msg = self.accepted_record(msg, cell_index)
        if self.clear_before_next_output:  # a clear_output(wait=True) takes effect now: what it clears is freed
            outs[:] = []
            self.clear_display_id_mapping(cell_index)
            self.clear_before_next_output = False
            self._budget.clear(cell_index)
        try:
            out = output_from_msg(msg)
        except ValueError:  # not an output (nbclient logs it and keeps nothing)
            return super().output(outs, msg, display_id, cell_index)
        except INVALID as error:
            self.reject(outs, cell_index, msg, error)
            return None
        if records.holds_record(out.get("data")):
            return super().output(outs, msg, display_id, cell_index)
        size = stored_bytes(out, limits.OUTPUT_BYTES_PER_CELL)
        if not self._budget.take(cell_index, size):
            self.cut(outs, cell_index)
            if out.output_type == "error" and not any(o.get("output_type") == "error" for o in outs):
                outs.append(error_output(str(out.get("ename", "Error"))[:100], "[its text was cut at the output cap]"))
            return None
        return super().output(outs, msg, display_id, cell_index)

    def accepted_record(self, msg: dict, cell_index: int) -> dict:
        """The message, with a record kept only where the judge expects one: a display output in a
        hidden-test cell, for a case that cell's (instructor-owned, restored) source records. Of each
        case, the first record up to RECORD_BYTES is kept while the notebook's records together stay
        within RECORDS_BYTES_PER_NOTEBOOK; a larger one becomes a stub that says its size (and what
        was left of the notebook's, when that is what it broke), a second becomes a stub that says it
        was repeated (the judge fails the case), and any further one is dropped. Anywhere else the
        record's MIME type is removed, and what remains is the student's output like any other.
        The record's form is nnkit.kernel.schema'."""
        content = msg.get("content") if isinstance(msg.get("content"), dict) else {}
        data = content.get("data")
        if not records.holds_record(data):
            return msg
        record = records.record_in(data)
        case = records.case_of(record)
        cell = self.nb.cells[cell_index] if cell_index < len(self.nb.cells) else None
        expected = (msg.get("msg_type") == "display_data" and cell is not None and case is not None
                    and case in hidden_test_cases(cell))
        if not expected:
            return msg | {"content": content | {"data": records.without_record(data)}}
        seen = self._budget.records.setdefault((cell_index, case), 0)
        self._budget.records[(cell_index, case)] = seen + 1
        if seen == 0:
            size = stored_bytes(record, limits.RECORD_BYTES)
            left = limits.RECORDS_BYTES_PER_NOTEBOOK - self._budget.record_bytes
            if size > limits.RECORD_BYTES:
                stub = records.as_data(records.Oversized(case, size))
            elif size > left:  # the notebook's records together are past their budget
                stub = records.as_data(records.Oversized(case, size, left))
            else:
                stub = record
                self._budget.record_bytes += size
        elif seen == 1:
            stub = records.as_data(records.Repeated(case))
        else:
            return msg | {"content": content | {"data": {}}}  # an empty display: the output budget counts it
        return msg | {"content": {"data": records.bundle(stub), "metadata": {}}}

    def _update_display_id(self, display_id, msg):
        """A display update replaces the data of every output shown with that id: each copy is
        charged to its cell (nbformat stores one per output), and an update that does not fit, or
        that carries a record, is not applied."""
        if display_id not in self._display_id_map:
            return
        try:
            out = output_from_msg(
                msg | {"msg_type": "display_data", "header": msg.get("header", {}) | {"msg_type": "display_data"}}
            )
        except ValueError:
            return
        except INVALID as error:
            for cell_idx in self._display_id_map[display_id]:
                if cell_idx < len(self.nb.cells):
                    self.reject(self.nb.cells[cell_idx].setdefault("outputs", []), cell_idx, msg, error)
            return
        if records.holds_record(out.get("data")):
            return
        new = stored_bytes({"data": out["data"], "metadata": out["metadata"]}, limits.OUTPUT_BYTES_PER_CELL)
        for cell_idx, output_indices in self._display_id_map[display_id].items():
            outputs = self.nb.cells[cell_idx].get("outputs", []) if cell_idx < len(self.nb.cells) else []
            for output_idx in output_indices:
                if output_idx >= len(outputs) or records.holds_record(outputs[output_idx].get("data")):
                    continue
                old = stored_bytes({"data": outputs[output_idx].get("data", {}),
                                    "metadata": outputs[output_idx].get("metadata", {})}, limits.OUTPUT_BYTES_PER_CELL)
                if self._budget.take(cell_idx, new - old, count=0):
                    outputs[output_idx]["data"], outputs[output_idx]["metadata"] = out["data"], out["metadata"]
                else:
                    self.cut(outputs, cell_idx)

    def clear_output(self, outs, msg, cell_index):
        super().clear_output(outs, msg, cell_index)
        if not outs:
            self._budget.clear(cell_index)

    def handle_comm_msg(self, outs, msg, cell_index):
        """Comm (widget) messages are not kept: no widget state, no output widget, nothing in the notebook."""

    def set_widgets_metadata(self):
        """No widget state is stored in the graded notebook."""

    def cut(self, outs, cell_index: int) -> None:
        """Note, once per cell, that output was dropped at the cap; the submission is listed for review."""
        if cell_index in self._budget.capped:
            return
        self._budget.capped.add(cell_index)
        note = (f"[the grader dropped this cell's output beyond {limits.OUTPUT_BYTES_PER_CELL // 2**20} MiB "
                f"or {limits.OUTPUTS_PER_CELL} outputs per cell / {limits.OUTPUT_BYTES_PER_NOTEBOOK // 2**20} MiB "
                f"or {limits.OUTPUTS_PER_NOTEBOOK} outputs per notebook]\n")
        outs.append(from_dict({"output_type": "stream", "name": "stdout", "text": note}))
        cell = self.nb.cells[cell_index] if cell_index < len(self.nb.cells) else None
        if cell is not None:
            self.event(Kind.OUTPUT, cell_index, cell, note.strip("[]\n"))

    def reject(self, outs, cell_index: int, msg: dict, error: Exception) -> None:
        """Drop an output nbformat's schema rejects (it would make the graded notebook unwritable):
        noted once per cell, listed for review; an error stays an error."""
        if msg.get("msg_type") == "error" and not any(o.get("output_type") == "error" for o in outs):
            outs.append(error_output("Error", "[its output was not a valid notebook output]"))
        if cell_index in self._budget.rejected:
            return
        self._budget.rejected.add(cell_index)
        why = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
        note = f"[the grader dropped an output that is not a valid notebook output (nbformat: {str(why)[:200]})]\n"
        outs.append(from_dict({"output_type": "stream", "name": "stdout", "text": note}))
        cell = self.nb.cells[cell_index] if cell_index < len(self.nb.cells) else None
        if cell is not None:
            self.event(Kind.OUTPUT, cell_index, cell, note.strip("[]\n"))

    def event(self, kind: Kind, index: int, cell, detail: str) -> None:
        add_event(self._events, Review(kind, cell_label(cell, index), detail))

    async def async_start_new_kernel_client(self):
        """Start the client of the kernel just started; a kernel that never answers is replaced."""
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            try:
                return await super().async_start_new_kernel_client()
            except RuntimeError as error:  # nbclient's "Kernel died before replying", "didn't respond"
                if attempt == KERNEL_START_ATTEMPTS:
                    raise KernelNotStarted(f"no kernel started in {attempt} attempts: {error}") from error
                self.log.warning("The kernel did not start (%s); starting another (attempt %d of %d)",
                                 error, attempt + 1, KERNEL_START_ATTEMPTS)
                self.km = self.create_kernel_manager()  # nbclient discarded the failed one
                await self.async_start_new_kernel()

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    async def _async_handle_timeout(self, timeout, cell=None):
        if self._running is not None:
            index, running = self._running
            if self.left() is not None and self.left() <= 0.5:
                self._broken = self.over_budget() or self._broken
                self.event(
                    Kind.BUDGET,
                    index,
                    running,
                    f"stopped here: the notebook went over its time budget "
                    f"({self.notebook_timeout} s per notebook); the cells after it were not run",
                )
            else:
                self.event(
                    Kind.TIMEOUT,
                    index,
                    running,
                    f"it did not finish within the time limit per cell ({timeout} s): an endless loop?",
                )
        return await super()._async_handle_timeout(timeout, cell)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if student_only(cell) and not self.run_student_only:
            cell.outputs = [from_dict({"output_type": "stream", "name": "stdout",
                                       "text": "[not run when grading: this cell is for the student]\n"})]
            return cell
        if self._last is not None:  # killed since the last cell ended (a child it left, the replay): its doing
            self.note_memory(*self._last)
        if not self._broken and cell.cell_type == "code" and self.over_budget():  # the budget ran out between cells
            self._broken = self.over_budget()
            self.event(
                Kind.BUDGET,
                cell_index,
                cell,
                f"not run: the notebook went over its time budget "
                f"({self.notebook_timeout} s per notebook); nor were the cells after it",
            )
        if self._broken:
            cell.outputs = (
                [error_output("KernelDied", self._broken)] if cell.cell_type == "code" else cell.get("outputs")
            )
            return cell
        self._running = self._last = (cell_index, cell)
        self._budget.clear(cell_index)  # nbclient starts the cell with no outputs
        launched = self.code_cells_executed
        try:
            cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except (DeadKernelError, CellTimeoutError) as error:
            died = isinstance(error, DeadKernelError)
            budget = self.over_budget()
            reason = (self.death_reason() if died else
                      f"stopped: the notebook went over its time budget ({self.notebook_timeout} s per notebook)"
                      if budget else
                      f"it did not finish within the time limit per cell ({self.timeout} s), and ignored the interrupt")
            cell.outputs = [error_output("KernelDied" if died else "CellTimeoutError", reason)]
            if not budget or died:
                self.event(Kind.KERNEL_DIED if died else Kind.TIMEOUT, cell_index, cell, reason)
            if budget:
                self._broken = budget
                return cell
            self.log.warning("Cell %d: %s; restarting the kernel and going on", cell_index, reason)
            await self.restart_and_replay()
            return cell
        finally:
            self._running = None
            if self.code_cells_executed > launched:  # the kit's count, never one a kernel's message set
                cell.execution_count = execution_count or launched + 1
        self.note_memory(cell_index, cell)
        if cell.cell_type == "code" and not is_grade(cell) and not any(
                o.get("output_type") == "error" for o in cell.get("outputs", [])):
            self._replayable.append((cell_index, cell))
        return cell

    execute_cell = run_sync(async_execute_cell)  # the base class binds its own at definition

    def note_memory(self, index: int, cell) -> None:
        """A process of the submission was killed at its memory limit while the kernel lived on: the
        cell says so (the judge keeps the note on a hidden test's verdict) and it is listed for review."""
        memory = self.km.out_of_memory() if hasattr(self.km, "out_of_memory") else ""
        if memory and cell.cell_type == "code":
            cell.outputs.append(from_dict({"output_type": "stream", "name": "stdout",
                                           "text": f"[{memory}: a process of this notebook was killed]\n"}))
            self.event(Kind.MEMORY, index, cell, memory)

    def death_reason(self) -> str:
        """Why the kernel died, as far as the kernel manager can tell (a sandbox names the limit)."""
        explain = getattr(self.km, "death_reason", None)
        return (explain() if explain else "") or "the kernel died while running this cell (os._exit, a crash...)"

    async def restart_and_replay(self) -> None:
        for replay in (True, False):
            if not await self.restart():
                return
            if not replay:
                return
            for index, cell in list(self._replayable):
                try:
                    self._budget.clear(index)  # the replay's outputs replace the cell's
                    await super().async_execute_cell(copy.deepcopy(cell), index)
                except (DeadKernelError, CellTimeoutError):
                    self.event(Kind.KERNEL_DIED, index, cell, "replaying this cell after a restart killed the kernel "
                                                           "again; the rest of the notebook ran without replaying")
                    self._replayable = self._replayable[:self._replayable.index((index, cell))]
                    break
            else:
                return

    async def restart(self) -> bool:
        try:
            await ensure_async(self.km.restart_kernel(now=True))
            await ensure_async(self.kc.wait_for_ready(timeout=self.startup_timeout))
            return True
        except RuntimeError as error:
            self._broken = f"not run: the kernel could not be restarted ({error})"
            self.log.error("The kernel could not be restarted: %s", error)
            return False
