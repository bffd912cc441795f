"""Where the course's gradebook lives: the one place that knows its database URL and course id.

By default, SQLite in the course folder (gradebook.db), nbgrader's own embedded default. Set
NNKIT_DB_URL to a database server's URL (e.g. postgresql://grader@dbhost/nnkit) to share one
gradebook between autograde workers on several machines: nbgrader_config.py, the batch, the
report and the tests all read it from here.
"""
import os
import warnings
from pathlib import Path

from nnkit.gradebook.tools import put_tools_on_path
from nnkit.kernel.config import COURSE_ID

DB_URL_VARIABLE = "NNKIT_DB_URL"
# A throwaway course (the tests', the self-check's) holds this file: it always has its own embedded
# gradebook, whatever NNKIT_DB_URL says, so it never writes into a shared one.
OWN_GRADEBOOK_MARKER = ".nnkit-own-gradebook"


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

    put_tools_on_path()  # nbgrader creates or upgrades a gradebook with `alembic`
    return Gradebook(db_url(root), COURSE_ID)
