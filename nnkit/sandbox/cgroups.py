"""A cgroup for each submission's kernel: the whole process tree in its sandbox bounded as one
(memory counting shared memory and tmpfs pages, processes, a CPU weight), where per-process limits
see each process alone. One interface, `Group` (made by `backend().create()`), two backends: cgroup
v2 and v1, plain writes to the cgroup file system. The parent comes from NNKIT_CGROUP (the batch
shares its choice with its workers: `share_parent`); without a usable one the kit grades with
per-process limits only and says so once (`PER_PROCESS_ONLY`). `sweep()` removes the groups of
owners that are gone. Where the groups go, and why: docs/grading.md (What one submission may cost).
"""
import errno
import os
import re
import shlex
import signal
import time
from dataclasses import dataclass
from functools import cache
from itertools import count
from pathlib import Path

SETTING = "NNKIT_CGROUP"
OFF = "none"
CONTROLLERS = ("memory", "pids", "cpu")
PREFIX = "nnkit."
GRADER_LEAF = "nnkit-grader"  # v2: where the grader's own processes move when the parent must hold none
PER_PROCESS_ONLY = "graded with per-process limits only (no cgroup)"
NAME = re.compile(r"^nnkit\.(\d+)\.(\d+)\.\d+$")
_serial = count()


class Unavailable(RuntimeError):
    """No cgroup can be made here: the kit grades with per-process limits only."""


@dataclass(frozen=True)
class Limits:
    memory_bytes: int
    processes: int
    cpu_weight: int  # relative CPU share, 1..10000, 100 = a process's (v2's scale; v1's shares are 1024 per 100)


def write(path: Path, value) -> None:
    """One write to a cgroup file (created if missing: only a fake tree lacks it)."""
    with open(path, "w") as handle:
        handle.write(f"{value}\n")


def read_int(path: Path, key: str | None = None) -> int | None:
    """A number from a cgroup file: its value, or the value of `key` in a flat-keyed file."""
    try:
        text = path.read_text()
    except OSError:
        return None
    if key is None:
        return int(text.split()[0]) if text.split() and text.split()[0].isdigit() else None
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name == key and value.strip().isdigit():
            return int(value)
    return None


def start_time(pid: int) -> int | None:
    """A process's start time (clock ticks since boot): with its pid, an identity no later process has."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rpartition(")")[2].split()[19])


def group_name() -> str:
    pid = os.getpid()
    return f"{PREFIX}{pid}.{start_time(pid)}.{next(_serial)}"


def owner_alive(name: str) -> bool:
    found = NAME.match(name)
    return found is not None and start_time(int(found.group(1))) == int(found.group(2))


def pids_in(folder: Path) -> list[int]:
    try:
        return [int(p) for p in (folder / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


def empty_and_remove(folder: Path, kill_file: Path | None = None, seconds: float = 10) -> bool:
    """Kill every process in a group, wait until it is empty, remove it. False if it could not be."""
    deadline = time.monotonic() + seconds
    while folder.is_dir():
        if kill_file is not None and kill_file.exists():
            try:
                write(kill_file, 1)
            except OSError:
                pass
        for pid in pids_in(folder):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            folder.rmdir()
            return True
        except FileNotFoundError:
            return True
        except OSError as error:
            if error.errno not in (errno.EBUSY, errno.ENOTEMPTY) or time.monotonic() > deadline:
                return False
            time.sleep(0.01)
    return True


class Group:
    """One submission's cgroup: its folders (one per hierarchy), the limits written in them."""

    def __init__(self, folders: dict[str, Path], limits: Limits):
        self.folders, self.limits = folders, limits  # {controller: folder}; v2: the same folder for each

    @property
    def places(self) -> list[Path]:
        return list(dict.fromkeys(self.folders.values()))

    def join_command(self, command: list[str]) -> list[str]:
        """`command`, started in this group: a shell writes its own pid into each cgroup.procs, then
        becomes the command, so everything it starts is in the group from its first instruction."""
        joins = " && ".join(f"echo $$ > {shlex.quote(str(folder / 'cgroup.procs'))}" for folder in self.places)
        return ["/bin/sh", "-c", f'{joins} && exec "$@"', "nnkit-cgroup", *command]

    def peak_memory(self) -> int | None:
        raise NotImplementedError

    def oom_kills(self) -> int:
        raise NotImplementedError

    def peak_processes(self) -> int | None:
        """The most processes and threads it held at once (pids.peak, where the kernel has it: 6.1 on)."""
        return read_int(self.folders["pids"] / "pids.peak")

    def forks_refused(self) -> int:
        """How many times the process limit refused a fork (pids.events, the same in v1 and v2)."""
        return read_int(self.folders["pids"] / "pids.events", "max") or 0

    def remove(self) -> bool:
        return all([empty_and_remove(folder, folder / self.KILL if self.KILL else None) for folder in self.places])

    KILL = ""  # the file that kills every process of a group at once, where the version has one


