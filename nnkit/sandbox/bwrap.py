"""bubblewrap's arguments for one grading kernel: what it sees read-only (the interpreter, the
ALLOWED_DISTRIBUTIONS, the kit's KERNEL_SIDE folder, each assignment's cases, never its key),
its private writable folders, its namespaces (no network, its own PIDs), its environment from an
allow-list and the limits of nnkit.kernel.limits by `prlimit`; and whether a sandbox can start
here (`unavailable`). The manager (nnkit.sandbox.manager) starts each kernel with `command`.
What a kernel sees, and why: docs/sandbox.md; why a sandbox: docs/grading.md.
"""
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

from nnkit.kernel import limits
from nnkit.sandbox import keyrings, syscalls

# The kernel side of the kit: record() and what it imports, one package bound as one folder (with the
# kit's own __init__.py). tests/architecture checks that it imports nothing else of the kit.
KERNEL_SIDE = "kernel"
# Of each assignment (assignments/<name>/), what the kernel sees: its cases, never its key/.
ASSIGNMENT_KERNEL_SIDE = ("__init__.py", "cases.py")
# What an answer may import besides the standard library and the kit's kernel side; the kernel
# needs ipykernel. Their dependencies come along (read from the installed metadata).
ALLOWED_DISTRIBUTIONS = ("numpy", "matplotlib", "ipykernel")
INSIDE_HOME, INSIDE_WORK, INSIDE_KIT = "/home/student", "/submission", "/kit"
# Environment variables a kernel gets from the grader's environment, when set there; nothing else.
PASSED_VARIABLES = (*limits.THREAD_VARIABLES, "NBGRADER_EXECUTION", "LANG")
OPT_OUT_VARIABLE = "NNKIT_NO_SANDBOX"  # set (to 1) by --no-sandbox; read by nbgrader_config.py
INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; `make test` and `make demo` "
                "do it as root), or grade code you trust with --no-sandbox")


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot be made on this machine: the grader refuses rather than run student code bare."""


@cache
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


@cache
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
    from nnkit.kernel import mnist
    from nnkit.kernel.config import ASSIGNMENTS, COURSE_FILE, COURSE_ROOT

    shown = [(COURSE_ROOT / "nnkit" / name, f"nnkit/{name}") for name in ("__init__.py", KERNEL_SIDE)]
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
    the grader's pre-check has already refused a submission holding one, nnkit.collect.nofollow)."""
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
    return [
        "prlimit",
        f"--data={limits.KERNEL_MEMORY_BYTES}",
        *([f"--nproc={limits.PROCESSES}"] if nproc else []),
        f"--cpu={limits.CPU_SECONDS}:{limits.CPU_SECONDS + 5}",
        f"--fsize={limits.FILE_BYTES}",
        f"--nofile={limits.OPEN_FILES}",
        "--core=0",
        "--",
    ]


def command(kernel_cmd: list[str], runtime_view: list[str], folder: Path | None, uid: int, env: dict,
            nproc: bool = True, seccomp: int | None = None) -> list[str]:
    """The whole command that starts `kernel_cmd` in a sandbox."""
    drop = []
    if os.geteuid() == 0:
        drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all", "--no-new-privs", "--"]
    private = [
        "--proc",
        "/proc",
        *keyrings.hidden(),
        "--dev",
        "/dev",
        *tmpfs("/tmp", limits.TMP_BYTES),
        *tmpfs("/dev/shm", limits.TMP_BYTES),
        *tmpfs(INSIDE_HOME, limits.HOME_BYTES),
        *tmpfs(INSIDE_WORK, limits.WORK_BYTES),
    ]
    shown = ["--ro-bind", "/usr", "/usr", *usr_links(), *[a for e in etc_entries() for a in ("--ro-bind", e, e)],
             *python_view(), *kit_view(), *work_files(folder), *runtime_view]
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
    return [
        arg for folder in sorted(above, key=lambda p: len(p.parts)) for arg in ("--perms", "0755", "--dir", str(folder))
    ]


def etc_entries() -> list[str]:
    """What of /etc a Python kernel needs: the dynamic linker's cache, time zone, fonts."""
    wanted = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "fonts", "alternatives", "nsswitch.conf")
    return [f"/etc/{name}" for name in wanted if os.path.exists(f"/etc/{name}")]


def describe() -> dict:
    """What a kernel is given, for docs/sandbox.md and the tests."""
    from nnkit.kernel.config import COURSE_ROOT

    kit = sorted(p.name for p in (COURSE_ROOT / "nnkit" / KERNEL_SIDE).glob("*.py"))
    return {"distributions": sorted({p.name for p in allowed_site_entries()}), "kit": kit,
            "limits": limits.as_dict()}
