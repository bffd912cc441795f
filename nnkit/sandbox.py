"""The sandbox every grading kernel runs in: bubblewrap (Debian's `bubblewrap`, the sandbox Flatpak
uses), started by jupyter_client through `SandboxedKernelManager`.

What a kernel sees, for one notebook (everything else of the machine is simply not there):
- read-only: /usr (without the system's Python packages), the Python interpreter and, of the
  course's environment, only the distributions an answer may use and the kernel needs (NumPy,
  Matplotlib, ipykernel and what they require: `ALLOWED_DISTRIBUTIONS`), the kit's kernel side
  (`KERNEL_SIDE`: what `record()` needs), each assignment's cases (never its `key/`) and the
  MNIST sample; not torch, scipy or anything else installed, not the references and solutions,
  `source/`, stored torch results, anyone's submission, the
  gradebook, the course config or the grader's home;
- writable, private, size-limited and discarded afterwards: its working folder /submission (the
  files of its submission shown read-only inside it), /tmp, /dev/shm and its home;
- no network (its own network namespace; it talks to nbgrader over unix sockets in a folder of
  its own, `Runtime`), its own PID namespace (it cannot see or signal anything outside, and
  everything it started dies with it), an unprivileged user of its own (a uid no other kernel
  has, so the process limit is its own), an environment built from an allow-list, and the limits
  of nnkit.limits applied by `prlimit` before it starts; its stdout and stderr go to /dev/null.
- a cgroup of its own for the whole process tree (nnkit.cgroups: memory with shared memory and
  tmpfs pages, processes, CPU weight), which the kernel's launcher joins before bwrap starts, where
  the machine and the grader's rights allow one (otherwise the per-process limits alone).

As root, bwrap sets the sandbox up and `setpriv` drops to the kernel's own uid inside it, leased
per machine in root's own folder (`UidLease`, nnkit.places); as any other user, bwrap needs
unprivileged user namespaces (docs/instructors.md), the kernel keeps the grader's uid and no state is
shared with other graders. Each kernel's sockets are in the grader's own place (nnkit.places).
"""
import fcntl
import importlib.metadata
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer

from nnkit import cgroups, exits, keyrings, limits, places, syscalls

# What the kernel side of the kit is: record() and what it imports. tests/test_sandbox.py checks
# that these modules import nothing else of the kit.
KERNEL_SIDE = ("__init__.py", "record.py", "records.py", "codec.py", "cases.py", "case.py", "inputs.py", "config.py",
               "i18n.py", "mnist.py", "limits.py")
