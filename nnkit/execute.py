"""Execute that survives a kernel it cannot stop: the rest of the notebook is still graded.

nbgrader's Execute gives up on the whole notebook when the kernel dies (os._exit, a segfault) or
when a cell ignores the interrupt sent at the time limit (a loop that swallows
KeyboardInterrupt): the student then gets no grade at all. Here such a cell gets an error output
that says what happened, the kernel is restarted, the cells that had run cleanly before it
(imports, the student's definitions; not the hidden tests) are replayed, and execution goes on.
A kernel that never starts (before any student code ran) is replaced, up to
KERNEL_START_ATTEMPTS times: with several grading processes at once, that happens.
"""
import copy

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbformat.notebooknode import from_dict
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade


KERNEL_START_ATTEMPTS = 3
# nbclient's errors when a new kernel never answers; e.g. it lost a race for a TCP port with a
# kernel another grading process started at the same moment ("ZMQError: Address already in use").
KERNEL_NOT_STARTED = ("Kernel died before replying to kernel_info", "Kernel didn't respond")


class ResilientExecute(Execute):
    def preprocess(self, nb, resources=None, km=None):
        """Execute the notebook; a kernel that fails to start, before any cell ran, is replaced."""
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            self._replayable = []
            try:
                return super().preprocess(nb, resources, km=km)
            except RuntimeError as error:
                if attempt == KERNEL_START_ATTEMPTS or not str(error).startswith(KERNEL_NOT_STARTED):
                    raise
                self.log.warning("The kernel did not start (%s); starting another (attempt %d of %d)",
                                 error, attempt + 1, KERNEL_START_ATTEMPTS)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        try:
            cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except (DeadKernelError, CellTimeoutError) as error:
            died = isinstance(error, DeadKernelError)
            reason = ("the kernel died while running this cell (os._exit, a crash...)" if died else
                      "it did not finish within the time limit per cell, and ignored the interrupt")
            cell.outputs = [from_dict({"output_type": "error", "ename": "KernelDied" if died else "CellTimeoutError",
                                       "evalue": reason, "traceback": [reason]})]
            self.log.warning("Cell %d: %s; restarting the kernel and going on", cell_index, reason)
            await self.restart_and_replay()
            return cell
        if cell.cell_type == "code" and not is_grade(cell) and not any(
                o.get("output_type") == "error" for o in cell.get("outputs", [])):
            self._replayable.append((cell_index, cell))
        return cell

    execute_cell = run_sync(async_execute_cell)  # the base class binds its own at definition

    async def restart_and_replay(self):
        await ensure_async(self.km.restart_kernel(now=True))
        await ensure_async(self.kc.wait_for_ready(timeout=self.startup_timeout))
        for index, cell in list(self._replayable):
            await super().async_execute_cell(copy.deepcopy(cell), index)
