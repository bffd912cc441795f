"""The locks that keep two batches from grading the same submissions at once: before it grades, a
batch takes, without waiting, a POSIX record lock on one byte per submission (the student's, in
outcomes/locks/<assignment>.lock), so overlapping batches exclude each other while the shards of
one course run side by side, and a batch that dies holds nothing. Preparing waits for another
preparation (prepare.lock); collecting takes no lock. How instructors use it: docs/instructors.md
(Grading at class scale).
"""
import contextlib
import fcntl
import hashlib
import os
from pathlib import Path

from nnkit.sandbox import state_folders

OFFSETS = 2**56  # a student's byte among these: a collision of two ids is about 1 in 10^16 per pair


LOCKS = "locks"  # in the course's state (state_folders.course_state): outcomes/locks


def folder(root: Path) -> Path:
    return state_folders.course_state(root) / LOCKS


def offset(student: str) -> int:
    return int.from_bytes(hashlib.sha256(student.encode()).digest()[:8], "big") % OFFSETS


class Busy(RuntimeError):
    """Another batch holds some of the submissions this one was to grade."""

    def __init__(self, held: list[tuple[str, str]]):
        self.held = held
        shown = ", ".join(f"{student} / {assignment}" for student, assignment in held[:3])
        more = f" and {len(held) - 3} more" if len(held) > 3 else ""
        super().__init__(f"another batch is grading {len(held)} of these submissions ({shown}{more}): nothing was "
                         "graded; wait for it to finish, or grade other students (--shard I/N, --assignment)")


@contextlib.contextmanager
def grading(root: Path, tasks: list[tuple[str, str]]):
    """Hold the (student, assignment) submissions `tasks` for this process; Busy when another holds any."""
    folder(root).mkdir(parents=True, exist_ok=True)
    files: dict[str, int] = {}
    try:
        held = []
        for student, assignment in tasks:
            if assignment not in files:
                files[assignment] = os.open(folder(root) / f"{assignment}.lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.lockf(files[assignment], fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset(student))
            except OSError:  # EAGAIN or EACCES: another process holds it
                held.append((student, assignment))
        if held:
            raise Busy(held)
        yield
    finally:
        for descriptor in files.values():
            os.close(descriptor)  # releases every lock this process holds on the file


@contextlib.contextmanager
def preparing(root: Path):
    """Hold the course's preparation (waiting for another batch's to finish)."""
    folder(root).mkdir(parents=True, exist_ok=True)
    with open(folder(root) / "prepare.lock", "a") as f:
        fcntl.lockf(f, fcntl.LOCK_EX)
        yield
