"""nbgrader's own exchange for this course, end to end on one machine, with nbgrader's commands and
two students (nbgrader's --student, as on a JupyterHub the OS user names them): release, fetch,
submit, collect, autograde, generate_feedback, release_feedback, fetch_feedback. The exchange is
the course's (a temporary course here), never a system folder."""
import shutil
import subprocess
import sys

import nbformat
import pytest

from batches import run_batch
from nnkit.collect.notebooks import fill, read, reference_code
from nnkit.gradebook.scratch import scratch_course
from nnkit.gradebook.states import State, class_submissions
from nnkit.kernel.config import COURSE_ID
from nnkit.testing import nbgrader_env

pytestmark = pytest.mark.slow

STUDENTS = {"alice": "correct", "bob": "blank"}


def run(*args, cwd, home=None):
    """An nbgrader command; a student's runs with their own home (nbgrader keeps their submissions'
    cache there, as each OS user of a JupyterHub has theirs)."""
    env = nbgrader_env() | ({"HOME": str(home)} if home else {})
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"nbgrader {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def test_release_fetch_submit_collect_grade_and_return_feedback(tmp_path):
    course = scratch_course(tmp_path / "course")
    exchange = course / "exchange"  # the course's exchange: nbgrader_config.py names it
    student = ["--course", COURSE_ID, f"--Exchange.root={exchange}"]  # what a student's own config would hold
    run("generate_assignment", "activations", cwd=course)
    run("release_assignment", "activations", cwd=course)
    assert (exchange / COURSE_ID / "outbound" / "activations" / "activations.ipynb").is_file()

    for name, kind in STUDENTS.items():
        home = tmp_path / name
        home.mkdir()
        assert "activations" in run("list", *student, cwd=home, home=home)
        run("fetch_assignment", "activations", *student, cwd=home, home=home)
        notebook = home / "activations" / "activations.ipynb"
        if kind == "correct":
            nbformat.write(fill(read(notebook), reference_code("activations")), str(notebook))
        run("submit", "activations", *student, f"--student={name}", cwd=home, home=home)

    run("collect", "activations", cwd=course)
    assert sorted(p.name for p in (course / "submitted").iterdir()) == sorted(STUDENTS)
    run_batch(course, "--assignment", "activations", check=True)
    got = {e.student: (e.state, e.score) for e in class_submissions(course, ["activations"])}
    assert got == {"alice": (State.GRADED, 12), "bob": (State.GRADED, 0)}

    run("generate_feedback", "activations", cwd=course)
    run("release_feedback", "activations", cwd=course)
    for name in STUDENTS:
        home = tmp_path / name
        run("fetch_feedback", "activations", *student, f"--student={name}", cwd=home, home=home)
        pages = sorted((home / "activations" / "feedback").rglob("*.html"))
        assert len(pages) == 1, pages
        page = pages[0]
        text = page.read_text()
        assert ("Score: 12.0 / 12.0" if name == "alice" else "Score: 0.0 / 12.0") in text
        assert "record(" not in text  # the hidden tests' code never reaches a student
    shutil.rmtree(exchange)
