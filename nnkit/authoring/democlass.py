"""The demo class (submitted/): three students, every assignment, and what each must score.

- correct: the instructor's answers (full marks);
- blank: the untouched release (zero);
- seed: the seed tutorial's own implementations (tests/variants/seed.py).

What the seed scores is an expected value, stated by hand, not derived: each assignment states its
own in `assignments/<name>/demo.toml` (`seed = 10`), beside its cases, so that adding an assignment
edits no shared file. The tests, the benchmarks and the README's checked output use `demo_score`.
`write_class` writes each submission as nbgrader's collect leaves one (`nnkit author regenerate`).
"""
import hashlib
import tomllib
from pathlib import Path

import nbformat

from nnkit.collect import paths
from nnkit.collect.notebooks import fill, implementations_in, notebook_path, read, reference_code, total_points
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ROOT

SEED_CODE = COURSE_ROOT / "tests" / "variants" / "seed.py"
DEMO_STUDENTS = ("blank", "correct", "seed")
# What `make demo` prints first and last: nnkit/authoring/demo.py prints them, `regenerate` writes them into
# the README's checked block (whose times are blanked when it is checked).
DEMO_FIRST_LINE = "Autograding every submission (nbgrader autograde)..."
DEMO_FILE = "demo.toml"  # in assignments/<name>/
# nbgrader's collect leaves these beside the notebook, and its feedback release reads both (formgrader's
# "release all feedback" stops at a submission without them). A demo student submits nothing: fixed,
# before any due date; each its own secret, which names the released page (a shared one would overwrite).
DEMO_TIMESTAMP = "2000-01-01 00:00:00.000000 UTC"
DEMO_TEMPLATE = '''# What the seed student of the demo class (submitted/seed/, the code of tests/variants/seed.py)
# scores on this assignment: an expected value, written by hand; the tests check that grading gives
# exactly this. (`correct` scores the total, `blank` 0.)
seed = {seed}
'''


def demo_last_line(seconds: float) -> str:
    return f"done in {seconds:.1f} s; graded notebooks in autograded/, gradebook in gradebook.db"


def demo_file(assignment: str, root: Path = COURSE_ROOT) -> Path:
    return root / "assignments" / assignment / DEMO_FILE


def stated_scores(assignment: str, root: Path = COURSE_ROOT) -> dict:
    """The assignment's demo.toml: {"seed": points}."""
    with open(demo_file(assignment, root), "rb") as f:
        return tomllib.load(f)


def demo_score(student: str, assignment: str) -> float:
    """The score a demo student must get: 0 blank, full marks correct, the stated one for seed."""
    if student == "blank":
        return 0
    if student == "correct":
        return total_points(assignment)
    return stated_scores(assignment)[student]


def implementations(student: str, assignment: str) -> dict[str, str]:
    if student == "correct":
        return reference_code(assignment)
    if student == "seed":
        return implementations_in(SEED_CODE.read_text())
    return {}


def demo_notebook(student: str, assignment: str, root: Path = COURSE_ROOT) -> nbformat.NotebookNode:
    return fill(read(notebook_path("release", assignment, root)), implementations(student, assignment))


def submission_files(student: str, assignment: str) -> dict[str, str]:
    """{file name: text} of a demo submission: the notebook and what nbgrader's collect leaves beside it."""
    secret = hashlib.sha256(f"{student}+{assignment}".encode()).hexdigest()
    return {f"{assignment}.ipynb": nbformat.writes(demo_notebook(student, assignment)) + "\n",
            "timestamp.txt": DEMO_TIMESTAMP, "submission_secret.txt": secret}


def write_class(into: Path | None = None, assignments=ASSIGNMENTS) -> list[Path]:
    """Write every demo submission of `assignments`, as <student>/<assignment>/ in `into` (by default
    the course's submitted/ folder: the committed demo class has nbgrader's default layout); return
    the files whose content changed."""
    into = paths.step_root(COURSE_ROOT, "submitted") if into is None else into
    changed = []
    for student in DEMO_STUDENTS:
        for assignment in assignments:
            for name, text in submission_files(student, assignment).items():
                path = into / student / assignment / name
                if not path.is_file() or path.read_text() != text:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(text)
                    changed.append(path)
    return changed
