"""Ordinary Unix users for the tests that grade as one (the grader on a shared course server), made
and removed by root, and a Python environment such a user can run.

- `grading_environment()`: the path of a Python an ordinary user can run, with every package of
  the shared virtual environment. That environment's interpreter lives under /root (pyenv), which
  no other user may read; so this one is a virtual environment of Debian's python3.11 (the same
  minor version: the compiled packages fit) in a world-readable temporary folder, whose
  site-packages links to the shared one's entries and whose bin/ holds the shared one's scripts
  with their first line pointing at it. Made once per test process, removed when it ends.
- `throwaway_user()`: a context manager that adds a user with a home of its own and yields
  (name, uid, home); afterwards it kills that user's processes (by its uid, which nothing else
  holds) and removes it.
- `run_as(user, command, **kwargs)`: subprocess.run of a command as that user (`runuser -u`).
"""
import atexit
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

SYSTEM_PYTHON = Path("/usr/bin/python3.11")
SHARED = Path(sys.prefix)  # the environment these tests run in


def can_make_users() -> str:
    """Why ordinary-user tests cannot run here ('' when they can)."""
    if os.geteuid() != 0:
        return "only root can add throwaway users"
    missing = [tool for tool in ("useradd", "userdel", "runuser") if shutil.which(tool) is None]
    if missing:
        return f"{', '.join(missing)} not found"
    if not SYSTEM_PYTHON.exists():
        return f"{SYSTEM_PYTHON} not found"
    return ""


@lru_cache(maxsize=None)
def grading_environment() -> Path:
    """A Python an ordinary user can run, with the packages of the shared environment (see above)."""
    base = Path(tempfile.mkdtemp(prefix="nnkit-userenv-"))
    base.chmod(0o755)
    atexit.register(shutil.rmtree, base, True)
    venv = base / "venv"
    subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(venv)], check=True)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    shared_site, site = SHARED / "lib" / version / "site-packages", venv / "lib" / version / "site-packages"
    for entry in shared_site.iterdir():
        if not (site / entry.name).exists():
            (site / entry.name).symlink_to(entry)
    shared_python = str(SHARED / "bin" / "python")
    for script in (SHARED / "bin").iterdir():
        target = venv / "bin" / script.name
        if target.exists() or script.is_symlink() or not script.is_file():
            continue
        try:
            text = script.read_text()
        except UnicodeDecodeError:
            continue
        first, _, rest = text.partition("\n")
        if first.startswith("#!") and shared_python in first:
            target.write_text(f"#!{venv / 'bin' / 'python'}\n{rest}")
            target.chmod(0o755)
    return venv / "bin" / "python"


@contextmanager
def throwaway_user(prefix: str = "nnk"):
    """A user that exists only inside the block: (name, uid, home)."""
    name = f"{prefix}{secrets.token_hex(4)}"
    home = Path(tempfile.mkdtemp(prefix=f"nnkit-home-{name}-"))
    subprocess.run(["useradd", "--home-dir", str(home), "--no-create-home", "--shell", "/bin/sh", "--user-group", name],
                   check=True, capture_output=True)
    uid = pwd.getpwnam(name).pw_uid
    os.chown(home, uid, uid)
    try:
        yield name, uid, home
    finally:
        kill_processes_of(uid)
        subprocess.run(["userdel", name], capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def processes_of(uid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def kill_processes_of(uid: int) -> None:
    for _ in range(50):
        pids = processes_of(uid)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.1)


def run_as(user: str, command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", user, "--", *command], **kwargs)