# Of each assignment (assignments/<name>/), what the kernel sees: its cases, never its key/.
ASSIGNMENT_KERNEL_SIDE = ("__init__.py", "cases.py")
# What an answer may import besides the standard library and the kit's kernel side; the kernel
# needs ipykernel. Their dependencies come along (read from the installed metadata).
ALLOWED_DISTRIBUTIONS = ("numpy", "matplotlib", "ipykernel")
INSIDE_HOME, INSIDE_WORK, INSIDE_KIT = "/home/student", "/submission", "/kit"
# Environment variables a kernel gets from the grader's environment, when set there; nothing else.
PASSED_VARIABLES = (*limits.THREAD_VARIABLES, "NBGRADER_EXECUTION", "LANG")
UID_BASE, UID_SLOTS = 1_500_000, 4096  # sandbox users: far above any account's uid
OPT_OUT_VARIABLE = "NNKIT_NO_SANDBOX"  # set (to 1) by --no-sandbox; read by nbgrader_config.py
INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; `make test` and `make demo` "
                "do it as root), or grade code you trust with --no-sandbox")


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot be made on this machine: the grader refuses rather than run student code bare."""


@lru_cache(maxsize=None)
def unavailable() -> str:
    """Why no sandbox can be made here ('' when it can): bwrap, prlimit (and setpriv as root) missing,
    or namespaces refused. Checked by starting a trivial sandbox once."""
    tools = ["bwrap", "prlimit"] + (["setpriv"] if os.geteuid() == 0 else [])
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        return f"{', '.join(missing)} not found: {INSTALL_HINT}"
    if syscalls.unavailable():
        return syscalls.unavailable()
    with os.fdopen(syscalls.descriptor(), "rb") as seccomp:  # the filter loads, or no sandbox
        probe = subprocess.run(namespace_args() + syscalls.bwrap_args(seccomp.fileno()) + ["--ro-bind", "/usr", "/usr",
                               *usr_links(), "--", "true"], capture_output=True, text=True, pass_fds=[seccomp.fileno()])
    if probe.returncode != 0:
        return (f"bwrap cannot create namespaces here ({probe.stderr.strip()[:200]}): as a user other than root it "
                "needs unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or an AppArmor "
                "profile for bwrap on Ubuntu 24.04)")
    return ""


def namespace_args() -> list[str]:
    args = ["bwrap", "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net", "--unshare-ipc",
            "--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox"]
    if os.geteuid() != 0:  # unprivileged: a user namespace maps our own uid; no nested ones
        args += ["--unshare-user", "--disable-userns"]
    return args


def usr_links() -> list[str]:
    """/bin, /lib... as on a merged-/usr system: links into /usr, or read-only binds where they are folders."""
    args = []
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    return args


@lru_cache(maxsize=None)
def allowed_site_entries() -> tuple[Path, ...]:
    """The top-level files and folders in site-packages of the allowed distributions and of
    everything they require: the only third-party code a kernel can import."""
    from packaging.requirements import Requirement

    seen, todo, entries = set(), list(ALLOWED_DISTRIBUTIONS), set()
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        seen.add(key)
        for requirement in map(Requirement, dist.requires or []):
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
        base = Path(dist.locate_file(""))
        for file in dist.files or []:
            top = file.parts[0]
            if top not in ("..", "__pycache__") and not top.endswith(".pth"):
                entries.add(base / top)
    return tuple(sorted(e for e in entries if e.exists()))


def python_view() -> list[str]:
    """The interpreter and the allowed part of its environment, read-only, at their own paths."""
    args = []
    base = Path(sys.base_prefix)
    args += ["--ro-bind", str(base), str(base)]
    for hidden in base.glob("lib/python3*/site-packages"):
        args += ["--tmpfs", str(hidden)]
    if Path(sys.prefix) != base:  # a virtual environment: its bin/ and config, not its site-packages
        venv = Path(sys.prefix)
        args += ["--ro-bind", str(venv / "bin"), str(venv / "bin"), "--ro-bind", str(venv / "pyvenv.cfg"),
                 str(venv / "pyvenv.cfg")]
        if (venv / "lib64").is_symlink():
            args += ["--symlink", os.readlink(venv / "lib64"), str(venv / "lib64")]
    sites = {entry.parent for entry in allowed_site_entries()}
    for site in sorted(sites):
        args += ["--tmpfs", str(site)]
    for entry in allowed_site_entries():
        args += ["--ro-bind", str(entry), str(entry)]
    for hidden in [*Path("/usr/lib").glob("python3*/dist-packages"), *Path("/usr/local/lib").glob("python3*"),
                   Path("/usr/lib/python3")]:
        if hidden.is_dir() and not any(str(p).startswith(str(hidden)) for p in [base, *sites]):
            args += ["--tmpfs", str(hidden)]
    return args


def kit_view() -> list[str]:
    """The kit's kernel side, the course file, each assignment's cases (never its key) and the
    MNIST sample, read-only under /kit."""
    from nnkit import mnist
    from nnkit.config import ASSIGNMENTS, COURSE_FILE, COURSE_ROOT

    shown = [(COURSE_ROOT / "nnkit" / name, f"nnkit/{name}") for name in KERNEL_SIDE]
    shown += [(COURSE_FILE, COURSE_FILE.name), (COURSE_ROOT / "assignments" / "__init__.py", "assignments/__init__.py")]
    for assignment in ASSIGNMENTS:
        shown += [(COURSE_ROOT / "assignments" / assignment / name, f"assignments/{assignment}/{name}")
                  for name in ASSIGNMENT_KERNEL_SIDE]
    shown += [(mnist.RAW_DIR, "data/MNIST/raw")]
    return [arg for source, inside in shown for arg in ("--ro-bind", str(source.resolve()), f"{INSIDE_KIT}/{inside}")]


def tmpfs(path: str, size: int) -> list[str]:
    return ["--perms", "1777", "--size", str(size), "--tmpfs", path]


def work_files(folder: Path | None) -> list[str]:
    """The submission's regular files and folders (not its notebooks), read-only inside the kernel's
    working folder: never a link, a named pipe, a socket or a device (by lstat: nothing is followed;
    the grader's pre-check has already refused a submission holding one, nnkit.files)."""
    args = []
    if folder is not None and folder.is_dir() and not folder.is_symlink():
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            regular = entry.is_file(follow_symlinks=False) or entry.is_dir(follow_symlinks=False)
            if not entry.name.endswith(".ipynb") and regular:
                args += ["--ro-bind", entry.path, f"{INSIDE_WORK}/{entry.name}"]
    return args


def environment(source: dict) -> list[str]:
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": INSIDE_HOME, "USER": "student",
           "LOGNAME": "student", "PYTHONPATH": INSIDE_KIT, "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
           "MPLCONFIGDIR": f"{INSIDE_HOME}/.matplotlib", "PYDEVD_DISABLE_FILE_VALIDATION": "1", "TMPDIR": "/tmp"}
    env.update({name: source[name] for name in PASSED_VARIABLES if name in source})
    return ["--clearenv"] + [arg for name, value in sorted(env.items()) for arg in ("--setenv", name, value)]


