"""Kernels' runtime folders (nnkit.sandbox.runtime.Runtime) left behind by a grader that was killed are
swept by the next grader of the same user; one in use never is; root's are in one place per machine,
whatever root's environment says (tests/sandbox/test_state_folders.py)."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nnkit.sandbox import leases, runtime

ROOT = os.geteuid() == 0
LEFT = "import sys; from nnkit.sandbox.runtime import Runtime; r = Runtime({uid}); print(r.path, flush=True); {then}"


def runtime_in_child(then: str) -> tuple[subprocess.Popen, Path]:
    """A grader process that makes a runtime folder, then does `then` (exits without removing it,
    or waits)."""
    uid = leases.UID_BASE + leases.UID_SLOTS - 2  # a slot the tests' kernels do not reach
    child = subprocess.Popen([sys.executable, "-c", LEFT.format(uid=uid, then=then)], stdout=subprocess.PIPE,
                             text=True, cwd=Path(__file__).resolve().parents[2])
    return child, Path(child.stdout.readline().strip())


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_folder_left_by_a_killed_grader_is_swept_by_the_next_one():
    child, left = runtime_in_child("import os; os._exit(0)")
    child.wait(timeout=120)
    assert left.is_dir(), "the killed grader left its runtime folder"
    age(left, runtime.Runtime.STALE_SECONDS + 1)
    successor = runtime.Runtime(leases.UID_BASE + leases.UID_SLOTS - 3)
    try:
        assert not left.exists()
    finally:
        successor.remove()


def test_a_folder_in_use_is_never_swept_however_old():
    child, held = runtime_in_child("import time; time.sleep(600)")
    try:
        age(held, runtime.Runtime.STALE_SECONDS * 100)
        assert str(held) not in runtime.sweep_stale(str(held.parent))
        assert held.is_dir()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    assert str(held) in runtime.sweep_stale(str(held.parent)), "once its grader is gone it is swept"


def test_a_fresh_folder_is_left_to_the_grader_making_it():
    """Between mkdtemp and its lock a folder is nobody's: it is left alone while young."""
    import tempfile

    fresh = Path(tempfile.mkdtemp(prefix=runtime.Runtime.PREFIX, dir=runtime.Runtime.parent()))
    try:
        assert str(fresh) not in runtime.sweep_stale(str(fresh.parent)) and fresh.is_dir()
    finally:
        fresh.rmdir()


def test_a_link_or_another_users_folder_is_never_swept(tmp_path):
    target = tmp_path / "precious"
    target.mkdir()
    (target / "keep").write_text("x")
    parent = tmp_path / "runtime"
    parent.mkdir()
    (parent / f"{runtime.Runtime.PREFIX}link").symlink_to(target)
    age(target, 10_000)
    runtime.sweep_stale(str(parent))
    assert (target / "keep").exists()
    if ROOT:
        other = parent / f"{runtime.Runtime.PREFIX}other"
        other.mkdir()
        os.chown(other, 65534, 65534)
        age(other, 10_000)
        runtime.sweep_stale(str(parent))
        assert other.is_dir()


@pytest.mark.skipif(not ROOT, reason="only root mounts the sockets' folder")
def test_a_link_the_kernel_puts_in_place_of_a_socket_is_never_followed(tmp_path):
    """The kernel owns its sockets' folder and may replace a socket by a link to any Unix socket of
    the host; the grader's client reconnecting through that path must not reach it."""
    import socket

    target = tmp_path / "host.sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(target))
    listener.listen()
    folder = runtime.Runtime(leases.UID_BASE + leases.UID_SLOTS - 4)
    try:
        folder.fresh_sockets()
        planted = folder.sockets / "k-5555"
        planted.symlink_to(target)
        client = socket.socket(socket.AF_UNIX)
        with pytest.raises(OSError) as refused:
            client.connect(str(planted))
        client.close()
        assert "symbolic links" in str(refused.value) or refused.value.errno == 40  # ELOOP
        direct = socket.socket(socket.AF_UNIX)
        direct.connect(str(target))  # the control: the listener itself is reachable
        direct.close()
    finally:
        folder.remove()
        listener.close()


@pytest.mark.skipif(not ROOT, reason="the sockets' folders are mounted by root alone")
def test_a_listed_sockets_mount_that_is_not_there_is_skipped_and_one_that_is_there_is_swept(tmp_path):
    """A mount the table lists but that is not reachable at its path (a mount namespace's copy of
    another grader's, hidden under a tmpfs; or gone meanwhile) is left alone: before, its lstat
    raised, and every kernel of the batch 'could not start'. One that is there is unmounted and removed."""
    uid = leases.UID_BASE + leases.UID_SLOTS - 3
    parent = tmp_path / "runtime"
    parent.mkdir()
    left = parent / f"{runtime.Runtime.PREFIX}{uid}-leftover"
    (left / runtime.Runtime.SOCKETS).mkdir(parents=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", runtime.Runtime.SOURCE, str(left / runtime.Runtime.SOCKETS)],
        check=True,
    )
    table = Path("/proc/self/mountinfo").read_text()
    gone = f"{parent}/{runtime.Runtime.PREFIX}{uid}-gone/{runtime.Runtime.SOCKETS}"
    table += f"999 1 0:99 / {gone} rw,relatime shared:1 - tmpfs {runtime.Runtime.SOURCE} rw,size=1024k\n"
    try:
        runtime.sweep_mounts(str(parent), uid, table)
        assert not left.exists() and not os.path.ismount(left / runtime.Runtime.SOCKETS)
    finally:
        subprocess.run(["umount", "--lazy", str(left / runtime.Runtime.SOCKETS)], capture_output=True)
