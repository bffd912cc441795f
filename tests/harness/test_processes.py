"""tests/support/processes.py, the watch of a run's own process tree that the batch tests rely on: it
counts the watched tree and nothing else of the machine (another grading runs beside the tests),
it sees a process that detached from the tree, and it tells workers grading at once from workers
grading one after the other."""
import os
import signal
import subprocess
import sys
import textwrap
import time

from processes import Watch

MiB = 2**20


def python(code: str, *tags: str, **popen) -> subprocess.Popen:
    """A Python process whose command line carries `tags` (as 'nnkit.batch.worker' or 'ipykernel' would)."""
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *tags], **popen)


HOLD = "import time\nheld = b'x' * ({mib} * 2**20)\ntime.sleep({seconds})"


def test_the_peak_memory_is_the_watched_trees_own():
    outsider = python(HOLD.format(mib=400, seconds=5), "nnkit.batch.worker")  # a grader beside, not watched
    try:
        watched = python(HOLD.format(mib=150, seconds=1.5), "nnkit.batch.worker")
        watch = Watch(watched.pid)
        watched.wait(timeout=300)
        peak = watch.stop().peak_memory()
    finally:
        outsider.kill()
        outsider.wait()
    assert 150 * MiB <= peak < 400 * MiB, peak / MiB


DETACHES = """
import subprocess, sys, time
left = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", "left-behind"], start_new_session=True)
print(left.pid, flush=True)
time.sleep(1.5)
"""


def test_a_process_that_detached_from_the_tree_is_still_its_own():
    outsider = python("import time; time.sleep(300)", "left-behind")  # not the watched tree's
    watched = python(DETACHES, stdout=subprocess.PIPE, text=True)
    watch = Watch(watched.pid)
    left = int(watched.stdout.readline())
    try:
        watched.wait(timeout=300)
        running = watch.stop().still_running()
        assert [row.split()[0] for row in running] == [str(left)], running
    finally:
        os.kill(left, signal.SIGKILL)
        outsider.kill()
        outsider.wait()
    for _ in range(600):  # killed: gone once reaped (by init: its parent is gone), on a loaded machine too
        if watch.still_running() == []:
            break
        time.sleep(0.1)
    assert watch.still_running() == []


KERNEL = "import time; time.sleep(1.5)"
WORKER = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {KERNEL!r}, 'ipykernel'])"
START_WORKER = (
    f"subprocess.Popen([sys.executable, '-c', {WORKER!r}, 'nnkit.batch.' + 'worker'])"  # only the worker's own
)
# command line says nnkit.batch.worker, not the code that starts it
AT_ONCE = f"import subprocess, sys\nworkers = [{START_WORKER} for _ in range(2)]\nfor w in workers:\n    w.wait()"
ONE_BY_ONE = f"import subprocess, sys\nfor _ in range(2):\n    {START_WORKER}.wait()"


def watched_run(code: str) -> Watch:
    process = python(code)
    watch = Watch(process.pid)
    process.wait(timeout=300)
    return watch.stop()


def test_workers_grading_at_once_are_told_from_workers_one_after_the_other():
    together, one_by_one = watched_run(AT_ONCE), watched_run(ONE_BY_ONE)
    assert (len(together.workers), together.most_grading) == (2, 2)
    assert (len(one_by_one.workers), one_by_one.most_grading) == (2, 1)