def limit_args(nproc: bool = True) -> list[str]:
    """prlimit's arguments. RLIMIT_NPROC counts every process of the kernel's uid: as root, a uid of
    its own; as an ordinary user, the grader's, so there it is left out (`nproc`) where the
    submission's cgroup bounds its processes, lest one student's fork bomb starve the grader."""
    return ["prlimit", f"--data={limits.KERNEL_MEMORY_BYTES}", *([f"--nproc={limits.PROCESSES}"] if nproc else []),
            f"--cpu={limits.CPU_SECONDS}:{limits.CPU_SECONDS + 5}", f"--fsize={limits.FILE_BYTES}", f"--nofile={limits.OPEN_FILES}",
            "--core=0", "--"]


def command(kernel_cmd: list[str], runtime: Path, folder: Path | None, uid: int, env: dict, nproc: bool = True,
            seccomp: int | None = None) -> list[str]:
    """The whole command that starts `kernel_cmd` in a sandbox."""
    drop = []
    if os.geteuid() == 0:
        drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all", "--no-new-privs", "--"]
    private = ["--proc", "/proc", *keyrings.hidden(), "--dev", "/dev", *tmpfs("/tmp", limits.TMP_BYTES),
               *tmpfs("/dev/shm", limits.TMP_BYTES), *tmpfs(INSIDE_HOME, limits.HOME_BYTES), *tmpfs(INSIDE_WORK, limits.WORK_BYTES)]
    shown = ["--ro-bind", "/usr", "/usr", *usr_links(), *[a for e in etc_entries() for a in ("--ro-bind", e, e)],
             *python_view(), *kit_view(), *work_files(folder), *Runtime.view(runtime)]
    return [*keyrings.command(limit_args(nproc)), *namespace_args(), *syscalls.bwrap_args(seccomp), *private,
            *folders_above(shown, private), *shown, *environment(env), "--chdir", INSIDE_WORK, "--", *drop, *kernel_cmd]


MOUNTS = {"--ro-bind": 2, "--bind": 2, "--tmpfs": 1, "--symlink": 2, "--proc": 1, "--dev": 1}


def targets(args: list[str]) -> list[Path]:
    """The mount points of a list of bwrap arguments."""
    found, i = [], 0
    while i < len(args):
        if args[i] in MOUNTS:
            found.append(Path(args[i + MOUNTS[args[i]]]))
            i += MOUNTS[args[i]] + 1
        else:
            i += 1
    return found


def folders_above(shown: list[str], private: list[str]) -> list[str]:
    """The folders that lead to the mount points of `shown`, made traversable by the kernel's user
    (bwrap would give them the modes of the host's, e.g. a private /root): every folder above a
    mount point, except the mount points themselves and what lies inside a read-only one; inside
    the private tmpfs folders (e.g. an environment under /tmp) they are made too."""
    binds, writable = targets(shown), targets(private)
    above = {parent for target in binds for parent in target.parents if parent != Path("/")}
    above = {p for p in above if p not in binds + writable and not any(b in p.parents for b in binds)}
    return [arg for folder in sorted(above, key=lambda p: len(p.parts)) for arg in ("--perms", "0755", "--dir", str(folder))]


def etc_entries() -> list[str]:
    """What of /etc a Python kernel needs: the dynamic linker's cache, time zone, fonts."""
    wanted = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "fonts", "alternatives", "nsswitch.conf")
    return [f"/etc/{name}" for name in wanted if os.path.exists(f"/etc/{name}")]


