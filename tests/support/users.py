"""Graders who are not root, for the tests: throwaway Unix users, an environment they can run, and
a course of their own.

- `can_make_users()`: why these tests cannot run here ('' when they can).
- `grading_environment()`: a virtual environment with the grading packages only (no torch), made
  from Debian's /usr/bin/python3.11 in a root-owned, world-readable place (`shared_environment`:
  any other list of requirements, e.g. the hub's servers'). An ordinary user may not
  read the interpreter root's .venv was made from (here it lives under /root, mode 0700). It is
  made at most once per requirements digest and reused by every later session (a marker file says
  it is complete). It has the kit's packages but not the kit (a course brings its own nnkit/), so its
  `nnkit` is `python -m nnkit` run in the course folder, as the course's own .venv/bin/nnkit is.
- `throwaway_user()`: a Unix user made with useradd, with a home of its own; removed afterwards,
  with every process it still has.
- `course_copy(dest, user)`: the tracked files of this course, owned by the user.
- `run_as(user, argv, ...)`: a command as that user (runuser), with a clean environment.

The tests using these run as root (useradd); tests/support/components.py says what happens elsewhere.
"""
import contextlib
import fcntl
import hashlib
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from deploy.jupyterhub import environment
from nnkit.sandbox import state_folders

COURSE_ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = COURSE_ROOT / "pyproject.toml"
SYSTEM_PYTHON = "/usr/bin/python3.11"
CACHE = Path("/var/cache/nnkit-tests")
COMPLETE = "complete"
# The `nnkit` of the grading environment: the kit of the course folder it runs in.
NNKIT = """#!/bin/sh
exec "$(dirname "$0")/python" -m nnkit "$@"
"""


def grading_requirements() -> list[str]:
    """The pins of the kit's `grading` extra (pyproject.toml): what a grader's machine installs."""
    return list(tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"]["grading"])


def environment_digest(requirements: list[str]) -> str:
    python = subprocess.run([SYSTEM_PYTHON, "-c", "import sys; print(sys.version)"], capture_output=True, text=True,
                            check=True).stdout
    return hashlib.sha256("\n".join([python, *requirements]).encode()).hexdigest()[:16]


def trusted_cache() -> Path:
    """CACHE, root's own and writable by root alone (so no user can plant an environment there)."""
    CACHE.mkdir(mode=0o755, parents=True, exist_ok=True)
    info = CACHE.lstat()
    if CACHE.is_symlink() or info.st_uid != 0 or info.st_mode & 0o022:
        raise RuntimeError(f"{CACHE} is not a folder that root alone can write: remove it")
    return CACHE


def grading_environment() -> Path:
    """The python of a world-readable environment with the grading packages only."""
    return shared_environment("grading-env", grading_requirements())


def shared_environment(kind: str, requirements: list[str]) -> Path:
    """The python of a world-readable environment with `requirements`; made once per digest of
    them and of the interpreter, under a lock (two sessions at once build it once; one that
    stopped half-way left no marker, so it is made again)."""
    final = trusted_cache() / f"{kind}-{environment_digest(requirements)}"
    with open(CACHE / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (final / COMPLETE).is_file():
            with_nnkit(final)
            return final / "bin" / "python"
        shutil.rmtree(final, ignore_errors=True)
        python = environment.make(final, requirements, SYSTEM_PYTHON)
        with_nnkit(final)
        (final / COMPLETE).write_text("\n".join(requirements) + "\n")
        return python


def with_nnkit(environment: Path) -> None:
    """The environment's bin/nnkit (NNKIT), written when missing or different, world-executable."""
    script = environment / "bin" / "nnkit"
    if not script.is_file() or script.read_text() != NNKIT:
        script.write_text(NNKIT)
        script.chmod(0o755)


def can_make_users() -> str:
    """Why ordinary-user tests cannot run here ('' when they can)."""
    if os.geteuid() != 0:
        return "only root can add throwaway users"
    missing = [tool for tool in ("useradd", "userdel", "runuser") if shutil.which(tool) is None]
    if missing:
        return f"{', '.join(missing)} not found"
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} not found"
    return ""


@dataclass(frozen=True)
class User:
    name: str
    uid: int
    gid: int
    home: Path


@contextlib.contextmanager
def throwaway_user(prefix: str = "nnk"):
    """A new Unix user with a home of its own (under a folder of /tmp only it and root can write);
    removed afterwards with every process it still runs."""
    base = Path(tempfile.mkdtemp(prefix="nnkit-user-"))
    base.chmod(0o755)
    name = f"{prefix}{secrets.token_hex(4)}"
    home = base / name
    for _attempt in range(20):  # useradd fails while another useradd holds /etc/passwd's lock
        made = subprocess.run(["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/sh",
                               "--user-group", name], capture_output=True, text=True)
        if made.returncode == 0:
            break
        time.sleep(0.5)
    else:
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"useradd {name} failed: {made.stderr}")
    entry = pwd.getpwnam(name)
    try:
        yield User(name, entry.pw_uid, entry.pw_gid, home)
    finally:
        end_processes(entry.pw_uid)
        # Its per-user state in /tmp, if any: removed while the uid is still its own (after
        # userdel, a user made meanwhile by another test process may get the same uid).
        named = state_folders.USER_FALLBACK_NAME.format(uid=entry.pw_uid)
        parent = state_folders.USER_FALLBACK_PARENT
        for left in [*parent.glob(named), *parent.glob(f"{named}-*")]:
            if left.lstat().st_uid == entry.pw_uid:
                shutil.rmtree(left, ignore_errors=True)
        subprocess.run(["userdel", name], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def end_processes(uid: int) -> None:
    """Kill, by id, each process the throwaway user still runs (only the tests started them)."""
    for _ in range(10):
        pids = subprocess.run(["pgrep", "-U", str(uid)], capture_output=True, text=True).stdout.split()
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), 9)
        time.sleep(0.2)


def tracked_files(root: Path = COURSE_ROOT) -> list[str]:
    listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True, check=True).stdout
    return [name for name in listed.decode().split("\0") if name]


def course_copy(dest: Path, user: User | None = None) -> Path:
    """A copy of the course's tracked files (as a fresh clone has them), owned by `user` if given."""
    for name in tracked_files():
        source, target = COURSE_ROOT / name, dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        elif source.is_file():
            shutil.copy2(source, target)
    if user is not None:
        for path in [dest, *dest.rglob("*")]:
            os.chown(path, user.uid, user.gid, follow_symlinks=False)
    return dest


def user_environment(user: User, python: Path, **extra: str) -> dict:
    """A clean environment for `user`, with `python`'s bin/ first on PATH (nbgrader runs alembic, jupyter)."""
    return {"HOME": str(user.home), "USER": user.name, "LOGNAME": user.name, "LANG": "C.UTF-8",
            "PATH": f"{python.parent}:/usr/bin:/bin", **extra}


def run_as(user: User, argv: list[str], env: dict, **kwargs) -> subprocess.Popen:
    """Start `argv` as `user`, with exactly `env` (runuser would keep root's otherwise)."""
    return subprocess.Popen(["runuser", "-u", user.name, "--", "env", "-i",
                             *[f"{key}={value}" for key, value in env.items()], *argv], **kwargs)
