"""The course configuration that every nbgrader command reads (it reads this file several times)."""
import os
import sys

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearHiddenTests, GetGrades,
                                    IgnorePattern, LimitOutput, SaveAutoGrades)

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))

# nnkit and solutions importable here (the judge) and in the kernels (the hidden tests' record()).
if COURSE_ROOT not in sys.path:
    sys.path.insert(0, COURSE_ROOT)
paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
if COURSE_ROOT not in paths:
    os.environ["PYTHONPATH"] = os.pathsep.join([COURSE_ROOT] + paths)

from nnkit import limits  # noqa: E402  (needs the path above)
from nnkit.batch import EXCLUDE_FILE_VARIABLE  # noqa: E402
from nnkit.gradebook import COURSE_ID, db_url  # noqa: E402
from nnkit.execute import ResilientExecute  # noqa: E402
from nnkit.preprocessor import JudgeRecords  # noqa: E402

c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)

c.CourseDirectory.root = COURSE_ROOT
c.CourseDirectory.course_id = COURSE_ID
c.CourseDirectory.db_url = db_url(COURSE_ROOT)  # SQLite here, unless NNKIT_DB_URL names a server
# A batch worker grades a group of students; the others are listed in this file (nnkit/batch.py).
if os.environ.get(EXCLUDE_FILE_VARIABLE):
    with open(os.environ[EXCLUDE_FILE_VARIABLE]) as listed:
        c.CourseDirectory.student_id_exclude = listed.read()
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

c.ResilientExecute.timeout = limits.CELL_TIMEOUT_SECONDS
c.ResilientExecute.extra_arguments = ["--HistoryManager.hist_file=:memory:", f"--IPKernelApp.exec_lines={limits.KERNEL_STARTUP}"]

# The verdict is made in this process, after the student's kernel has run: see nnkit/preprocessor.py.
c.Autograde.autograde_preprocessors = [
    ResilientExecute, JudgeRecords, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
    SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
]
# Library warnings on stderr (e.g. torchvision's, matplotlib's) never zero a cell.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"\w*Warning\b"

# Feedback shows each hidden test's description, points and verdict, never its code (by default
# nbgrader copies the hidden tests into the feedback HTML).
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]

# `nbgrader export` writes grades.csv with a column per hidden-test cell (nnkit/export.py).
c.ExportApp.plugin_class = "nnkit.export.CellScoresCsv"
