"""The system components the tests need, from system-packages.txt (the Makefile installs the same
list). A test that needs one calls `require(package)`: where it is missing, or installed but not
working, the test is skipped, but under CI (CI=true) it fails, so that a runner whose install
failed is never green untested.

A file that exists proves little: bwrap may be there with namespaces refused, Chromium may be
there and unable to start. So `require` also proves each component works, once per session
(`works`): the sandbox starts a trivial process, Chromium renders a page, chromedriver answers
its status, PostgreSQL starts a server and creates a database, Slurm's daemons and munged
answer `-V`, Node.js and JupyterHub's proxy their `--version`."""
import functools
import glob
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

LIST = Path(__file__).resolve().parents[2] / "system-packages.txt"
PROOF_SECONDS = 180  # a browser starting on a loaded 2-core machine: wide


def packages() -> dict[str, str]:
    """{Debian package: a path (glob) that shows it is installed}."""
    rows = [line.split() for line in LIST.read_text().splitlines() if line.strip() and not line.startswith("#")]
    return {row[0]: row[1] for row in rows}


def installed(package: str) -> str | None:
    found = sorted(glob.glob(packages()[package]))
    return found[-1] if found else None


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(package: str) -> str:
    """The path that shows `package` installed; skip (fail under CI) when it is not, or when it
    does not work."""
    path = installed(package)
    if path is None:
        problem = f"{package} is not installed ({packages()[package]}); `make test` installs it as root"
    else:
        problem = works(package, path)
    if problem:
        unusable(problem)
    return path


def unusable(problem: str) -> None:
    """A component that cannot be used here: skip, but fail under CI."""
    if under_ci():
        pytest.fail(problem)
    pytest.skip(problem)


@functools.cache
def works(package: str, path: str) -> str:
    """Why `package`, installed at `path`, does not work here ('' when it does). Proved once per
    session (the proofs take seconds each)."""
    try:
        problem = PROOFS[package](path)
    except (OSError, subprocess.SubprocessError, ValueError) as error:
        problem = f"{type(error).__name__}: {error}"
    return f"{package} is installed ({path}) but does not work: {problem}" if problem else ""


def bubblewrap_works(path: str) -> str:
    """The kit's own probe (a trivial sandbox with every namespace the grader asks for), run afresh:
    the kit caches its answer for its process."""
    from nnkit.sandbox import bwrap

    return bwrap.unavailable.__wrapped__()


def chromium_works(path: str) -> str:
    with tempfile.TemporaryDirectory(prefix="nnkit-chromium-proof-") as profile:
        done = subprocess.run([path, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                               "--disable-background-networking", "--disable-component-update", "--disable-sync",
                               f"--user-data-dir={profile}", "--dump-dom",
                               "data:text/html,<p>rendered by chromium</p>"],
                              capture_output=True, text=True, timeout=PROOF_SECONDS)
    if done.returncode != 0 or "rendered by chromium" not in done.stdout:
        return f"it could not render a page (exit {done.returncode}): {done.stderr.strip()[-300:]}"
    return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromedriver_works(path: str) -> str:
    port = free_port()
    driver = subprocess.Popen([path, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + PROOF_SECONDS
        while time.monotonic() < deadline and driver.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=5) as answer:
                    if json.load(answer)["value"]["ready"]:
                        return ""
            except (OSError, ValueError, KeyError):
                time.sleep(0.2)
        return f"it never answered its status (exit {driver.poll()})"
    finally:
        driver.kill()
        driver.communicate()


def postgresql_works(path: str) -> str:
    from postgres import PostgresServer, server_bin

    server = PostgresServer(server_bin(path))
    try:
        server.start().create_database("proof")
    except subprocess.CalledProcessError as error:
        return f"{' '.join(map(str, error.cmd))[:200]} failed: {(error.stderr or '').strip()[-300:]}"
    finally:
        if (server.data / "postmaster.pid").exists():
            server.stop()
        else:
            import shutil

            shutil.rmtree(server.folder, ignore_errors=True)
    return ""


def libseccomp_works(path: str) -> str:
    """The sandbox's syscall filter builds (pyseccomp over this libseccomp), afresh."""
    from nnkit.sandbox import syscalls

    try:
        syscalls.program.__wrapped__()
    except syscalls.FilterUnavailable as error:
        return str(error)
    return ""


def answers_its_version(path: str) -> str:
    """Slurm's daemons and munged run (a client answers nothing without a cluster). tests/slurm.py
    starts the cluster itself; under CI a daemon that cannot start fails its test."""
    done = subprocess.run([path, "-V"], capture_output=True, text=True, timeout=PROOF_SECONDS)
    return "" if done.returncode == 0 else f"`{path} -V` exited {done.returncode}: {done.stderr.strip()[-300:]}"


def proxy_works(path: str) -> str:
    """JupyterHub's proxy answers its version, with the modules Debian installed (NODE_PATH)."""
    from deploy.jupyterhub.environment import NODE_MODULES

    done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=PROOF_SECONDS,
                          env=os.environ | {"NODE_PATH": NODE_MODULES})
    return "" if done.returncode == 0 else f"`{path} --version` exited {done.returncode}: {done.stderr.strip()[-300:]}"


PROOFS = {"bubblewrap": bubblewrap_works, "libseccomp2": libseccomp_works, "chromium": chromium_works,
          "chromium-driver": chromedriver_works, "postgresql": postgresql_works, "munge": answers_its_version,
          "slurmctld": answers_its_version, "slurmd": answers_its_version,
          "slurm-client": lambda path: "" if os.access(path, os.X_OK) else "sbatch is not executable",
          "nodejs": lambda path: "" if subprocess.run([path, "--version"], capture_output=True).returncode == 0
          else "node --version failed", "node-configurable-http-proxy": proxy_works}
