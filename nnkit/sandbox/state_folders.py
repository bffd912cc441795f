"""Where the kit keeps its state, each kind in its own place (per machine: root's uid leases and
kernels' runtime folders under /run/nnkit; per user: an ordinary grader's runtime folders; per
course: outcomes/ and the gradebook), made and opened so that nothing in a place another user can
write is ever followed or trusted: each folder opened by descriptor from a trusted parent with
OPEN_FOLDER, then checked by fstat (owner, mode). The table of places: docs/state.md.
"""
import contextlib
import errno
import os
import secrets
import shutil
import stat
import tempfile
from functools import cache
from pathlib import Path

# Per machine: the first of these that is root's and that no one else can write holds the leases.
MACHINE_PARENTS = (Path("/run"), Path("/var/lib"))
MACHINE_STATE = ("nnkit", "sandbox-uids")  # under the parent: /run/nnkit/sandbox-uids
MACHINE_RUNTIME = ("nnkit", "runtime")  # root's kernels' runtime folders: /run/nnkit/runtime
# Per user: the fallback when XDG_RUNTIME_DIR is unset (no systemd or logind) or unusable.
USER_FALLBACK_PARENT = Path("/tmp")
USER_FALLBACK_NAME = "nnkit-{uid}"
USER_SUBFOLDER = "nnkit"  # in XDG_RUNTIME_DIR
# A kernel's sockets are <place>/nnk-XXXXXXXX/k-<port>: the place may take this many bytes at most.
SOCKET_ROOM = 64
# Per course.
COURSE_STATE = "outcomes"
OPEN_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class PlaceUnavailable(RuntimeError):
    """A place for the kit's state cannot be made safely here; the message says where and why."""


def _problem(info: os.stat_result, mode: int) -> str:
    """What is wrong with a folder we are about to use ('' when nothing is)."""
    if not stat.S_ISDIR(info.st_mode):
        return "not a folder"
    if info.st_uid != os.geteuid():
        return f"owned by uid {info.st_uid}, not {os.geteuid()}"
    if stat.S_IMODE(info.st_mode) & ~mode & 0o077:
        return f"mode {stat.S_IMODE(info.st_mode):o}: others may write or read it"
    return ""


def _describe(parent: int, name: str) -> str:
    with contextlib.suppress(OSError):
        info = os.lstat(name, dir_fd=parent)
        if stat.S_ISLNK(info.st_mode):
            return f"a symlink (to {os.readlink(name, dir_fd=parent)})"
        if not stat.S_ISDIR(info.st_mode):
            return "not a folder"
    return "not a folder it can open"


def _remove(parent: int, name: str) -> None:
    """Take `name` away from the folder open as `parent` without following anything in it: renamed
    aside first (so another grader makes a fresh one meanwhile), then deleted."""
    aside = f".{name}.removed-{secrets.token_hex(4)}"
    try:
        os.rename(name, aside, src_dir_fd=parent, dst_dir_fd=parent)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(os.lstat(aside, dir_fd=parent).st_mode):
        shutil.rmtree(aside, dir_fd=parent)  # fd-based: never follows a link inside (avoids_symlink_attacks)
    else:
        os.unlink(aside, dir_fd=parent)


def open_folder(parent: int, name: str, where: str, mode: int = 0o700, replace: bool = False) -> int:
    """A descriptor of the folder `name` in the folder open as `parent`, made if missing, ours and
    with no more than `mode` for others; never through a symlink. What is wrong in its place is
    removed and made again when `replace` (only for a parent no one else can write), otherwise
    refused with PlaceUnavailable. `where` is its path, for messages."""
    for _ in range(3):
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, mode, dir_fd=parent)
        try:
            folder = os.open(name, OPEN_FOLDER, dir_fd=parent)
        except OSError as error:
            if error.errno in (errno.EACCES, errno.EPERM):  # another user's private folder
                problem = f"a folder it may not open ({os.strerror(error.errno)}: another user's?)"
            elif error.errno in (errno.ELOOP, errno.ENOTDIR):
                problem = _describe(parent, name)
            else:
                raise
        else:
            info = os.fstat(folder)
            problem = _problem(info, mode)
            if not problem:
                if stat.S_IMODE(info.st_mode) != mode:  # ours, made under a umask: exactly `mode`
                    os.fchmod(folder, mode)
                return folder
            os.close(folder)
        if not replace:
            raise PlaceUnavailable(f"{where} is {problem}")
        _remove(parent, name)
    raise PlaceUnavailable(f"{where} keeps being replaced by something else while the kit makes it")


