"""Execute that survives what student code does to its kernel: the rest of the notebook is still graded.

nbgrader's Execute gives up on the whole notebook when the kernel dies (os._exit, a segfault, a
limit) or when a cell ignores the interrupt sent at the time limit (a loop that swallows
KeyboardInterrupt): the student then gets no grade at all. Here:

- a cell that reaches the time limit is interrupted and recorded as cut off (an event, nnkit.states):
  the grader, not the cell's output, says so, so a KeyboardInterrupt the student raises is not a
  timeout;
- a cell whose kernel dies, or that ignores the interrupt, gets an error output that says what
  happened; the kernel is restarted, the cells that had run cleanly before it (imports, the
  student's definitions; not the hidden tests) are replayed, and execution goes on. If the kernel
  dies again during the replay, the replay stops there and the kernel is restarted bare; a kernel
  that cannot be restarted leaves the remaining cells unrun, each with the reason. Either way the
  notebook is graded, and the event is listed for review;
- a notebook past its wall-clock budget (`notebook_timeout`, nnkit.limits.NOTEBOOK_SECONDS) is
  stopped: the running cell is cut off at the budget (each cell's time limit is at most what is
  left of it), the cells after it are not run, each with the reason, and the finished cells keep
  their grades; the event (`budget`) lists the notebook for review;
- a process of the submission killed by its cgroup's memory limit leaves the message in the cell
  ("out of memory: the limit is N GiB per submission"), whether or not the kernel survived;
- a kernel that never starts (before any student code ran) is replaced, up to
  KERNEL_START_ATTEMPTS times: with several grading processes at once, that happens. Only the
  start itself is retried, never a notebook whose cells have begun to run.

It also starts each kernel in the sandbox (nnkit.sandbox; `sandbox = False` is the documented
opt-out, listed for review), keeps each cell's output within the limits of nnkit.limits as it
arrives (a cell printing gigabytes costs the grader no memory), and does not run the locked cells
whose grade id starts with STUDENT_ONLY (they are for the student: loading data, plotting).
"""
import copy
import json
import math
import time

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbformat.notebooknode import from_dict
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade
from traitlets import Bool, Integer

from nnkit import limits
from nnkit.codec import MIME
from nnkit.states import USAGE_KEY, Review, add_event

# A locked cell whose grade id starts so is for the student only (it loads data with torchvision,
# trains and plots): the grader does not run it. Never a graded cell.
STUDENT_ONLY = "student_only_"
MESSAGE_BYTES = 4 * limits.RECORD_BYTES  # a single message larger than this is dropped by ZMQ itself

KERNEL_START_ATTEMPTS = 3


class KernelNotStarted(RuntimeError):
    """No kernel answered after KERNEL_START_ATTEMPTS starts: the grading machine's fault, never the student's."""


def cell_label(cell, index: int) -> str:
    """How the grader names a cell: its nbgrader grade id, or its position."""
    return cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index + 1}"


def error_output(name: str, reason: str):
    return from_dict({"output_type": "error", "ename": name, "evalue": reason, "traceback": [f"{name}: {reason}"]})


