"""A submission's files, read and copied without following anything: a submission is its regular
files and folders. `copy_tree` copies one as nbgrader's collect would, opening each entry with
O_NOFOLLOW | O_NONBLOCK and recording anything else (a link, a pipe, a socket) as a link that can
never resolve; `special_entries` lists those for the pre-check; every walk is a loop, at most
limits.FOLDER_DEPTH deep; `hardlinks_unprotected` says when the kernel's fs.protected_hardlinks is
off (the batch and collect then refuse to run). Why: docs/grading.md (What crosses into the
kernel: a submission's files, never a link).
"""
import errno
import os
import stat
import sys
from pathlib import Path

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


def walk(folder: Path):
    """(path relative to `folder`, its path, its lstat mode, whether it is a folder too deep to
    enter) of every entry under `folder`, depth first, sorted by name in each folder; without
    recursion (a student's folders can nest thousands deep), following no link, entering no folder
    deeper than limits.FOLDER_DEPTH. Opens nothing but folders."""
    def listed(path) -> list:
        with os.scandir(path) as scan:
            return sorted(scan, key=lambda e: e.name)

    stack = [(iter(listed(folder)), "", 0)]  # one frame per open level: (entries left, relative name, depth)
    while stack:
        left, relative, depth = stack[-1]
        entry = next(left, None)
        if entry is None:
            stack.pop()
            continue
        mode = entry.stat(follow_symlinks=False).st_mode
        deep = stat.S_ISDIR(mode) and depth + 1 > limits.FOLDER_DEPTH
        yield relative + entry.name, Path(entry.path), mode, deep
        if stat.S_ISDIR(mode) and not deep:
            stack.append((iter(listed(entry.path)), f"{relative}{entry.name}/", depth + 1))


def special_entries(folder: Path) -> list[tuple[str, str]]:
    """(path relative to `folder`, what it is) of every entry under `folder` that is not a regular
    file or folder, or is a folder too deep to enter; a link `copy_tree` left in place of one says
    what it was. Opens nothing but folders."""
    found = []
    for name, path, mode, deep in walk(folder):
        if deep:
            found.append((name, too_deep()))
        elif not stat.S_ISDIR(mode) and not stat.S_ISREG(mode):
            text = os.readlink(path) if stat.S_ISLNK(mode) else ""
            found.append((name, f"{text.removeprefix(NOWHERE)}, not collected" if text.startswith(NOWHERE)
                          else kind(mode)))
    return found


def size(folder: Path) -> int:
    """The bytes of the regular files under `folder` (as nbgrader's get_size counts them), by `walk`."""
    return sum(path.lstat().st_size for _, path, mode, _ in walk(folder) if stat.S_ISREG(mode))


def copy_tree(src: Path, dest: Path, ignore=None, max_file_bytes: int | None = None) -> list[tuple[str, str]]:
    """Copy folder `src` to `dest` (which must not exist), following and opening nothing but its
    regular files and folders; returns what was recorded instead of copied, as `special_entries`
    (a folder deeper than limits.FOLDER_DEPTH among them). `ignore(folder, names)` is
    shutil.copytree's (nbgrader's include/exclude/size filter); no file is copied past the size it
    had when opened, or past `max_file_bytes`. Without recursion: one open folder per level."""
    recorded: list[tuple[str, str]] = []
    frames: list = []  # (folder's descriptor, its source path, its copy, its relative name, entries left)

    def enter(fd: int, src: Path, dest: Path, relative: str) -> None:
        frames.append((fd, src, dest, relative, None))
        os.mkdir(dest, 0o700)
        with os.scandir(fd) as scan:
            entries = sorted(scan, key=lambda e: e.name)
        skipped = set(ignore(str(src), [e.name for e in entries])) if ignore else set()
        frames[-1] = (fd, src, dest, relative, iter([e for e in entries if e.name not in skipped]))

    try:
        enter(os.open(src, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW), Path(src), Path(dest), "")
        while frames:
            fd, here, there, relative, left = frames[-1]
            entry = next(left, None)
            if entry is None:
                os.chmod(there, stat.S_IMODE(os.stat(fd).st_mode) | 0o700)
                os.close(frames.pop()[0])
                continue
            mode = entry.stat(follow_symlinks=False).st_mode
            target, name = there / entry.name, relative + entry.name
            if stat.S_ISDIR(mode):
                if len(frames) > limits.FOLDER_DEPTH:
                    record(target, name, too_deep(), recorded)
                    continue
                try:
                    inner = os.open(entry.name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                except OSError:  # swapped for something else since it was listed
                    record(target, name, "a folder that changed while it was copied", recorded)
                    continue
                enter(inner, here / entry.name, target, name + "/")
            elif stat.S_ISREG(mode):
                what = copy_file_at(fd, entry.name, target, max_file_bytes)
                if what:
                    record(target, name, what, recorded)
            else:
                record(target, name, kind(mode), recorded)
    finally:
        for frame in frames:
            os.close(frame[0])
    return recorded


def record(target: Path, name: str, what: str, recorded: list) -> None:
    os.symlink(NOWHERE + what, target)
    recorded.append((name, what))


def copy_file_at(fd: int, name: str, target: Path, max_bytes: int | None = None) -> str:
    """Copy regular file `name` of the folder open as `fd` to `target`; '' when copied, else what
    it turned out to be (it was swapped since it was listed, or grew past `max_bytes`). At most the
    size it had when opened is copied: a student who keeps appending to it cannot fill the disk."""
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
        out = os.open(
            target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, stat.S_IMODE(status.st_mode) | 0o600
        )
        try:
            left = status.st_size
            while left > 0 and (chunk := os.read(source, min(CHUNK, left))):
                os.write(out, chunk)
                left -= len(chunk)
        finally:
            os.close(out)
        os.utime(target, ns=(status.st_atime_ns, status.st_mtime_ns), follow_symlinks=False)
        return ""
    finally:
        os.close(source)


def copy_file(src: Path, dest: Path) -> str:
    """Copy one regular file (not a link to one); '' when copied, else what `src` is."""
    parent = os.open(Path(src).parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return copy_file_at(parent, Path(src).name, Path(dest))
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