def trusted_parent(path: Path) -> int | None:
    """A descriptor of `path` when it is a folder of root's that no one else can write, else None."""
    try:
        folder = os.open(path, OPEN_FOLDER)
    except OSError:
        return None
    info = os.fstat(folder)
    if info.st_uid != 0 or info.st_mode & 0o022:
        os.close(folder)
        return None
    return folder


@contextlib.contextmanager
def machine_leases():
    """The folder of root's sandbox uid leases, open (a descriptor), for root only: per machine,
    in a root-owned place no other user can create or write. Whatever stands in its place that is
    not root's own private folder (a symlink, another owner's folder, a loose mode) is replaced."""
    if os.geteuid() != 0:
        raise PlaceUnavailable("only root hands out sandbox uids")
    with machine_folder(MACHINE_STATE) as (leases, _):
        yield leases


def machine_runtime() -> Path:
    """Root's runtime place (MACHINE_RUNTIME), made and checked like the leases' folder."""
    with machine_folder(MACHINE_RUNTIME) as (_, path):
        return path


def machine_base() -> Path:
    """The first of MACHINE_PARENTS that is root's and that no one else can write."""
    return next((p for p in MACHINE_PARENTS if p.is_dir() and not p.is_symlink() and p.stat().st_uid == 0
                 and not p.stat().st_mode & 0o022), MACHINE_PARENTS[0])


@contextlib.contextmanager
def machine_folder(names: tuple[str, ...]):
    """A per-machine folder of root's (the parent first of MACHINE_PARENTS that is trusted, then
    `names`: the first 0755, the last 0700), open (descriptor, path), each step checked and never
    through a link."""
    for base in MACHINE_PARENTS:
        parent = trusted_parent(base)
        if parent is not None:
            break
    else:
        raise PlaceUnavailable(f"none of {', '.join(map(str, MACHINE_PARENTS))} is a folder of root's that only root "
                               "can write: nowhere safe for the sandbox's uid leases")
    folders = [parent]
    try:
        path = base
        for name, mode in zip(names, (0o755, 0o700), strict=True):
            path = path / name
            folders.append(open_folder(folders[-1], name, str(path), mode, replace=True))
        yield folders[-1], path
    finally:
        for folder in folders:
            os.close(folder)


def leases_path() -> Path:
    """Where the leases are (for messages and docs): the first trusted parent's folder."""
    return machine_base().joinpath(*MACHINE_STATE)


def open_lease(leases: int, slot: int) -> int:
    """A descriptor of slot's lease file in the (checked) lease folder: created if missing, never
    through a link, and only if it is a regular file of root's; OSError otherwise."""
    handle = os.open(f"{slot}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=leases)
    info = os.fstat(handle)
    if not stat.S_ISREG(info.st_mode) or info.st_uid != 0:
        os.close(handle)
        raise PermissionError(errno.EPERM, f"lease {slot} is not a regular file of root's")
    return handle


def _private_runtime_dir(value: str | None) -> Path | None:
    """XDG_RUNTIME_DIR when it is usable: absolute, short enough, a folder of ours others cannot enter."""
    if not value or not os.path.isabs(value) or len(value) + len(USER_SUBFOLDER) + 1 > SOCKET_ROOM:
        return None
    try:
        info = os.lstat(value)
    except OSError:
        return None
    return Path(value) if stat.S_ISDIR(info.st_mode) and not _problem(info, 0o700) else None


@cache
def user_runtime() -> Path:
    """Where this user's kernels get their runtime folders: per user, private (0700, ours),
    short enough for Unix socket paths; root's is per machine. See the module's table."""
    if os.geteuid() == 0:
        return machine_runtime()
    private = _private_runtime_dir(os.environ.get("XDG_RUNTIME_DIR"))
    if private is not None:
        parent, name, replace = os.open(private, OPEN_FOLDER), USER_SUBFOLDER, True
        where = private / name
    else:
        parent, name, replace = (
            os.open(USER_FALLBACK_PARENT, OPEN_FOLDER),
            USER_FALLBACK_NAME.format(uid=os.geteuid()),
            False,
        )
        where = USER_FALLBACK_PARENT / name
    try:
        os.close(open_folder(parent, name, str(where), 0o700, replace))
        return where
    except PlaceUnavailable:  # the name is taken in the shared /tmp (another user's, a link): a fresh one
        return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=USER_FALLBACK_PARENT))
    finally:
        os.close(parent)


def course_state(root: Path) -> Path:
    """Per course: the batch's outcomes (outcomes/<assignment>/<student>.json), its logs and its locks
    (nnkit.batch.locks)."""
    return Path(root) / COURSE_STATE
