"""The course configuration that every nbgrader command reads (it reads this file several times).

It knows one thing itself: the course is the folder this file is in, and the kit (nnkit/,
assignments/) is there. Everything else it imports from the kit."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))  # the course, and the kit in it

# nnkit and assignments importable here (the judge) and in unsandboxed kernels (the hidden tests' record()).
if HERE not in sys.path:
    sys.path.insert(0, HERE)
paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
if HERE not in paths:
    os.environ["PYTHONPATH"] = os.pathsep.join([HERE] + paths)

import nnkit  # noqa: E402  (needs the path above)
from nnkit.gradebook.db import db_url  # noqa: E402
from nnkit.gradebook.tools import put_tools_on_path  # noqa: E402
from nnkit.kernel import limits  # noqa: E402
from nnkit.kernel.config import COURSE_ID  # noqa: E402
from nnkit.sandbox import bwrap  # noqa: E402

put_tools_on_path()  # nbgrader runs `alembic` and `jupyter` by name: the kit's own, whatever PATH says

c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)

c.CourseDirectory.root = HERE
c.CourseDirectory.course_id = COURSE_ID
c.CourseDirectory.db_url = db_url(HERE)  # SQLite here, unless NNKIT_DB_URL names a server
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

c.ResilientExecute.timeout = limits.CELL_TIMEOUT_SECONDS
# Every kernel starts in the sandbox (nnkit/sandbox/bwrap.py); its opt-out variable (the batch's --no-sandbox
# sets it) grades without it, for code you trust, and every submission so graded is listed for review.
c.ResilientExecute.sandbox = not os.environ.get(bwrap.OPT_OUT_VARIABLE)
# A finished notebook's kernel is killed, not asked to quit (0.3 s a notebook): it has nothing to save,
# and its sandbox takes everything it started with it.
c.ResilientExecute.shutdown_kernel = "immediate"
c.ResilientExecute.extra_arguments = [
    "--HistoryManager.hist_file=:memory:",
    f"--IPKernelApp.exec_lines={limits.KERNEL_STARTUP}",
]

# The verdict is made in this process, after the student's kernel has run: see nnkit/judging/step.py.
# Classes by dotted name (nbconvert imports them), so that the formgrader can show this configuration.
c.Autograde.autograde_preprocessors = [
    "nnkit.execution.execute.ResilientExecute",
    "nnkit.judging.step.JudgeRecords",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Autograde restores each locked cell from the gradebook, without nbgrader's false alarm on hidden
# tests (jupyter/nbgrader#1961; see nnkit/execution/locked_cells.py): a cell the student did change is still reported.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nnkit.execution.locked_cells.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Library warnings on stderr (e.g. torchvision's, matplotlib's) never zero a cell.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"\w*Warning\b"

# Feedback shows each hidden test's description, points and verdict, never its code (by default
# nbgrader copies the hidden tests into the feedback HTML); its summary names each test (the
# course's copy of nbgrader's feedback template, found first).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# The formulas of every page nbgrader draws, the formgrader's views and the feedback, are MathML,
# drawn by the browser offline (nbgrader's templates load MathJax from a CDN; nothing here ships it).
c.HTMLExporter.preprocessors = ["nnkit.views.feedback.MathToMathML"]
# Every page that shows a student's notebook or output, the formgrader's views (its own HTMLExporter,
# built from this config) and the feedback, keeps only what nnkit/views/sanitizer.py allows: no script, event
# handler, javascript: URL, frame, object, form or style; MathML, images, tables and headings stay.
c.HTMLExporter.sanitize_html = True
c.HTMLExporter.filters = {
    "clean_html": "nnkit.views.sanitizer.clean_html",
    "markdown2html": "nnkit.views.sanitizer.markdown2html",
    "csp_meta": "nnkit.views.sanitizer.csp_meta",
}
c.HTMLExporter.extra_template_basedirs = [
    os.path.join(os.path.dirname(nnkit.__file__), "templates"),
    os.path.join(os.path.dirname(__import__("nbgrader").__file__), "server_extensions", "formgrader", "templates")]

# nbgrader's exchange (release -> fetch -> submit -> collect, and feedback back): on one machine, the
# course's exchange/ folder; on a JupyterHub, a folder every user can write (e.g. /srv/nbgrader/exchange),
# named by NNKIT_EXCHANGE here and by c.Exchange.root in the students' Jupyter config.
c.Exchange.root = os.environ.get("NNKIT_EXCHANGE") or os.path.join(HERE, "exchange")
if not os.path.isdir(c.Exchange.root):
    try:
        os.makedirs(c.Exchange.root)
        os.chmod(c.Exchange.root, 0o1777)  # every student writes their submission in it
    except OSError:
        pass  # nbgrader's exchange commands say what is wrong

# `nbgrader collect` copies a submission without following any link in it, or opening anything but
# its regular files (nnkit/collect/exchange.py); a submission holding something else is then not gradable.
c.ExchangeFactory.collect = "nnkit.collect.exchange.SafeCollect"

# `nbgrader export` writes grades.csv with a column per hidden-test cell (nnkit/views/export.py).
c.ExportApp.plugin_class = "nnkit.views.export.CellScoresCsv"
