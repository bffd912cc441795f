"""Every limit a submission is graded under, once, each with its scope (in the comment beside it).
The sandbox (nnkit.sandbox.bwrap) applies the kernel's with `prlimit` and bubblewrap, the cgroup
(nnkit.sandbox.cgroups) the submission's, the grader (nnkit.execution.execute) the cell's and the
output's. A breach costs only the cells it happens in, with a message that names the limit. Why each
value: docs/sandbox.md (what one submission may cost); the table: docs/instructors.md (Limits).
"""
import os
import resource

# Per cell (the grader):
CELL_TIMEOUT_SECONDS = 60  # wall clock; a cell still running is interrupted and scores zero
OUTPUT_BYTES_PER_CELL = 1 * 2**20  # printed and displayed output kept; the rest dropped, with a note
OUTPUTS_PER_CELL = 1000  # outputs kept, empty ones too (an honest cell printing all its time makes a few hundred)
RECORD_BYTES = 8 * 2**20  # one hidden test's record; a larger one fails its check (honest: under 100 kB)

# Per notebook (one kernel; a kernel restarted after a death starts afresh):
RECORDS_BYTES_PER_NOTEBOOK = 8 * 2**20  # every record together; past it a record fails (honest: 137 kB)
OUTPUT_BYTES_PER_NOTEBOOK = 8 * 2**20  # all cells' output together, counted as the notebook stores it
OUTPUTS_PER_NOTEBOOK = 5000  # all cells' outputs together; widget state is never stored
KERNEL_MEMORY_BYTES = 4 * 2**30  # the kernel's data segment (RLIMIT_DATA): MemoryError in the cell
CPU_SECONDS = 600  # the kernel's CPU time (RLIMIT_CPU): killed, and the cell says so
PROCESSES = 256  # processes and threads of the kernel's own user (RLIMIT_NPROC): a fork bomb stops
FILE_BYTES = 64 * 2**20  # any one file it writes (RLIMIT_FSIZE)
OPEN_FILES = 1024  # open files (RLIMIT_NOFILE)
WORK_BYTES = 256 * 2**20  # its private working folder, /submission (a tmpfs)
TMP_BYTES = 64 * 2**20  # each of its /tmp and /dev/shm (tmpfs)
HOME_BYTES = 32 * 2**20  # its home (a tmpfs)
RUNTIME_BYTES = 1 * 2**20  # as root, the tmpfs of its sockets (nnkit.sandbox.runtime.Runtime)
RUNTIME_FILES = 64  # ... and its number of files
NOTEBOOK_SECONDS = 120  # wall clock of the whole notebook, kernel start included; past it the rest is not run
WATCHDOG_GRACE_SECONDS = 120  # nbgrader's own work: the batch stops a worker past NOTEBOOK_SECONDS + this
GRADER_MEMORY_BYTES = 512 * 2**20  # a grading worker's peak on the worst hostile notebook: measured, not enforced

# Per submission, its files (nnkit.collect.nofollow), checked before any of them is read; past each it
# is not gradable, with the limit's own reason:
FOLDER_DEPTH = 32  # how deep its folders may nest (honest: 2 or 3)
SUBMISSION_FILES = 1000  # its files and folders together: nbgrader's copy costs per file squared (honest: 1 to 5)
SUBMISSION_BYTES = 100 * 2**20  # its regular files' bytes together, as nbgrader's collect counts them (honest: < 1 MiB)
NOTEBOOK_BYTES = 16 * 2**20  # one notebook's file: the grader parses it whole (GRADER_MEMORY_BYTES holds at it)
PATH_BYTES = 1024  # a path inside it: nbgrader copies it by its full path (honest: under 100)

# Per submission, its kernel's whole process tree (a cgroup, where the machine allows one):
SUBMISSION_MEMORY_BYTES = 4 * 2**30  # memory, shared memory and tmpfs pages included: "out of memory"
SUBMISSION_PROCESSES = 256  # processes and threads together (pids.max)
SUBMISSION_CPU_WEIGHT = min(10_000, 100 * (os.cpu_count() or 1))  # its CPU share when busy: one process per core

# The variables that say how many threads numpy's BLAS starts (OpenMP, OpenBLAS, MKL): the batch
# sets them to each worker's share of the cores, the sandbox passes them on to the kernel.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

# Run by every grading kernel at start-up (IPKernelApp.exec_lines), before any student code and
# binding no user-visible name: the memory limit (also set by the sandbox), and nnkit.kernel.record with
# the functions it binds.
KERNEL_STARTUP = "__import__('nnkit.kernel.record'); __import__('nnkit.kernel.limits').kernel.limits.apply()"


def apply() -> None:
    resource.setrlimit(resource.RLIMIT_DATA, (KERNEL_MEMORY_BYTES, KERNEL_MEMORY_BYTES))


def as_dict() -> dict[str, int]:
    return {name: value for name, value in globals().items() if name.isupper() and isinstance(value, int)}