class V1Group(Group):
    def peak_memory(self) -> int | None:
        return read_int(self.folders["memory"] / "memory.max_usage_in_bytes")

    def oom_kills(self) -> int:
        return read_int(self.folders["memory"] / "memory.oom_control", "oom_kill") or 0


class V2Group(Group):
    def peak_memory(self) -> int | None:
        return read_int(self.folders["memory"] / "memory.peak")

    def oom_kills(self) -> int:
        return read_int(self.folders["memory"] / "memory.events", "oom_kill") or 0

    KILL = "cgroup.kill"


class Backend:
    """Where a grader's groups are made: `parents` = {controller: the parent folder in its hierarchy}."""
    version = 0
    group = Group

    def __init__(self, parents: dict[str, Path]):
        self.parents = parents

    def places(self) -> list[Path]:
        return list(dict.fromkeys(self.parents.values()))

    def create(self, limits: Limits) -> Group:
        name = group_name()
        folders = {controller: parent / name for controller, parent in self.parents.items()}
        made = []
        try:
            for folder in dict.fromkeys(folders.values()):
                folder.mkdir()
                made.append(folder)
            group = self.group(folders, limits)
            self.limit(group, limits)
        except OSError as error:
            for folder in reversed(made):
                empty_and_remove(folder, seconds=1)
            raise Unavailable(f"cannot make a cgroup under {', '.join(map(str, self.places()))}: {error}") from error
        return group

    def sweep(self) -> list[str]:
        """Remove the groups whose owner is gone; the names of those removed."""
        removed = []
        for parent in self.places():
            try:
                children = sorted(p for p in parent.iterdir() if p.is_dir() and NAME.match(p.name))
            except OSError:
                continue
            for child in children:
                kill = child / self.group.KILL if self.group.KILL else None
                if not owner_alive(child.name) and empty_and_remove(child, kill):
                    removed.append(str(child))
        return removed

    def describe(self) -> str:
        return f"cgroup v{self.version} under {', '.join(map(str, self.places()))}"

    def limit(self, group: Group, limits: Limits) -> None:
        raise NotImplementedError


