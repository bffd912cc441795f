"""The supervisor: J worker processes (nnkit.batch.worker), each given one submission at a time;
a crashed worker replaced and its submission graded again (CRASHES_ALLOWED), a worker past its
notebook's budget stopped (the watchdog), the kit's failures graded once more at the end, each
outcome written as it comes, the progress on one line.
"""
import collections
import json
import os
import subprocess
import sys
import time
from multiprocessing.connection import wait
from pathlib import Path

from nnkit.collect import paths
from nnkit.collect.escape import escaped
from nnkit.gradebook import outcomes
from nnkit.gradebook.outcomes import Outcome, submitted_digest
from nnkit.gradebook.tools import with_tools_on_path
from nnkit.kernel.limits import THREAD_VARIABLES
from nnkit.sandbox import state_folders

CRASHES_ALLOWED = 1  # a submission whose worker dies is graded again this many times

EXIT_SECONDS = 60  # a worker asked to exit (its input closed) finishes its notebook within this, or is killed


class Progress:
    """Submissions done / total and an ETA on one line (a line per step when not on a terminal)."""

    def __init__(self, total: int, stream=None):
        self.total, self.done, self.start = total, 0, time.perf_counter()
        self.stream = stream or sys.stderr  # looked up now: a caller may have redirected it
        self.seconds: dict[str, float] = {}  # assignment: seconds spent on its notebooks, over all workers

    def step(self, outcome: Outcome) -> None:
        self.seconds[outcome.assignment] = self.seconds.get(outcome.assignment, 0) + outcome.seconds
        self.done += 1
        elapsed = time.perf_counter() - self.start
        eta = elapsed / self.done * (self.total - self.done)
        width = 30
        bar = "#" * round(width * self.done / max(self.total, 1))
        line = (f"[{bar:<{width}}] {self.done}/{self.total} submissions, ETA {eta:.0f} s  "
                + escaped(f"{outcome.assignment}/{outcome.student}"))
        if self.stream.isatty():
            self.stream.write("\r" + line.ljust(100) + ("\n" if self.done == self.total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


class Logs:
    """The worker logs of one batch, in a folder of their own under outcomes/logs/ (made atomically,
    so batches on machines that share the course never write into each other's): worker-1.log,
    worker-2.log, ... numbered across the batch's passes, so a retry keeps the log of what it retries."""

    def __init__(self, root: Path, label: str = "class"):
        top = state_folders.course_state(root) / "logs"
        top.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        for number in range(1, 10_000):
            self.folder = top / (f"{stamp}-{label}" + (f"-{number}" if number > 1 else ""))
            try:
                self.folder.mkdir()
                break
            except FileExistsError:
                continue
        self.count = 0

    def next(self) -> Path:
        self.count += 1
        return self.folder / f"worker-{self.count}.log"


class Worker:
    """A grading process (nnkit.batch.worker): tasks go to its stdin, outcomes come back on a pipe of
    their own, its log (nbgrader's, the kernels' stderr) goes to a file."""

    def __init__(self, root: Path, log: Path, threads: int | None):
        env = with_tools_on_path(dict(os.environ))
        if threads:  # the kernels this worker starts get their share of the cores (numpy's BLAS)
            env.update({name: str(threads) for name in THREAD_VARIABLES})
        read, write = os.pipe()
        with open(log, "x") as output:
            self.process = subprocess.Popen([sys.executable, "-m", "nnkit.batch.worker", str(root), str(write)],
                                            stdin=subprocess.PIPE, stdout=output, stderr=subprocess.STDOUT,
                                            pass_fds=(write,), env=env, text=True)
        os.close(write)
        self.results = os.fdopen(read, "r")
        self.task = None

    def send(self, task) -> None:
        self.task, self.since = task, time.monotonic()
        if task is None:
            return self.ask_to_exit()
        try:
            self.process.stdin.write(json.dumps(task) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # it died: its pipe reports it

    def ask_to_exit(self) -> None:
        """Close its input: it exits once the notebook in hand is graded."""
        try:
            self.process.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # it died already

    def receive(self) -> Outcome | None:
        """The outcome of its task, or None when it died."""
        line = self.results.readline()
        return Outcome(**json.loads(line)) if line else None

    def close(self, seconds: float = EXIT_SECONDS) -> None:
        """Let it exit on its own (its input closed: it finishes the notebook in hand, closes nbgrader
        and its gradebook connection); kill it only when it has not within `seconds`."""
        self.ask_to_exit()
        try:
            self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.results.close()


def notebook_budget(root: Path) -> float | None:
    """The course's wall-clock budget per notebook, in seconds (None: none); the kit's own
    (limits.NOTEBOOK_SECONDS) when the course has no nbgrader_config.py."""
    from nnkit.kernel import limits

    config = paths.course_settings(root)
    if "ResilientExecute" in config and "notebook_timeout" in config.ResilientExecute:
        return config.ResilientExecute.notebook_timeout
    return limits.NOTEBOOK_SECONDS


def grade(tasks: list[tuple[str, str]], root: Path, jobs: int, progress: Progress, logs: Logs | None = None,
          budget: float | None = None) -> list[Outcome]:
    """Grade (student, assignment) tasks with `jobs` supervised worker processes (their logs in
    `logs`), each outcome written as it comes (nnkit.gradebook.outcomes); a worker that holds one
    task `budget` (default: the course's notebook budget) + WATCHDOG_GRACE_SECONDS is stopped."""
    from nnkit.kernel.limits import WATCHDOG_GRACE_SECONDS
    from nnkit.sandbox import cgroups

    budget = notebook_budget(root) if budget is None else budget
    limit = None if budget is None else budget + WATCHDOG_GRACE_SECONDS
    logs = logs or Logs(root)
    threads = max(1, (os.cpu_count() or 1) // jobs) if jobs > 1 else None
    pending, crashes, found = collections.deque(tasks), collections.Counter(), []
    workers: dict = {}  # results file: Worker
    retiring: list = []  # asked to exit

    def start_worker():
        worker = Worker(root, logs.next(), threads)
        workers[worker.results] = worker
        hand_out(worker)

    def hand_out(worker):
        # The submission is hashed once, here, before it is graded: the worker's outcome carries the digest.
        task = (*pending.popleft(), None) if pending else None
        if task is not None:
            task = (task[0], task[1], submitted_digest(root, task[0], task[1]))
            # Until its outcome replaces it: a batch stopped meanwhile (scancel, a time limit) leaves it cut off.
            outcomes.write(
                root, Outcome(*task[:2], False, "its grading was cut off", "interrupted", submission=task[2])
            )
        worker.send(task)
        if worker.task is None:  # asked to exit: waited for at the end, while the others work
            retiring.append(workers.pop(worker.results))

    def done(outcome: Outcome):
        """The one writer of every outcome: the workers', the watchdog's, a crash's."""
        outcomes.write(root, outcome)
        found.append(outcome)
        progress.step(outcome)

    def stop_overdue() -> None:
        """The watchdog: a worker past its task's limit is killed (its kernels die with it)."""
        for results, worker in list(workers.items()):
            if worker.task is not None and time.monotonic() - worker.since > limit:
                worker.close(seconds=0)  # no waiting for the notebook in hand: it is what overran
                del workers[results]
                cgroups.sweep()
                student, assignment, digest = worker.task
                reason = (f"stopped by the watchdog: grading it took longer than {limit:g} s (the notebook's "
                          f"budget of {budget:g} s plus {WATCHDOG_GRACE_SECONDS} s for nbgrader)")
                done(Outcome(student, assignment, False, reason, "watchdog", time.monotonic() - worker.since, digest))
                if pending:
                    start_worker()

    try:
        for _ in range(min(jobs, len(pending))):
            start_worker()
        while workers:
            due = None if limit is None else max(0.1, min(w.since + limit - time.monotonic() for w in workers.values()))
            ready = wait(list(workers), timeout=due)
            if limit is not None:
                stop_overdue()
            for results in ready:
                if results not in workers:
                    continue  # stopped by the watchdog meanwhile
                worker = workers[results]
                outcome = worker.receive()
                if outcome is not None:
                    done(outcome)
                    hand_out(worker)
                    continue
                worker.close()  # it died with its task in hand
                del workers[results]
                cgroups.sweep()  # the groups of its kernels
                student, assignment, digest = worker.task
                task = (student, assignment)
                crashes[task] += 1
                if crashes[task] > CRASHES_ALLOWED:
                    reason = (f"the grading process died while grading it, {crashes[task]} times "
                              f"(exit code {worker.process.returncode}: out of memory?)")
                    done(Outcome(student, assignment, False, reason, "worker crashed", submission=digest))
                else:
                    pending.appendleft(task)
                if pending:
                    start_worker()
    finally:
        for worker in list(workers.values()):
            worker.ask_to_exit()  # all asked at once, then waited for
        for worker in retiring + list(workers.values()):
            worker.close()
    return found


def grade_and_retry(
    tasks: list[tuple[str, str]], root: Path, jobs: int, progress: Progress, label: str
) -> list[Outcome]:
    logs = Logs(root, label)
    outcomes = grade(tasks, root, jobs, progress, logs)
    # Once more, alone: a busy database or a kernel that did not start is never the student's
    # doing, and with several workers any failure may come from another's load.
    again = [o for o in outcomes if o.kit_failure or (jobs > 1 and not o.gradable)]
    if again:
        progress.total += len(again)
        retried = {(o.student, o.assignment): o for o in grade([(o.student, o.assignment) for o in again], root, 1,
                                                                progress, logs)}
        outcomes = [retried.get((o.student, o.assignment), o) for o in outcomes]
    return outcomes
