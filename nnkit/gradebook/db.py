"""Where the course's gradebook lives: the one place that knows its database URL and course id.

By default, SQLite in the course folder (gradebook.db), nbgrader's own embedded default. Set
NNKIT_DB_URL to a database server's URL (e.g. postgresql://grader@dbhost/nnkit) to share one
gradebook between autograde workers on several machines: nbgrader_config.py, the batch, the
report and the tests all read it from here.
"""
import os
import subprocess
import sys
import warnings
from pathlib import Path

from nnkit.kernel.config import COURSE_ID, COURSE_ROOT

DB_URL_VARIABLE = "NNKIT_DB_URL"
# A throwaway course (the tests', the self-check's) holds this file: it always has its own embedded
# gradebook, whatever NNKIT_DB_URL says, so it never writes into a shared one.
OWN_GRADEBOOK_MARKER = ".nnkit-own-gradebook"


def with_tools_on_path(env: dict) -> dict:
    """`env` with this interpreter's bin/ first on PATH: nbgrader runs `alembic` (to create or
    upgrade a gradebook) and `jupyter` by name, and they must be the ones installed beside the kit,
    whether or not the venv is on the user's PATH."""
    tools = str(Path(sys.executable).parent)
    paths = [p for p in env.get("PATH", "").split(os.pathsep) if p]
    return {**env, "PATH": os.pathsep.join([tools] + [p for p in paths if p != tools])}


# The one place: every process of the kit that opens a gradebook, and every nbgrader command (its
# config, nbgrader_config.py, imports this module), gets the kit's tools for nbgrader's subprocesses.
os.environ["PATH"] = with_tools_on_path(dict(os.environ))["PATH"]


def nbgrader(*args: str, root: Path = COURSE_ROOT) -> subprocess.CompletedProcess:
    """Run an nbgrader command in a course folder (which holds its nbgrader_config.py)."""
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=with_tools_on_path(dict(os.environ)),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def db_url(root: Path) -> str:
    own = f"sqlite:///{Path(root) / 'gradebook.db'}"
    if (Path(root) / OWN_GRADEBOOK_MARKER).exists():
        return own
    return os.environ.get(DB_URL_VARIABLE) or own


def db_label(root: Path) -> str:
    """The gradebook's URL without its password: what may be written to a file or printed."""
    from sqlalchemy.engine import make_url

    return make_url(db_url(root)).render_as_string(hide_password=True)


# nbgrader 0.9's gradebook relies on SQLAlchemy's old backref cascade, and SQLAlchemy 2 says so on
# stderr ("Object of type <SubmittedAssignment> not in session ...") each time a submission is
# entered: nbgrader's to fix, harmless here, and noise in what a student or instructor reads.
warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session", module=r"nbgrader\.api")


def open_gradebook(root: Path):
    """nbgrader's Gradebook of the course in `root` (use it in a `with` block)."""
    from nbgrader.api import Gradebook

    return Gradebook(db_url(root), COURSE_ID)


def carries_points(points: float) -> bool:
    """Whether a grade cell worth `points` (its max_score in the gradebook, its nbgrader metadata's
    points in a notebook) counts in the score: the 0-point checks (an answer's shape, its dtype) are
    left out of every column, table, rate and benchmark. The one place that says so."""
    return points > 0


def points_of(gradebook, assignment: str) -> dict[str, float]:
    """{hidden-test cell: its points} of an assignment, in notebook order, the cells that carry points only."""
    return {cell.name: cell.max_score for notebook in gradebook.find_assignment(assignment).notebooks
            for cell in notebook.grade_cells if carries_points(cell.max_score)}