class V1(Backend):
    version = 1
    group = V1Group

    def limit(self, group: Group, limits: Limits) -> None:
        memory = group.folders["memory"]
        write(memory / "memory.limit_in_bytes", limits.memory_bytes)
        if (memory / "memory.memsw.limit_in_bytes").exists():  # swap accounting: no more with swap than without
            write(memory / "memory.memsw.limit_in_bytes", limits.memory_bytes)
        write(group.folders["pids"] / "pids.max", limits.processes)
        write(group.folders["cpu"] / "cpu.shares", max(2, limits.cpu_weight * 1024 // 100))


class V2(Backend):
    version = 2
    group = V2Group

    def __init__(self, parents: dict[str, Path], setting: str = ""):
        super().__init__(parents)
        self.setting = setting  # the parent as a cgroup path (SETTING's form), for the batch's workers

    def create(self, limits: Limits) -> Group:
        try:
            enable_controllers(self.parents["memory"])
        except OSError as error:  # EBUSY again, a leaf that cannot be made, a write refused
            raise Unavailable(f"cannot give the children of {self.parents['memory']} the "
                              f"{', '.join(CONTROLLERS)} controllers: {error}") from error
        return super().create(limits)

    def limit(self, group: Group, limits: Limits) -> None:
        folder = group.folders["memory"]
        write(folder / "memory.max", limits.memory_bytes)
        if (folder / "memory.swap.max").exists():
            write(folder / "memory.swap.max", 0)
        if (folder / "memory.oom.group").exists():  # the OOM killer takes the whole submission at once
            write(folder / "memory.oom.group", 1)
        write(folder / "pids.max", limits.processes)
        write(folder / "cpu.weight", limits.cpu_weight)


def enable_controllers(parent: Path) -> None:
    """Let the parent's children have the memory, pids and cpu controllers. v2 allows that only in a
    group that holds no process itself (or the root): a grader started inside its delegated group
    (systemd's scope) moves the processes there into a leaf of their own first."""
    control = parent / "cgroup.subtree_control"
    wanted = " ".join(f"+{c}" for c in CONTROLLERS)
    if set(CONTROLLERS) <= set(control.read_text().split()):
        return
    try:
        write(control, wanted)
    except OSError as error:
        if error.errno != errno.EBUSY:
            raise
        leaf = parent / GRADER_LEAF
        leaf.mkdir(exist_ok=True)
        for pid in pids_in(parent):
            try:
                write(leaf / "cgroup.procs", pid)
            except OSError:
                pass  # gone meanwhile
        write(control, wanted)


# --- finding the hierarchies and the parent -------------------------------------------------------

def mounts(mountinfo: str) -> tuple[Path | None, dict[str, tuple[Path, str]]]:
    """(the cgroup2 mount, {v1 controller: (its mount point, the cgroup path the mount shows)})."""
    unified, v1 = None, {}
    for line in mountinfo.splitlines():
        fields = line.split()
        if " - " not in line or len(fields) < 5:
            continue
        after = line.split(" - ", 1)[1].split()
        kind, options = after[0], (after[2] if len(after) > 2 else "")
        point = Path(fields[4].replace("\\040", " "))
        if kind == "cgroup2" and unified is None:
            unified = point
        elif kind == "cgroup":
            for option in options.split(","):
                if option in CONTROLLERS and option not in v1:
                    v1[option] = (point, fields[3])
    return unified, v1


def own_cgroups(text: str) -> tuple[str | None, dict[str, str]]:
    """(the v2 path, {v1 controller: path}) of /proc/self/cgroup."""
    unified, v1 = None, {}
    for line in text.splitlines():
        number, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if number == "0" and controllers == "":
            unified = path
        for controller in controllers.split(","):
            if controller in CONTROLLERS:
                v1[controller] = path
    return unified, v1


def inside(point: Path, mount_root: str, path: str) -> Path:
    """The folder of cgroup `path` under a mount point that shows the hierarchy from `mount_root`."""
    relative = os.path.relpath(path, mount_root)
    if relative.startswith(".."):  # not below what the mount shows: take the path as it is
        relative = path
    return point if relative == "." else point / relative.lstrip("/")


def choose(mountinfo: str, own: str, setting: str | None, root: bool) -> Backend:
    """The backend for these mounts, this process's cgroups and the setting; Unavailable (with the reason) if none."""
    if setting == OFF:
        raise Unavailable(f"{SETTING}={OFF}")
    unified, v1 = mounts(mountinfo)
    own_unified, own_v1 = own_cgroups(own)
    reasons = []
    if unified is not None:
        offered = (
            (unified / "cgroup.controllers").read_text().split() if (unified / "cgroup.controllers").exists() else []
        )
        if set(CONTROLLERS) <= set(offered):
            if setting:
                parent = unified / setting.lstrip("/")
            elif root:
                parent = unified
            else:
                parent = unified / (own_unified or "/").lstrip("/")
            problem = unusable([parent], root, v2=True)
            if not problem:
                relative = parent.relative_to(unified).as_posix()
                return V2({c: parent for c in CONTROLLERS}, "/" if relative == "." else f"/{relative}")
            reasons.append(f"cgroup v2: {problem}")
        else:
            reasons.append(f"cgroup v2 at {unified} offers {' '.join(offered) or 'no controller'}, "
                           f"not all of {', '.join(CONTROLLERS)}")
    if all(c in v1 for c in CONTROLLERS):
        if setting:
            parents = {c: v1[c][0] / setting.lstrip("/") for c in CONTROLLERS}
        else:
            parents = {c: inside(v1[c][0], v1[c][1], own_v1.get(c, "/")) for c in CONTROLLERS}
        problem = unusable(list(parents.values()), root, v2=False)
        if not problem:
            return V1(parents)
        reasons.append(f"cgroup v1: {problem}")
    elif v1:
        reasons.append(f"cgroup v1 mounts only {', '.join(sorted(v1))} of {', '.join(CONTROLLERS)}")
    if not reasons:
        reasons.append("no cgroup file system is mounted")
    raise Unavailable("; ".join(reasons))


def unusable(parents: list[Path], root: bool, v2: bool) -> str:
    """Why groups cannot be made under these parents ('' when they can)."""
    for parent in parents:
        if not parent.is_dir():
            return f"{parent} does not exist"
        if not os.access(parent, os.W_OK):
            hint = "" if root else f" (an administrator can delegate one: docs/grading.md, {SETTING})"
            return f"{parent} is not writable by this user{hint}"
        if v2 and not os.access(parent / "cgroup.subtree_control", os.W_OK):
            return f"{parent / 'cgroup.subtree_control'} is not writable by this user"
        if v2 and (parent / "cgroup.controllers").exists():
            offered = (parent / "cgroup.controllers").read_text().split()
            if not set(CONTROLLERS) <= set(offered):
                return f"{parent} is given {' '.join(offered) or 'no controller'}, not all of {', '.join(CONTROLLERS)}"
    return ""


@cache
def backend() -> Backend:
    """This machine's backend for this grader (Unavailable: per-process limits only, with the reason)."""
    try:
        mountinfo, own = Path("/proc/self/mountinfo").read_text(), Path("/proc/self/cgroup").read_text()
    except OSError as error:
        raise Unavailable(f"cannot read /proc: {error}") from error
    return choose(mountinfo, own, os.environ.get(SETTING) or None, os.geteuid() == 0)


def unavailable() -> str:
    """Why no cgroup is made for the kernels ('' when one is)."""
    try:
        backend()
    except Unavailable as reason:
        return str(reason)
    return ""


@cache
def probe() -> str:
    """Why no cgroup can be had ('' when one can): the backend found, and a group made and removed."""
    try:
        group = backend().create(Limits(2**30, 64, 100))
    except Unavailable as reason:
        return str(reason)
    if not group.remove():
        return f"cannot remove a cgroup it made ({', '.join(map(str, group.places))})"
    return ""


def share_parent(environ=os.environ) -> None:
    """The batch: have its workers make their groups under the parent the batch chose, whatever
    cgroup they start in (SETTING in their environment). On v2 the batch's probe may move it into
    <parent>/nnkit-grader (a parent with controllers holds no process); a worker starting there
    would otherwise take that folder as its parent and nest again, out of the batch's sweep."""
    if environ.get(SETTING):
        return
    try:
        chosen = backend()
    except Unavailable:
        return
    if isinstance(chosen, V2):
        environ[SETTING] = chosen.setting


def sweep() -> list[str]:
    """Remove the groups of owners that are gone (nothing when there is no backend)."""
    try:
        return backend().sweep()
    except Unavailable:
        return []
