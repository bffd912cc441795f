"""The one Python environment every user's server runs in: the union of the release folders'
requirements.txt (what the students' notebooks need), the kit's grading extra (the graders'
formgrader and autograde load the course's nbgrader_config.py) and the hub's single-user server,
at the hub's version. Made from the system's Python, world-readable. Its own Jupyter config
(jupyter-config/environment/) loads the students' tools only, as nbgrader's docs say (disabled
at the environment's level); the hub gives graders theirs.

    python3 deploy/jupyterhub/environment.py /opt/nnkit-hub/env
"""
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parents[2]
STUDENTS_TOOLS = Path(__file__).resolve().parent / "jupyter-config" / "environment"
SERVER_EXTRAS = ("grading", "hub")
# Where Debian's configurable-http-proxy (the hub's proxy) finds its modules: Debian's Node.js looks
# there by itself, another Node.js (e.g. NodeSource's) only when NODE_PATH names it.
NODE_MODULES = "/usr/share/nodejs"


def release_requirements(assignments: list[str]) -> list[str]:
    """The lines of each assignment's release/<name>/requirements.txt, comments left out."""
    lines = []
    for name in assignments:
        text = (COURSE_ROOT / "release" / name / "requirements.txt").read_text()
        lines += [line.split("#", 1)[0].strip() for line in text.splitlines()]
    return [line for line in lines if line]


def extra_requirements(extras=SERVER_EXTRAS) -> list[str]:
    found = tomllib.loads((COURSE_ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    return [line for extra in extras for line in found[extra]]


def union(lines: list[str]) -> list[str]:
    """Each line once, in order; two pins of one package that disagree are an error."""
    pins: dict[str, str] = {}
    kept = []
    for line in lines:
        name = re.match(r"[A-Za-z0-9_.-]+", line)
        key = name.group().lower().replace("_", "-") if name and not line.startswith("-") else line
        if key in pins and pins[key] != line:
            raise ValueError(f"two pins of {key}: {pins[key]!r} and {line!r}")
        if key not in pins:
            pins[key] = line
            kept.append(line)
    return kept


def server_requirements(assignments: list[str] | None = None) -> list[str]:
    """What the servers' environment installs: every listed assignment's release by default."""
    if assignments is None:
        assignments = tomllib.loads((COURSE_ROOT / "course.toml").read_text())["assignments"]
    return union(release_requirements(assignments) + extra_requirements())


def make(target: Path, requirements: list[str], python: str = "/usr/bin/python3") -> Path:
    """A virtual environment at `target` with `requirements`, readable by every user; its python."""
    subprocess.run([python, "-m", "venv", str(target)], check=True, capture_output=True, text=True)
    listed = target / "requirements.txt"
    listed.write_text("\n".join(requirements) + "\n")
    install = subprocess.run([str(target / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
                              "-r", str(listed)], capture_output=True, text=True)
    if install.returncode != 0:
        raise RuntimeError(f"pip could not make {target}:\n{install.stdout}\n{install.stderr}")
    for path in [target, *target.rglob("*")]:  # world-readable, whatever the umask was
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o444 | (0o111 if path.is_dir() else 0))
    return target / "bin" / "python"


# JupyterLab's defaults in every server: no pop-up asking to fetch Jupyter's news.
LAB_OVERRIDES = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false"}}


def configure(target: Path) -> None:
    """The environment's Jupyter config (its etc/jupyter): the students' extensions only; and
    JupyterLab's defaults (its share/jupyter/lab/settings/overrides.json)."""
    shutil.copytree(STUDENTS_TOOLS, target / "etc" / "jupyter", dirs_exist_ok=True)
    overrides = target / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    overrides.parent.mkdir(parents=True, exist_ok=True)
    overrides.write_text(json.dumps(LAB_OVERRIDES, indent=2) + "\n")
    config = target / "etc" / "jupyter"
    for path in [config, *config.rglob("*"), *overrides.parents[:4], overrides]:
        path.chmod(0o755 if path.is_dir() else 0o644)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 deploy/jupyterhub/environment.py TARGET_FOLDER")
    python = make(Path(sys.argv[1]), server_requirements())
    configure(Path(sys.argv[1]))
    print(python)
