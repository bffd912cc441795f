"""A submission's files, read and copied without following anything: a submission is its regular
files and folders. `copy_tree` copies one as nbgrader's collect would, opening each entry with
O_NOFOLLOW | O_NONBLOCK and recording anything else (a link, a pipe, a socket) as a link that can
never resolve; `special_entries` lists those for the pre-check; every walk is a loop, at most
limits.FOLDER_DEPTH deep; `hardlinks_unprotected` says when the kernel's fs.protected_hardlinks is
off (the batch and collect then refuse to run). Why: docs/sandbox.md (What crosses into the
kernel: a submission's files, never a link).
"""
import errno
import os
import stat
import sys
from pathlib import Path
from typing import NamedTuple

from nnkit.kernel import limits

NOWHERE = "/dev/null/not collected: "  # the text of a link recording an entry that was not copied
HARDLINKS_SYSCTL = Path("/proc/sys/fs/protected_hardlinks")
KINDS = {stat.S_IFLNK: "a symbolic link", stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket",
         stat.S_IFCHR: "a device", stat.S_IFBLK: "a device"}
CHUNK = 2**20


def kind(mode: int) -> str:
    return KINDS.get(stat.S_IFMT(mode), "not a regular file")


def too_deep() -> str:
    return f"a folder nested deeper than {limits.FOLDER_DEPTH} levels (not entered)"


class Found(NamedTuple):
    """One entry of a walk: its path relative to the walked folder (for messages: nnkit.collect.escape
    shows it), the descriptor of the folder that holds it and its name there (for every call on it:
    `dir_fd=`), its lstat, and whether it is a folder too deep to enter."""
    relative: str
    dir_fd: int
    name: str
    status: os.stat_result
    deep: bool


def open_folder(name, dir_fd: int | None = None) -> int:
    return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)


def walk(folder: Path):
    """Every entry under `folder` (`Found`), depth first, sorted by name in each folder; without
    recursion (a student's folders can nest thousands deep), following no link, entering no folder
    deeper than limits.FOLDER_DEPTH. Every call is relative to an open folder's descriptor, never a
    rebuilt full path: a path longer than PATH_MAX, or any name the filesystem allows, is walked like
    any other. A descriptor is valid until the walk moves past its folder. Opens nothing but folders."""
    def listed(fd: int) -> list:
        with os.scandir(fd) as scan:
            return sorted(scan, key=lambda e: e.name)

    top = open_folder(folder)
    # one frame per open level: (its descriptor, entries left, relative name, depth)
    stack = [(top, iter(listed(top)), "", 0)]
    try:
        while stack:
            fd, left, relative, depth = stack[-1]
            entry = next(left, None)
            if entry is None:
                os.close(stack.pop()[0])
                continue
            status = entry.stat(follow_symlinks=False)
            deep = stat.S_ISDIR(status.st_mode) and depth + 1 > limits.FOLDER_DEPTH
            yield Found(relative + entry.name, fd, entry.name, status, deep)
            if stat.S_ISDIR(status.st_mode) and not deep:
                try:
                    inner = open_folder(entry.name, fd)
                except OSError:  # swapped for something else since it was listed: walked as nothing
                    continue
                stack.append((inner, iter(listed(inner)), f"{relative}{entry.name}/", depth + 1))
    finally:
        for frame in stack:
            os.close(frame[0])


def special_entries(folder: Path) -> list[tuple[str, str]]:
    """(path relative to `folder`, what it is) of every entry under `folder` that is not a regular
    file or folder, or is a folder too deep to enter; a link `copy_tree` left in place of one says
    what it was. Opens nothing but folders."""
    return [(found.relative, what) for found in walk(folder) if (what := special(found))]


def special(found: Found) -> str:
    """What a walked entry is when it is not a regular file or a folder that can be entered ('' when it is)."""
    mode = found.status.st_mode
    if found.deep:
        return too_deep()
    if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
        return ""
    text = os.readlink(found.name, dir_fd=found.dir_fd) if stat.S_ISLNK(mode) else ""
    return f"{text.removeprefix(NOWHERE)}, not collected" if text.startswith(NOWHERE) else kind(mode)


def size(folder: Path) -> int:
    """The bytes of the regular files under `folder` (as nbgrader's get_size counts them), by `walk`."""
    return sum(found.status.st_size for found in walk(folder) if stat.S_ISREG(found.status.st_mode))


class Survey(NamedTuple):
    """What a submission holds, by one walk that reads no file: its entries (counted up to one past
    limits.SUBMISSION_FILES, where the walk stops), its regular files' bytes, its special entries and
    its paths longer than limits.PATH_BYTES (each as `special_entries`)."""
    entries: int
    bytes: int
    special: list
    long_paths: list


def survey(folder: Path) -> Survey:
    count, total, found_special, long_paths = 0, 0, [], []
    for found in walk(folder):
        count += 1
        if count > limits.SUBMISSION_FILES:
            break
        if stat.S_ISREG(found.status.st_mode):
            total += found.status.st_size
        if what := special(found):
            found_special.append((found.relative, what))
        if len(os.fsencode(found.relative)) > limits.PATH_BYTES:
            long_paths.append(found.relative)
    return Survey(count, total, found_special, long_paths)


