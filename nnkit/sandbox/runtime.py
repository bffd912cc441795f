"""A kernel's runtime folder, shared with the grader: its connection file and its sockets, made so
that nothing in it is a lever on the grader; and the sweeps of what a killed grader left.
"""
import fcntl
import os
import shutil
import stat
import subprocess
import tempfile
import time
from pathlib import Path

from nnkit.kernel import limits
from nnkit.sandbox import state_folders
from nnkit.sandbox.bwrap import SandboxUnavailable
from nnkit.sandbox.leases import UID_BASE, UID_SLOTS


class Runtime:
    """The folder a kernel shares with the grader, made so that nothing in it is a lever on the grader.

    The folder itself (`path`, from mkdtemp: mode 0700, the grader's) is never shown to the kernel.
    The kernel sees two things in it, at the same paths as the grader (its sockets' paths are in the
    connection file):
    - the connection file, written by the grader (jupyter_client), bound read-only; as root it is the
      grader's with the group of the kernel's uid, mode 0640, changed through a descriptor opened
      with O_NOFOLLOW: the kernel reads it, and can neither change, replace nor remove it;
    - the sockets' folder `s/`, where the kernel binds its sockets (in jupyter_client's ipc
      transport the kernel creates them, so it must be able to create files there, and nowhere
      else). As root it is a tmpfs of its own that the grader mounts (RUNTIME_BYTES, RUNTIME_FILES
      of nnkit.kernel.limits; owned by the kernel's uid; nosuid, nodev, noexec, and nosymfollow where the
      system has it: a link the kernel puts in place of a socket is never followed, so the grader
      connects to nothing else). Before every start of a kernel, restarts included, the grader
      unmounts it (lazily: a straggler of the last kernel writes into a detached tmpfs), removes
      the folder and makes a new one: nothing the last kernel left survives, and the sockets keep
      their paths, so nbclient's client reconnects.
      As an ordinary user no mount is possible: the folder is then on the file system of
      XDG_RUNTIME_DIR (systemd's per-user tmpfs, size-limited) when there is one, else of the
      temporary folder, bounded only by RLIMIT_FSIZE per file and that file system's space.
    The grader opens nothing the kernel could have touched: it only unlinks its socket files
    (jupyter_client's cleanup, which follows no link) and connects to them.
    """
    SOCKETS, CONNECTION_FILE, SOURCE, PREFIX = "s", "kernel.json", "nnkit-sockets", "nnk-"
    # A folder nobody holds is swept once it is this old: a fresh one is locked a moment after mkdtemp.
    STALE_SECONDS = 60
    SOCKET_PATH_MAX = 107  # sun_path holds 108 bytes with its terminating NUL

    def __init__(self, uid: int):
        self.uid, self.root = uid, os.geteuid() == 0
        parent = self.parent()
        if self.root:
            sweep_mounts(parent, uid)
        sweep_stale(parent)
        self.path = Path(tempfile.mkdtemp(prefix=f"{self.PREFIX}{uid}-", dir=parent)).resolve()
        # Held while the folder is in use: the lock dies with its grader, so the next grader of
        # this user knows that a folder nobody holds was left behind (sweep_stale).
        self.held = os.open(self.path, state_folders.OPEN_FOLDER)
        fcntl.flock(self.held, fcntl.LOCK_EX)
        self.sockets, self.connection_file = self.path / self.SOCKETS, self.path / self.CONNECTION_FILE
        self.ip = str(self.sockets / "k")  # jupyter_client appends -<port>

    @classmethod
    def parent(cls) -> str:
        """Where the runtime folders go: short enough for every socket path (k-<port> in s/)."""
        chosen = str(state_folders.user_runtime())  # per user, private, checked (nnkit.sandbox.state_folders)
        longest = os.path.join(
            os.path.realpath(chosen), f"{cls.PREFIX}{UID_BASE + UID_SLOTS}-xxxxxxxx", cls.SOCKETS, "k-65535"
        )
        return chosen if len(longest.encode()) <= cls.SOCKET_PATH_MAX else tempfile.gettempdir()

    @classmethod
    def view(cls, path: Path) -> list[str]:
        """What the kernel sees of the runtime folder at `path`."""
        sockets, connection = path / cls.SOCKETS, path / cls.CONNECTION_FILE
        return ["--ro-bind", str(connection), str(connection), "--bind", str(sockets), str(sockets)]

    def fresh_sockets(self) -> None:
        """A new, empty sockets' folder (a tmpfs of its own as root) at the same path."""
        self.release_sockets()
        os.mkdir(self.sockets, 0o700)
        if self.root:
            options = (f"size={limits.RUNTIME_BYTES},nr_inodes={limits.RUNTIME_FILES},mode=0700,uid={self.uid},"
                       f"gid={self.uid},nosuid,nodev,noexec")
            for extra in (",nosymfollow", ""):  # nosymfollow: Linux 5.10 and later
                mounted = subprocess.run(
                    ["mount", "-t", "tmpfs", "-o", options + extra, self.SOURCE, str(self.sockets)],
                    capture_output=True,
                    text=True,
                )
                if mounted.returncode == 0:
                    break
            if mounted.returncode != 0:
                raise SandboxUnavailable(f"cannot mount the kernel's sockets' folder: {mounted.stderr.strip()[:200]}")

    def release_sockets(self) -> None:
        if self.root and os.path.ismount(self.sockets):
            subprocess.run(["umount", "--lazy", str(self.sockets)], capture_output=True)
        shutil.rmtree(self.sockets, ignore_errors=True)  # rmtree follows no link

    def check_connection_file(self) -> bool:
        """Whether the connection file is a regular file of the grader's, by lstat (opens nothing)."""
        try:
            status = os.lstat(self.connection_file)
        except FileNotFoundError:
            return True  # not written yet
        return stat.S_ISREG(status.st_mode) and status.st_uid == os.geteuid() and status.st_nlink == 1

    def share_connection_file(self) -> None:
        """Let the kernel's uid read the connection file, and nothing more, through a descriptor."""
        if not self.root:
            return  # the kernel is the grader's own uid in its user namespace; the bind is read-only
        fd = os.open(self.connection_file, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise SandboxUnavailable(f"{self.connection_file} is not a regular file")
            os.fchown(fd, -1, self.uid)
            os.fchmod(fd, 0o640)
        finally:
            os.close(fd)

    def remove(self) -> None:
        self.release_sockets()
        shutil.rmtree(self.path, ignore_errors=True)
        if self.held is not None:
            os.close(self.held)
            self.held = None


def sweep_mounts(parent: str, uid: int, mountinfo: str | None = None) -> None:
    """Unmount the sockets' folders a grader holding `uid` before us left mounted (it was killed):
    the uid's lease is ours now, so nobody else uses them. A mount point listed but not reachable at
    its path (something mounted over it, or gone meanwhile) is left alone: it is no folder of ours."""
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text()
        except OSError:
            return
    prefix = os.path.join(os.path.realpath(parent), f"{Runtime.PREFIX}{uid}-")
    for line in mountinfo.splitlines():
        fields = line.split(" - ")
        point = fields[0].split()[4].replace("\\040", " ")
        kind = fields[1].split()[:2] if len(fields) > 1 else []
        if kind == ["tmpfs", Runtime.SOURCE] and point.startswith(prefix) and point.endswith("/" + Runtime.SOCKETS):
            folder = Path(point).parent
            try:
                info = folder.lstat()
            except OSError:
                continue  # not reachable at its path: no folder of ours
            if info.st_uid != 0 or stat.S_ISLNK(info.st_mode):
                continue  # a link, or not root's: umount would follow it
            subprocess.run(["umount", "--lazy", point], capture_output=True)
            shutil.rmtree(folder, ignore_errors=True)


def sweep_stale(parent: str) -> list[str]:
    """Remove the runtime folders in `parent` that their grader left behind when it was killed:
    ours, older than Runtime.STALE_SECONDS, and held by nobody (Runtime.held). A sockets' tmpfs
    still mounted in one (root) is unmounted first. Nothing is followed: a link or a folder of
    someone else's is left alone. Returns the paths removed."""
    removed = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(Runtime.PREFIX):
            continue
        try:
            folder = os.open(entry.path, state_folders.OPEN_FOLDER)
        except OSError:
            continue  # a link, a file, another user's: not ours to sweep
        try:
            info = os.fstat(folder)
            if info.st_uid != os.geteuid() or time.time() - info.st_mtime < Runtime.STALE_SECONDS:
                continue
            try:
                fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # its grader is alive
            sockets = os.path.join(entry.path, Runtime.SOCKETS)
            if os.geteuid() == 0 and os.path.ismount(sockets):
                subprocess.run(["umount", "--lazy", sockets], capture_output=True)
            shutil.rmtree(entry.path, ignore_errors=True)  # rmtree follows no link
            removed.append(entry.path)
        finally:
            os.close(folder)
    return removed
