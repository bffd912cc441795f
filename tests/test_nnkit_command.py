"""The `nnkit` command (nnkit/cli.py): it lists every job by role, each job's --help says what it
does and its exit codes (nnkit.exits'), a bad argument exits CANNOT_CHECK, it imports only what the
job needs, and it and nbgrader work from a bare PATH (`env -i PATH=/usr/bin:/bin`)."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nnkit import cli, exits
from nnkit.gradebook.scratch import scratch_course
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ROOT
from nnkit.testing import nnkit_command

BARE = {"PATH": "/usr/bin:/bin"}  # what `env -i PATH=/usr/bin:/bin` leaves: not the venv's bin/
# A course copy that borrows another checkout's .venv (the authoring guide's replay) names its own kit
# with PYTHONPATH=its folder: kept, so that the bare PATH is all that differs.
BARE |= {"PYTHONPATH": str(COURSE_ROOT)} if os.environ.get("PYTHONPATH") == str(COURSE_ROOT) else {}
# The jobs issue 28 asks a subcommand for (its "What to build"): a requirement, not nnkit's listing.
ISSUE_JOBS = {"grade", "prepare", "collect", "feedback", "report", "export", "check", "author add", "author check",
              "author try", "author references", "author mutants", "author regenerate", "sandbox"}
PASSED_THROUGH = {"nbgrader"}  # its arguments, --help and exit codes are nbgrader's own


def run_bare(*args: str, cwd: Path = COURSE_ROOT, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(nnkit_command(*args), cwd=cwd, env=BARE | {"HOME": str(cwd)}, capture_output=True, text=True,
                          timeout=timeout)


def help_of(name: str, capsys) -> str:
    """`nnkit NAME --help`, in this process: its output (it exits OK)."""
    with pytest.raises(SystemExit) as exit_:
        cli.dispatch([*name.split(), "--help"])
    assert exit_.value.code == exits.OK
    return capsys.readouterr().out


def test_nnkit_help_lists_every_job_by_role_from_a_bare_path():
    result = run_bare("--help")
    assert result.returncode == exits.OK, result.stderr
    assert ISSUE_JOBS <= set(cli.COMMANDS)
    listed = re.findall(r"^  ([a-z][\w -]*?)  +\S", result.stdout, re.M)
    assert listed == [name for group in cli.GROUPS.values() for name in (c.name for c in group)], result.stdout
    for role, commands in cli.GROUPS.items():  # each role's heading, then its commands
        section = result.stdout.split(f"\n{role}:\n", 1)[1].split("\n\n", 1)[0]
        assert [line.split("  ")[1].strip() for line in section.splitlines()] == [c.name for c in commands]
    assert run_bare().stdout == result.stdout  # `nnkit` alone says the same


@pytest.mark.parametrize("name", sorted(set(cli.COMMANDS) - PASSED_THROUGH))
def test_each_jobs_help_says_what_it_does_and_its_exit_codes(name, capsys):
    text = help_of(name, capsys)
    assert text.startswith(f"usage: nnkit {name} "), text.splitlines()[0]
    description = text.split("\n\n")[1]
    assert len(description.split()) >= 5, text
    listed = text.split("exit codes (nnkit.exits):\n", 1)[1]
    codes = {int(code): label for code, label in re.findall(r"^  (\d) (\w+) ", listed, re.M)}
    assert {exits.OK, exits.CANNOT_CHECK, exits.KIT_FAILURE} <= set(codes), listed
    assert codes == {code: exits.NAMES[code] for code in codes}


def test_author_alone_lists_the_authors_jobs(capsys):
    assert cli.dispatch(["author"]) == exits.OK
    out = capsys.readouterr().out
    assert [c for c in cli.COMMANDS if c.startswith("author ")] == re.findall(r"^  (author [\w-]+)", out, re.M)


@pytest.mark.parametrize("args", [["no-such-job"], ["author", "no-such-job"], ["grade", "--jobs", "0"],
                                  ["grade", "--assignment", "no_such_assignment"], ["check"],
                                  ["feedback", "no_such_assignment"], ["author", "mutants", "no_such_assignment"]])
def test_a_bad_argument_exits_cannot_check_with_one_line(args, capsys):
    """In this process, through the entry point's exit policy (exits.run), as `nnkit` runs it."""
    with pytest.raises(SystemExit) as exit_:
        exits.run(lambda: cli.dispatch(args))
    assert exit_.value.code == exits.CANNOT_CHECK
    out, err = capsys.readouterr()
    assert err.strip().splitlines()[-1].startswith(("nnkit", "give a notebook")), out + err