def copy_tree(src: Path, dest: Path, ignore=None, max_file_bytes: int | None = None) -> list[tuple[str, str]]:
    """Copy folder `src` to `dest` (which must not exist), following and opening nothing but its
    regular files and folders; returns what was recorded instead of copied, as `special_entries`
    (a folder deeper than limits.FOLDER_DEPTH among them). `ignore(folder, names)` is
    shutil.copytree's (nbgrader's include/exclude/size filter); no file is copied past the size it
    had when opened, or past `max_file_bytes`. Without recursion: one open folder per level, on each
    side, every call relative to one (`walk`: any name, any length of path)."""
    recorded: list[tuple[str, str]] = []
    frames: list = []  # (source folder's descriptor, its copy's, its source path, its relative name, entries left)

    def enter(fd: int, made: int, src: Path, relative: str) -> None:
        frames.append((fd, made, src, relative, None))
        with os.scandir(fd) as scan:
            entries = sorted(scan, key=lambda e: e.name)
        skipped = set(ignore(str(src), [e.name for e in entries])) if ignore else set()
        frames[-1] = (fd, made, src, relative, iter([e for e in entries if e.name not in skipped]))

    def made_folder(name, dir_fd: int | None = None) -> int:
        os.mkdir(name, 0o700, dir_fd=dir_fd)
        return open_folder(name, dir_fd)

    try:
        top = open_folder(src)
        try:
            enter(top, made_folder(dest), Path(src), "")
        except BaseException:
            os.close(top)
            raise
        while frames:
            fd, there, here, relative, left = frames[-1]
            entry = next(left, None)
            if entry is None:
                os.chmod(there, stat.S_IMODE(os.stat(fd).st_mode) | 0o700)
                os.close(frames.pop()[0])
                os.close(there)
                continue
            mode = entry.stat(follow_symlinks=False).st_mode
            name = relative + entry.name
            if stat.S_ISDIR(mode):
                if len(frames) > limits.FOLDER_DEPTH:
                    record(there, entry.name, name, too_deep(), recorded)
                    continue
                try:
                    inner = open_folder(entry.name, fd)
                except OSError:  # swapped for something else since it was listed
                    record(there, entry.name, name, "a folder that changed while it was copied", recorded)
                    continue
                try:
                    copy = made_folder(entry.name, there)
                except BaseException:
                    os.close(inner)
                    raise
                enter(inner, copy, here / entry.name, name + "/")
            elif stat.S_ISREG(mode):
                what = copy_file_at(fd, entry.name, there, entry.name, max_file_bytes)
                if what:
                    record(there, entry.name, name, what, recorded)
            else:
                record(there, entry.name, name, kind(mode), recorded)
    finally:
        for frame in frames:
            os.close(frame[0])
            os.close(frame[1])
    return recorded


def record(dest_fd: int, target: str, name: str, what: str, recorded: list) -> None:
    os.symlink(NOWHERE + what, target, dir_fd=dest_fd)
    recorded.append((name, what))


def copy_file_at(fd: int, name: str, dest_fd: int | None, target, max_bytes: int | None = None) -> str:
    """Copy regular file `name` of the folder open as `fd` to `target` (in the folder open as
    `dest_fd`, or a path when None); '' when copied, else what it turned out to be (it was swapped
    since it was listed, or grew past `max_bytes`). At most the size it had when opened is copied:
    a student who keeps appending to it cannot fill the disk."""
    try:
        source = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
    except OSError as error:
        return "a symbolic link" if error.errno == errno.ELOOP else f"unreadable ({os.strerror(error.errno)})"
    try:
        status = os.fstat(source)
        if not stat.S_ISREG(status.st_mode):
            return kind(status.st_mode)
        if max_bytes is not None and status.st_size > max_bytes:
            return f"a file larger than {max_bytes} bytes (it grew after it was listed)"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        out = os.open(target, flags, stat.S_IMODE(status.st_mode) | 0o600, dir_fd=dest_fd)
        try:
            left = status.st_size
            while left > 0 and (chunk := os.read(source, min(CHUNK, left))):
                os.write(out, chunk)
                left -= len(chunk)
            os.utime(out, ns=(status.st_atime_ns, status.st_mtime_ns))
        finally:
            os.close(out)
        return ""
    finally:
        os.close(source)


def copy_file(src: Path, dest: Path) -> str:
    """Copy one regular file (not a link to one); '' when copied, else what `src` is."""
    parent = os.open(Path(src).parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return copy_file_at(parent, Path(src).name, None, Path(dest))
    finally:
        os.close(parent)


def hardlinks_unprotected() -> str:
    """Why a hard link in a submission could give a student another file's bytes ('' when it cannot)."""
    if not sys.platform.startswith("linux"):
        return ""
    try:
        value = HARDLINKS_SYSCTL.read_text().strip()
    except OSError:
        value = "unknown"
    if value in ("1", "2"):
        return ""
    return (f"fs.protected_hardlinks is {value} ({HARDLINKS_SYSCTL}): a student could hard-link a file of the "
            "course into a submission and have it copied; turn it on with `sysctl fs.protected_hardlinks=1`")
