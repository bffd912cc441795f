"""The limits every grading kernel runs under, in one place, each with its scope. The sandbox
(nnkit.sandbox.bwrap) applies the kernel's with `prlimit` and bubblewrap; the grader applies the cell and
output ones (nnkit.execution.execute); nbgrader_config.py passes the time limit to nbgrader. A breach costs
only the cells it happens in, with a message that names the limit.

Per cell:
- CELL_TIMEOUT_SECONDS: wall-clock time; a cell still running is interrupted and scores zero
  ("did not finish within the time limit"), the rest of the notebook is still graded. The seed's
  loop conv, the slowest correct answer in the catalogue, needs well under a second per hidden test.
- OUTPUT_BYTES_PER_CELL: what the grader keeps of a cell's printed and displayed output; the rest
  is dropped on arrival, with a note in the cell (PrairieLearn keeps 1 MB of results).
- RECORD_BYTES: the largest record of a hidden test's answer the grader accepts (the largest honest
  one is under 100 kB); a larger one fails its check with the reason.
- RECORDS_BYTES_PER_NOTEBOOK (per notebook): what the records of all its hidden tests may take
  together (each up to RECORD_BYTES); a record past it fails its check with the reason. The largest
  honest notebook's records take 137 kB together (activations' 7; convolution's 10 take 123 kB).
- OUTPUTS_PER_CELL: how many outputs the grader keeps of a cell (empty ones too); an honest cell that
  prints for its whole time limit makes a few hundred (the kernel flushes its output 5 times a second).

Per notebook (one kernel per notebook; a kernel restarted after a death starts afresh):
- OUTPUT_BYTES_PER_NOTEBOOK, OUTPUTS_PER_NOTEBOOK: what the grader keeps of all cells' output
  together. Output bytes are counted as the notebook file stores them, for every message that
  reaches it: streams, display data and results, display updates (once per output they update),
  errors. Widget (comm) state is never stored.
- KERNEL_MEMORY_BYTES: the kernel's data segment (RLIMIT_DATA, which covers numpy's allocations):
  a runaway allocation fails inside the kernel with MemoryError. Importing numpy and training the
  backprop model need well under 1 GiB.
- CPU_SECONDS: CPU time of the kernel process (RLIMIT_CPU); at the limit the kernel is killed and
  the cell says so.
- PROCESSES: processes and threads of the kernel's own user (RLIMIT_NPROC): a fork bomb stops there.
- FILE_BYTES: the size of any one file it writes (RLIMIT_FSIZE); OPEN_FILES: open files (RLIMIT_NOFILE).
- GRADER_MEMORY_BYTES: the most memory (peak resident set) a grading worker, nbgrader's own process,
  may reach while it grades the worst notebook of the hostile catalogue (tests/test_hostile.py
  measures it from the process tree). Not enforced: a bound the output limits above keep.
- WORK_BYTES, TMP_BYTES (each of /tmp and /dev/shm), HOME_BYTES: the size of its private writable
  folders (memory-backed, so also bounded: a tmpfs is memory the kernel's own limit does not count).
- RUNTIME_BYTES, RUNTIME_FILES: the size and number of files of the folder where, as root, it binds
  its sockets (a tmpfs the grader mounts, nnkit.sandbox.runtime.Runtime; the sockets take no bytes).
- NOTEBOOK_SECONDS: wall-clock budget of the whole notebook (its kernel's start included), so that
  no notebook holds a worker for minutes with every cell under CELL_TIMEOUT_SECONDS. Past it the
  running cell is stopped, the cells after it are not run, the finished ones keep their grades,
  and the notebook is listed for review. The slowest correct notebook (backprop) takes about 3 s.
  The batch's watchdog stops a worker that holds one submission NOTEBOOK_SECONDS +
  WATCHDOG_GRACE_SECONDS (nbgrader's own work before and after the notebook runs).

Per submission, its files (nnkit.collect.files, before anything of it runs):
- FOLDER_DEPTH: how deep its folders may nest (the submission's own folder is level 0). The kit
  walks a submission (collect's copy, the pre-check, the digest) without recursion and enters no
  folder deeper: such a folder is recorded like a link or a pipe, and the submission is not
  gradable, with the reason. An honest submission nests two or three levels.

Per submission, the kernel's whole process tree as one (a cgroup, nnkit.sandbox.cgroups, where the machine
and the grader's rights allow one; otherwise only the per-process limits above hold):
- SUBMISSION_MEMORY_BYTES: memory of every process together, shared memory (memfd, /dev/shm) and
  the pages of its private tmpfs folders included; at the limit the kernel is killed and the cell
  says "out of memory: the limit is N GiB per submission".
- SUBMISSION_PROCESSES: processes and threads together (pids.max).
- SUBMISSION_CPU_WEIGHT: its share of the CPU when the cores are busy, on cgroup v2's scale (100 =
  one ordinary process): one process per core, what an honest kernel whose BLAS uses every core
  weighs; a submission's 200 busy processes weigh no more, so a classmate graded beside it keeps
  its share.
"""
import os
import resource

CELL_TIMEOUT_SECONDS = 60
OUTPUT_BYTES_PER_CELL = 1 * 2**20
RECORD_BYTES = 8 * 2**20
RECORDS_BYTES_PER_NOTEBOOK = 8 * 2**20

OUTPUTS_PER_CELL = 1000

OUTPUT_BYTES_PER_NOTEBOOK = 8 * 2**20
OUTPUTS_PER_NOTEBOOK = 5000
GRADER_MEMORY_BYTES = 512 * 2**20
KERNEL_MEMORY_BYTES = 4 * 2**30
CPU_SECONDS = 600
PROCESSES = 256
FILE_BYTES = 64 * 2**20
OPEN_FILES = 1024
WORK_BYTES = 256 * 2**20
TMP_BYTES = 64 * 2**20
HOME_BYTES = 32 * 2**20
RUNTIME_BYTES = 1 * 2**20
RUNTIME_FILES = 64

# The variables that say how many threads numpy's BLAS starts (OpenMP, OpenBLAS, MKL): the batch
# sets them to each worker's share of the cores, the sandbox passes them on to the kernel.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

NOTEBOOK_SECONDS = 120
WATCHDOG_GRACE_SECONDS = 120

FOLDER_DEPTH = 32

SUBMISSION_MEMORY_BYTES = 4 * 2**30
SUBMISSION_PROCESSES = 256
SUBMISSION_CPU_WEIGHT = min(10_000, 100 * (os.cpu_count() or 1))

# Run by every grading kernel at start-up (IPKernelApp.exec_lines), before any student code and
# binding no user-visible name: the memory limit (also set by the sandbox), and nnkit.kernel.record with
# the functions it binds.
KERNEL_STARTUP = "__import__('nnkit.kernel.record'); __import__('nnkit.kernel.limits').limits.apply()"


def apply() -> None:
    resource.setrlimit(resource.RLIMIT_DATA, (KERNEL_MEMORY_BYTES, KERNEL_MEMORY_BYTES))


def as_dict() -> dict[str, int]:
    return {name: value for name, value in globals().items() if name.isupper() and isinstance(value, int)}
