"""The limits every grading kernel runs under, in one place (nbgrader_config.py applies them).

- CELL_TIMEOUT_SECONDS: a cell still running then is interrupted and scores zero ("did not
  finish"); the rest of the notebook is still graded. The seed's loop conv, the slowest correct
  answer in the catalogue, needs well under a second per hidden test.
- KERNEL_MEMORY_BYTES: the kernel's data segment (RLIMIT_DATA, which covers numpy's allocations):
  a runaway allocation fails inside the kernel with MemoryError instead of exhausting the
  grading machine. Importing torch and training the backprop model need well under 1 GiB.
"""
import resource

CELL_TIMEOUT_SECONDS = 60
KERNEL_MEMORY_BYTES = 4 * 2**30

# Run by every grading kernel at start-up (IPKernelApp.exec_lines), binding no user-visible name.
KERNEL_STARTUP = "__import__('nnkit.limits').limits.apply()"


def apply() -> None:
    resource.setrlimit(resource.RLIMIT_DATA, (KERNEL_MEMORY_BYTES, KERNEL_MEMORY_BYTES))