def test_the_nnkit_executable_exits_with_its_jobs_code_from_a_bare_path():
    for args in (["no-such-job"], ["author", "mutants", "no_such_assignment"]):
        result = run_bare(*args)
        assert result.returncode == exits.CANNOT_CHECK and result.stderr.startswith("usage: nnkit"), result.stderr


@pytest.mark.slow  # `author check` counts as a grading for tests/conftest.py
def test_the_nnkit_executable_sees_the_course_assignments_from_a_bare_path():
    """The installed `nnkit` finds nnkit/ alone; the author's jobs import assignments/ beside it."""
    result = run_bare("author", "check", ASSIGNMENTS[0])
    assert result.returncode == exits.OK, result.stderr[-2000:]


IMPORTED = """import atexit, sys
atexit.register(lambda: print(" ".join(sorted(m for m in sys.modules if "." not in m))))
from nnkit import cli
cli.dispatch({args!r})
"""


@pytest.mark.parametrize("args", [["--help"], ["grade", "--help"], ["check", "--help"], ["report", "--help"]])
def test_a_job_imports_only_what_it_needs(args):
    """`nnkit --help` imports no library; grading's jobs import no package of another role's extra."""
    done = subprocess.run([sys.executable, "-c", IMPORTED.format(args=args)], capture_output=True, text=True,
                          timeout=300)
    imported = set(done.stdout.splitlines()[-1].split())
    assert not imported & {"torch", "torchvision", "nbdime", "mlxtend", "jupytext", "cosmic_ray", "babel"}, imported
    if args == ["--help"]:
        assert not imported & {"numpy", "nbgrader", "nbformat", "sqlalchemy"}, imported


@pytest.mark.slow  # nbgrader, which shells out to `alembic` to make the gradebook
@pytest.mark.parametrize("how", ["nnkit nbgrader", "nbgrader"])
def test_nbgrader_finds_its_tools_from_a_bare_path(how, tmp_path):
    """nbgrader makes a new gradebook with `alembic`, which a bare PATH lacks: `nnkit nbgrader` and the
    venv's own `nbgrader` (through the course's nbgrader_config.py) put the venv's bin/ first."""
    course = scratch_course(tmp_path / "course")
    command = nnkit_command("nbgrader") if how == "nnkit nbgrader" else [str(Path(sys.executable).parent / "nbgrader")]
    result = subprocess.run([*command, "db", "student", "list"], cwd=course, env=BARE | {"HOME": str(tmp_path)},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "There are 0 students" in result.stdout, result.stdout + result.stderr
    assert (course / "gradebook.db").is_file()


@pytest.mark.slow  # nbgrader: export and report read the gradebook it makes
def test_export_and_report_rewrite_their_files_from_the_gradebook(tmp_path):
    course = scratch_course(tmp_path / "course")
    for job, written in (("export", course / "grades.csv"), ("report", course / "autograded" / "report.html")):
        result = run_bare(job, "--course", str(course), cwd=tmp_path)
        assert result.returncode == exits.OK and result.stdout.strip() == str(written), result.stdout + result.stderr
        assert written.is_file()
    assert (course / "grades.csv").read_text().startswith("student_id,assignment,")