class UidLease:
    """As root: a uid no other sandboxed kernel on this machine holds while this lease is open, so
    each kernel's process limit is its own. The leases are per machine, whichever course a kernel
    grades, in root's own folder (nnkit.places.machine_leases: checked, never through a link).
    As any other user there is nothing to lease: the kernel keeps the grader's own uid in its user
    namespace, and no file is touched."""

    def __init__(self):
        self.handle, self.uid = None, os.geteuid()
        if self.uid != 0:
            return
        try:
            with places.machine_leases() as leases:
                for slot in range(UID_SLOTS):
                    try:
                        handle = places.open_lease(leases, slot)
                    except OSError:  # not a regular file of root's: never used
                        continue
                    try:
                        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        os.close(handle)
                        continue
                    self.handle, self.uid = handle, UID_BASE + slot
                    return
        except places.PlaceUnavailable as error:
            raise SandboxUnavailable(f"no place for the sandbox's uid leases: {error}") from error
        raise SandboxUnavailable(f"all {UID_SLOTS} sandbox uids are in use (leases in {places.leases_path()}): "
                                 "other grading kernels hold them")

    def release(self) -> None:
        if self.handle is not None:
            os.close(self.handle)
            self.handle = None


DEATHS = {signal.SIGXCPU: f"it used up the CPU time limit ({limits.CPU_SECONDS} s per notebook)",
          signal.SIGKILL: "it was killed (out of memory?)",
          signal.SIGSEGV: "it crashed (segmentation fault)",
          signal.SIGXFSZ: f"it wrote a file over the size limit ({limits.FILE_BYTES // 2**20} MiB)",
          signal.SIGSYS: "it made a system call of another ABI (the sandbox's syscall filter)"}


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
      of nnkit.limits; owned by the kernel's uid; nosuid, nodev, noexec, and nosymfollow where the
      system has it: a link the kernel puts in place of a socket is never followed, so the grader
      connects to nothing else). Before every start of a kernel, restarts included, the grader
      unmounts it (lazily: a straggler of the last kernel writes into a detached tmpfs), removes
      the folder and makes a new one: nothing the last kernel left survives, and the sockets keep their paths, so nbclient's client reconnects.
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
            sweep(parent, uid)
        sweep_stale(parent)
        self.path = Path(tempfile.mkdtemp(prefix=f"{self.PREFIX}{uid}-", dir=parent)).resolve()
        # Held while the folder is in use: the lock dies with its grader, so the next grader of
        # this user knows that a folder nobody holds was left behind (sweep_stale).
        self.held = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        fcntl.flock(self.held, fcntl.LOCK_EX)
        self.sockets, self.connection_file = self.path / self.SOCKETS, self.path / self.CONNECTION_FILE
        self.ip = str(self.sockets / "k")  # jupyter_client appends -<port>

    @classmethod
    def parent(cls) -> str:
        """Where the runtime folders go: short enough for every socket path (k-<port> in s/)."""
        chosen = str(places.user_runtime())  # per user, private, checked (nnkit.places)
        longest = os.path.join(os.path.realpath(chosen), f"nnk-{UID_BASE + UID_SLOTS}-xxxxxxxx", cls.SOCKETS, "k-65535")
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
                mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options + extra, self.SOURCE, str(self.sockets)],
                                         capture_output=True, text=True)
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