def message_bytes(msg: dict) -> int:
    """The size of what an output message would add to the notebook."""
    content = msg.get("content", {})
    if msg.get("msg_type") == "stream":
        return len(content.get("text", ""))
    data = content.get("data", {}) if isinstance(content.get("data"), dict) else {}
    return sum(len(v) if isinstance(v, str) else len(json.dumps(v)) for v in data.values()) + \
        len(str(content.get("evalue", ""))) + sum(len(str(line)) for line in content.get("traceback", []))


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
    sandbox = Bool(True, help="Start each kernel in the sandbox of nnkit.sandbox (off: --no-sandbox).").tag(config=True)
    run_student_only = Bool(False, help="Run the student-only cells too (make bench measures what skipping them saves).").tag(config=True)
    notebook_timeout = Integer(limits.NOTEBOOK_SECONDS, allow_none=True,
                               help="Wall-clock budget of a whole notebook, in seconds (None: no budget).").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._replayable, self._broken, self._running, self._last = [], "", None, None
        self._events = resources if resources is not None else {}
        self._cell_bytes, self._notebook_bytes, self._records, self._capped = {}, 0, {}, set()
        self._deadline = time.monotonic() + self.notebook_timeout if self.notebook_timeout else None
        self._managers = []
        if not self.sandbox:
            add_event(self._events, Review("no_sandbox", None, "graded without the sandbox (--no-sandbox)"))
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
            from nnkit.sandbox import SandboxedKernelManager
            self.kernel_manager_class = SandboxedKernelManager
        km = super().create_kernel_manager()
        km.client_class = "nnkit.execute.CappedKernelClient"
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

    def output(self, outs, msg, display_id, cell_index):
        """Keep a cell's output up to the limits of nnkit.limits; drop the rest on arrival, with a note."""
        size = message_bytes(msg)
        data = msg.get("content", {}).get("data")
        if isinstance(data, dict) and MIME in data:  # a record: its own budget, never the student's output's
            kept = self._records.get(cell_index, 0)
            if kept + size > limits.RECORD_BYTES:
                case = data[MIME].get("case") if isinstance(data[MIME], dict) else None
                msg = copy.deepcopy({k: v for k, v in msg.items() if k != "content"}) | {
                    "content": {"data": {MIME: {"case": case, "oversized": size}}, "metadata": {}}}
                size = 100
            self._records[cell_index] = kept + size
            return super().output(outs, msg, display_id, cell_index)
        cell = self._cell_bytes.get(cell_index, 0)
        if cell + size > limits.OUTPUT_BYTES_PER_CELL or self._notebook_bytes + size > limits.OUTPUT_BYTES_PER_NOTEBOOK:
            if cell_index not in self._capped:
                self._capped.add(cell_index)
                note = (f"[the grader dropped this cell's output beyond {limits.OUTPUT_BYTES_PER_CELL // 2**20} MiB "
                        f"per cell / {limits.OUTPUT_BYTES_PER_NOTEBOOK // 2**20} MiB per notebook]\n")
                outs.append(from_dict({"output_type": "stream", "name": "stdout", "text": note}))
                if self._running is not None:
                    self.event("output", *self._running, note.strip("[]\n"))
            return None
        self._cell_bytes[cell_index] = cell + size
        self._notebook_bytes += size
        return super().output(outs, msg, display_id, cell_index)

    def event(self, kind: str, index: int, cell, detail: str) -> None:
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
                self.event("budget", index, running, f"stopped here: the notebook went over its time budget "
                                                     f"({self.notebook_timeout} s per notebook); the cells after it were not run")
            else:
                self.event("timeout", index, running, f"it did not finish within the time limit per cell ({timeout} s): "
                                                       "an endless loop?")
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
            self.event("budget", cell_index, cell, f"not run: the notebook went over its time budget "
                                                   f"({self.notebook_timeout} s per notebook); nor were the cells after it")
        if self._broken:
            cell.outputs = [error_output("KernelDied", self._broken)] if cell.cell_type == "code" else cell.get("outputs")
            return cell
        self._running = self._last = (cell_index, cell)
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
                self.event("kernel_died" if died else "timeout", cell_index, cell, reason)
            if budget:
                self._broken = budget
                return cell
            self.log.warning("Cell %d: %s; restarting the kernel and going on", cell_index, reason)
            await self.restart_and_replay()
            return cell
        finally:
            self._running = None
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
            self.event("memory", index, cell, memory)

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
                    await super().async_execute_cell(copy.deepcopy(cell), index)
                except (DeadKernelError, CellTimeoutError):
                    self.event("kernel_died", index, cell, "replaying this cell after a restart killed the kernel "
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
