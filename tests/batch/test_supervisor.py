"""The supervisor: a retry pass and another batch keep their own worker logs; a worker asked to exit
exits on its own."""
import io
import json
import os
import subprocess
import time

import pytest

from nnkit.batch import supervisor
from nnkit.gradebook.outcomes import Outcome

ASSIGNMENT = "activations"


# --- worker logs: one per worker, never overwritten --------------------------------------------

class FakeWorker:
    """A worker that grades at once (every submission graded) and writes its log as the real one does."""
    started = 0

    def __init__(self, root, log, threads):
        FakeWorker.started += 1
        with open(log, "w") as f:
            f.write(f"worker number {FakeWorker.started}\n")
        read, write = os.pipe()
        self.results, self.pipe, self.task = os.fdopen(read), os.fdopen(write, "w"), None
        self.process = subprocess.CompletedProcess([], 0)

    def send(self, task):
        self.task, self.since = task, time.monotonic()  # as the real one: the watchdog reads `since`
        if task is None:
            self.ask_to_exit()
        else:
            self.pipe.write(json.dumps(Outcome(task[0], task[1], True).as_dict()) + "\n")
            self.pipe.flush()

    def ask_to_exit(self):
        if not self.pipe.closed:
            self.pipe.close()

    def receive(self):
        line = self.results.readline()
        return Outcome(**json.loads(line)) if line else None

    def close(self, *_):
        self.ask_to_exit()
        self.results.close()


def test_a_retry_pass_and_another_batch_keep_their_own_worker_logs(tmp_path, monkeypatch):
    root = tmp_path / "course"
    monkeypatch.setattr(supervisor, "Worker", FakeWorker)
    progress = supervisor.Progress(2, stream=io.StringIO())
    supervisor.grade([("a", ASSIGNMENT)], root, 1, progress)  # a first pass, or one shard
    supervisor.grade([("a", ASSIGNMENT)], root, 1, progress)  # its retry pass, or another shard, the same second
    logs = sorted((root / "outcomes" / "logs").rglob("*.log"))
    assert len(logs) == 2 and {p.read_text() for p in logs} == {"worker number 1\n", "worker number 2\n"}, logs

# --- workers asked to exit are let exit ----------------------------------------------------------

@pytest.mark.slow
def test_a_worker_asked_to_exit_exits_on_its_own(course, tmp_path):
    worker = supervisor.Worker(course, tmp_path / "worker.log", None)
    worker.send(None)  # no more work
    worker.close()
    assert worker.process.returncode == 0, (worker.process.returncode, (tmp_path / "worker.log").read_text())