def sweep(parent: str, uid: int, mountinfo: str | None = None) -> None:
    """Unmount the sockets' folders a grader holding `uid` before us left mounted (it was killed):
    the uid's lease is ours now, so nobody else uses them. A mount point listed but not reachable at
    its path (something mounted over it, or gone meanwhile) is left alone: it is no folder of ours."""
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text()
        except OSError:
            return
    prefix = os.path.join(os.path.realpath(parent), f"nnk-{uid}-")
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
            folder = os.open(entry.path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
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


def out_of_memory(limit: int) -> str:
    return f"out of memory: the limit is {limit / 2**30:g} GiB per submission"


class SandboxedKernelManager(AsyncKernelManager):
    """jupyter_client's kernel manager, starting each kernel in a sandbox of its own, with a runtime
    folder that gives it nothing (`Runtime`), its own folder at /submission after every restart,
    its stdout and stderr thrown away (it talks over its sockets; its stderr is never a file the
    grader writes, such as a worker's log), and a cgroup of its own (one per notebook: a restarted
    kernel joins the same one)."""
    submission_memory_bytes = Integer(limits.SUBMISSION_MEMORY_BYTES, config=True,
                                      help="Memory of the kernel's whole process tree (its cgroup).")

    def __init__(self, **kwargs):
        if unavailable():
            raise SandboxUnavailable(f"cannot grade in a sandbox: {unavailable()}")
        super().__init__(**kwargs)
        self.cgroup, self.oom_seen, self.usage, self.runtime, self.seccomp = None, 0, {}, None, None
        # The uid first, then its runtime folder, the cgroup last: whatever fails releases what was
        # taken before it (the batch's sweep would not remove a group of this live worker's).
        self.lease = UidLease()
        try:
            try:
                self.runtime = Runtime(self.lease.uid)
            except (places.PlaceUnavailable, OSError) as error:
                raise SandboxUnavailable(f"no runtime folder for the kernel: {error}") from error
            try:
                self.cgroup = cgroups.backend().create(cgroups.Limits(
                    self.submission_memory_bytes, limits.SUBMISSION_PROCESSES, limits.SUBMISSION_CPU_WEIGHT))
            except cgroups.Unavailable as reason:
                self.log.info("%s: %s", cgroups.PER_PROCESS_ONLY, reason)
        except BaseException:
            if self.runtime is not None:
                self.runtime.remove()
            self.lease.release()
            raise
        self.transport, self.ip = "ipc", self.runtime.ip
        self.connection_file = str(self.runtime.connection_file)
        self.folder: Path | None = None

    async def _async_pre_start_kernel(self, **kw):
        self.kernel_spec.interrupt_mode = "message"  # a signal would reach bwrap, not the kernel
        if kw.get("cwd"):  # the student's folder; jupyter_client keeps it for restarts (_launch_args)
            self.folder = Path(kw["cwd"])
        if not self.runtime.check_connection_file():
            os.unlink(self.connection_file)
            self._connection_file_written = False
        self.runtime.fresh_sockets()
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        kw.update(cwd=str(self.runtime.path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                  pass_fds=() if self.seccomp is None else (self.seccomp,))
        try:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        finally:  # bwrap has read the filter from its copy
            if self.seccomp is not None:
                os.close(self.seccomp)
                self.seccomp = None

    def _reconcile_connection_info(self, info) -> None:
        if not self.runtime.check_connection_file():  # never open what is not ours and regular
            os.unlink(self.connection_file)
            self._connection_file_written = False
        return super()._reconcile_connection_info(info)

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        kernel_cmd = super().format_kernel_cmd(extra_arguments)
        self.runtime.share_connection_file()
        self.seccomp = syscalls.descriptor() if syscalls.wanted() else None
        sandboxed = command(kernel_cmd, self.runtime.path, self.folder, self.lease.uid, os.environ,
                            nproc=os.geteuid() == 0 or self.cgroup is None, seccomp=self.seccomp)
        return self.cgroup.join_command(sandboxed) if self.cgroup is not None else sandboxed

    def out_of_memory(self) -> str:
        """The message when the submission's cgroup killed a process for memory since the last call ('' if not)."""
        kills = self.cgroup.oom_kills() if self.cgroup is not None else 0
        if kills <= self.oom_seen:
            return ""
        self.oom_seen = kills
        return out_of_memory(self.cgroup.limits.memory_bytes)

    def death_reason(self) -> str:
        """Why the sandbox ended, from bwrap's exit status (128 + the signal that killed the kernel)."""
        process = getattr(self.provisioner, "process", None)
        code = process.poll() if process is not None else None
        if code is None:
            return ""
        if memory := self.out_of_memory():
            return f"the kernel died while running this cell: {memory}"
        if code > 128 and code - 128 in DEATHS:
            return f"the kernel died while running this cell: {DEATHS[code - 128]}"
        return f"the kernel died while running this cell (exit status {code}: os._exit, a crash...)"

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:  # the cgroup first (its stragglers killed), then the folder, the uid last:
            self.remove_cgroup()  # a uid is never leased again while a process of it still runs
            self.runtime.remove()
            self.lease.release()

    def remove_cgroup(self) -> None:
        """Keep what the cgroup measured (`usage`), then remove it with anything still in it."""
        group, self.cgroup = self.cgroup, None
        if group is not None:
            self.usage = {"peak_memory_bytes": group.peak_memory(), "memory_limit_bytes": group.limits.memory_bytes,
                          "oom_kills": group.oom_kills(), "peak_processes": group.peak_processes(),
                          "process_limit": group.limits.processes, "forks_refused": group.forks_refused()}
            if not group.remove():
                self.log.warning("could not remove the cgroup %s (removed by the next batch's sweep)", group.places)


def describe() -> dict:
    """What a kernel is given, for docs/sandbox.md and the tests."""
    return {"distributions": sorted({p.name for p in allowed_site_entries()}), "kit": list(KERNEL_SIDE),
            "limits": limits.as_dict()}


def main() -> int:
    """python -m nnkit.sandbox: whether the sandbox can start here, and what it shows a kernel."""
    print(json.dumps({"unavailable": unavailable(), "syscall_filter": syscalls.status(), **describe()}, indent=2))
    return exits.OK


if __name__ == "__main__":
    exits.run(main)
