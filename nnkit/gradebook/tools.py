"""The tools nbgrader runs: `alembic` and `jupyter` from the kit's own environment, first on PATH
(the one place that puts them there), and `nbgrader()`, one nbgrader command in a course folder.
"""
import os
import subprocess
import sys
from pathlib import Path

from nnkit.kernel.config import COURSE_ROOT


def with_tools_on_path(env: dict) -> dict:
    """`env` with this interpreter's bin/ first on PATH: nbgrader runs `alembic` (to create or
    upgrade a gradebook) and `jupyter` by name, and they must be the ones installed beside the kit,
    whether or not the venv is on the user's PATH."""
    tools = str(Path(sys.executable).parent)
    paths = [p for p in env.get("PATH", "").split(os.pathsep) if p]
    return {**env, "PATH": os.pathsep.join([tools] + [p for p in paths if p != tools])}


def put_tools_on_path() -> None:
    """This process's PATH with the kit's tools first: called by every nbgrader command (its config,
    nbgrader_config.py) and before a gradebook is opened, for nbgrader's own subprocesses."""
    os.environ["PATH"] = with_tools_on_path(dict(os.environ))["PATH"]


def nbgrader(*args: str, root: Path = COURSE_ROOT) -> subprocess.CompletedProcess:
    """Run an nbgrader command in a course folder (which holds its nbgrader_config.py)."""
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=root,
        env=with_tools_on_path(dict(os.environ)),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result
