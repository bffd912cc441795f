"""A run's own processes, watched from /proc: the process tree under one pid (a batch), sampled
every 50 ms while it runs. Tests check what their own run did and left (never the whole
machine's processes, which other gradings on the same machine share): which processes it
started and which of them still run afterwards, how many of its workers graded at the same
moment, the peak memory of the grader's own processes."""
import threading
from pathlib import Path

GRADER = ("nnkit.batch.cli", "nnkit.batch.worker")  # the grader's own processes; the kernels are the sandbox's
WORKER = "nnkit.batch.worker"
KERNEL = "ipykernel"  # in a kernel's command line, sandboxed (bwrap's arguments) or not


def stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name (field 3, the state, first), or None when gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def parents() -> dict[int, int]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = stat_fields(int(entry.name))
            if fields:
                found[int(entry.name)] = int(fields[1])
    return found


def command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def identity(pid: int) -> tuple[int, int] | None:
    """(pid, start time): a pid the kernel reuses later is another process."""
    fields = stat_fields(pid)
    return (pid, int(fields[19])) if fields else None


def running(process: tuple[int, int]) -> bool:
    fields = stat_fields(process[0])
    return bool(fields) and int(fields[19]) == process[1] and fields[0] not in ("Z", "X")


class Watch(threading.Thread):
    """The tree under `pid`, sampled until `stop()`."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval, self.done = pid, interval, threading.Event()
        self.seen: dict[tuple[int, int], str] = {}  # every process of the tree: its command line
        self.peaks: dict[int, int] = {}  # the grader's own processes: their peak resident set (VmHWM)
        self.workers: set[int] = set()
        self.most_grading = 0  # the most workers seen at one moment, each with a kernel of its own
        self.start()

    def run(self):
        while True:
            self.sample()
            if self.done.wait(self.interval):
                return

    def sample(self):
        tree_of = {}
        for pid, parent in parents().items():
            tree_of.setdefault(parent, []).append(pid)
        tree, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo += tree_of.get(pid, [])
        commands = {pid: command(pid) for pid in tree}
        for pid in tree:
            process = identity(pid)
            if process:
                self.seen.setdefault(process, commands[pid])
        grading = 0
        for pid in tree:
            if any(name in commands[pid] for name in GRADER):
                self.peaks[pid] = max(peak_resident(pid), self.peaks.get(pid, 0))
            if WORKER in commands[pid]:
                self.workers.add(pid)
                below, kernel = list(tree_of.get(pid, [])), False
                while below and not kernel:
                    child = below.pop()
                    kernel = KERNEL in commands.get(child, "")
                    below += tree_of.get(child, [])
                grading += kernel
        self.most_grading = max(self.most_grading, grading)

    def stop(self) -> "Watch":
        self.done.set()
        self.join()
        return self

    def peak_memory(self) -> int:
        """The largest peak of any of the grader's own processes, in bytes."""
        return max(self.peaks.values(), default=0)

    def still_running(self) -> list[str]:
        """Each process of the tree that still runs: 'pid command'."""
        return [f"{pid} {cmd}" for (pid, started), cmd in self.seen.items() if running((pid, started))]


def peak_resident(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmHWM:")), 0)
