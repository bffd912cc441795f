"""docs/authoring.md, run as a reader runs it: its files written and its commands run, block by
block, in a throwaway copy of the course (its tracked files, as a clone has them), with nothing on
PATH but the system's. After every step, the other assignments still grade; after the last, the
course's own tests pass there, with no file changed but the new assignment's and what the guide's
commands write. A step of the guide that stops working fails here.

Also the authoring tools' own promises: `add` keeps course.toml's layout, `try` tells a crash of
the kit from points lost, `check` names the line that differs, `references` refuses a torch
version that answers nothing."""
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

from catalogue import WRONG_PER_FUNCTION
from components import require
from nnkit import exits
from nnkit.kernel.config import COURSE_ROOT, LISTED

ASSIGNMENT = "activations"

GUIDE = COURSE_ROOT / "docs" / "authoring.md"
BLOCK = re.compile(r"^```(\w+)(?: file=(\S+))?\n(.*?)^```$", re.M | re.S)
NEW = "softmax"  # the guide's example
READER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# What following the guide may change in the course: the new assignment's own files and what the
# guide's commands write (course.toml's list, the release, the demo class, the README's demo table).
MAY_CHANGE = [r"course\.toml", rf"assignments/{NEW}/.*", rf"source/{NEW}/.*", rf"release/{NEW}/.*",
              rf"submitted/[^/]+/{NEW}/.*", rf"tests/variants/(wrong|correct)/{NEW}\w*\.py", r"README\.md"]
# The course's own tests that hold an assignment to the kit's conventions, run in the copy at the end.
COURSE_TESTS = [
    "tests/course/test_course_notebooks.py",
    "tests/judging/test_judge_properties.py",
    "tests/course/test_solutions.py",
    "tests/kernel/test_i18n.py",
    "tests/docs/test_readme.py::test_the_demo_prints_what_the_readme_shows",
    "tests/authoring/test_commands.py::test_the_guide_has_files_and_commands_to_run",
]


def steps(text: str) -> list[tuple[str, str | None, str]]:
    """(language, file it writes or None, text) of each fenced block, in order."""
    return [(m[1], m[2], m[3]) for m in BLOCK.finditer(text)]


def reader_env(home: Path) -> dict:
    """The environment a reader types commands in: no virtualenv on PATH, no PYTHONPATH."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PATH", "PYTHONPATH", "VIRTUAL_ENV") and not k.startswith("PYTEST_XDIST_")}
    return env | {"PATH": READER_PATH, "HOME": str(home)}


def test_the_guide_has_files_and_commands_to_run():
    blocks = steps(GUIDE.read_text())
    assert sum(1 for _, path, _ in blocks if path) >= 8
    assert sum(1 for language, path, _ in blocks if language == "bash") >= 5
    assert not any("PATH=" in text for language, _, text in blocks if language == "bash")  # no PATH tricks
    wrong = [Path(p).stem for _, p, _ in blocks if p and p.startswith("tests/variants/wrong/")]
    for function in ("softmax", "softmax_loss"):
        assert sum(1 for w in wrong if re.fullmatch(rf"{function}_(?!loss)\w+", w)) >= WRONG_PER_FUNCTION, function


def test_the_guide_documents_each_part_of_a_case_with_an_example_it_runs():
    """returns=, named arguments, per-cause hints, check=/CHECKS and CROSS_CHECKS: each explained,
    and each used in a file the guide writes (which the guided run below executes)."""
    text = GUIDE.read_text()
    written = "\n".join(body for _, path, body in steps(text) if path and path.startswith("assignments/"))
    for used in ("returns=(", "keywords=(", "hints={", 'check="', "CHECKS = {", "CROSS_CHECKS = {"):
        assert used in written, used
    for explained in (
        "**Named arguments**",
        "**Hints per cause**",
        "**Several values returned**",
        "**A check of your own**",
        "`CROSS_CHECKS",
    ):
        assert explained in text, explained


def throwaway_copy(root: Path) -> Path:
    """The course's tracked files (and new ones not ignored) as the author's working copy, under git
    so that what the guide changes can be listed; course.toml's list spread over several lines with
    comments, as an instructor may keep it."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=COURSE_ROOT,
                           capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, files):
        source = COURSE_ROOT / name
        if source.is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    (root / ".venv").symlink_to(COURSE_ROOT / ".venv")
    course = root / "course.toml"
    listed = "".join(f'    "{name}",  # week {i + 1}\n' for i, name in enumerate(LISTED))
    course.write_text(re.sub(r"^assignments = \[.*\]$", f"assignments = [\n{listed}]", course.read_text(), flags=re.M))
    git = ["git", "-c", "user.name=author", "-c", "user.email=author@example.org"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (root / ".git" / "info" / "exclude").write_text(".venv\n")
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "the course as the author finds it"], cwd=root, check=True)
    return root


def run(command: list[str] | str, root: Path, env: dict, timeout: int = 900) -> subprocess.CompletedProcess:
    args = ["bash", "-e", "-c", command] if isinstance(command, str) else command
    return subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, timeout=timeout)


def others_grade(root: Path, env: dict, step: str) -> None:
    """A correct notebook of another assignment still gets full marks, through the real autograder."""
    result = run(
        [".venv/bin/python", "-m", "nnkit.batch.selfcheck", "submitted/correct/activations/activations.ipynb"],
        root,
        env,
    )
    assert result.returncode == exits.OK, f"after {step!r}:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def authored(tmp_path_factory):
    require("bubblewrap")
    root = throwaway_copy(tmp_path_factory.mktemp("authoring") / "course")
    env = reader_env(tmp_path_factory.mktemp("home"))
    said = []
    for language, path, text in steps(GUIDE.read_text()):
        if path:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
            step = f"write {path}"
        elif language == "bash":
            result = run(text, root, env)
            said.append((text, result.stdout + result.stderr))
            assert result.returncode == 0, f"{text}\n{result.stdout}\n{result.stderr}"
            step = text.strip()
        else:
            continue
        if path and path.startswith("tests/variants/"):
            continue  # the catalogue is the tests', never imported by the kit
        others_grade(root, env, step)
        if "authoring add" in step:  # half an assignment: the whole class still grades (make grade)
            batch = run([".venv/bin/python", "-m", "nnkit.batch.cli"], root, env)
            assert batch.returncode == 0 and "being added" in batch.stderr, batch.stdout + batch.stderr
            assert "correct        12/12" in batch.stdout, batch.stdout
    return root, env, said


@pytest.mark.slow
def test_add_lists_the_assignment_keeping_course_toml_s_layout(authored):
    root, _, _ = authored
    text = (root / "course.toml").read_text()
    assert tomllib.loads(text)["assignments"] == [*LISTED, NEW]
    assert all(f"# week {i + 1}" in text for i in range(len(LISTED)))


@pytest.mark.slow
def test_following_the_guide_releases_the_new_assignment(authored):
    root, _, _ = authored
    release = (root / "release" / NEW / f"{NEW}.ipynb").read_text()
    assert "BEGIN HIDDEN TESTS" not in release and "z.max(axis=axis" not in release
    assert (root / "release" / NEW / "requirements.txt").is_file()
    assert (root / "assignments" / NEW / "key" / "torch_results.npz").is_file()
    assert not (root / "softmax-notebook.py").exists()
    source = nbformat.read(str(root / "source" / NEW / f"{NEW}.ipynb"), as_version=4)
    assert "# Hidden test (1 point): axis=0: random logits (5, 3)" in "\n".join(c.source for c in source.cells)


@pytest.mark.slow
def test_the_guide_s_try_grades_correct_and_wrong_variants_and_never_a_crash_as_points_lost(authored):
    _, _, said = authored
    ((_, out),) = [(t, out) for t, out in said if "nnkit.authoring.commands try" in t]
    assert "softmax_moveaxis.py: 10/10 points" in out and "softmax_loss_with_helper.py: 10/10 points" in out, out
    assert "softmax_naive.py: 8/10 points" in out and "it loses points (2 of 10): exit 1" in out, out
    assert "SAWarning" not in out and "Traceback" not in out and "the kit failed" not in out
    naive = out.split("softmax_naive.py:")[1].split("softmax_in_place.py:")[0]
    assert "FAIL 0/2  softmax: rows with logits of ±1000" in naive and "Hint: subtract the maximum along" in naive
    in_place = out.split("softmax_in_place.py:")[1]
    # modified only: told so, with the case's hint for a modified input, never the overflow hint
    assert "modified its input `z`" in in_place and "Hint: z - z.max(...) makes a new array" in in_place, in_place
    assert "Hint: subtract the maximum" not in in_place


@pytest.mark.slow
def test_the_guide_s_mutation_report_finds_no_survivor(authored):
    _, _, said = authored
    ((_, report),) = [(t, out) for t, out in said if "nnkit.authoring.mutants softmax" in t]
    assert re.search(r"softmax: \d+ mutants, \d+ killed by a case, 0 out of time, 0 died, 0 harness errors, "
                     r"0 equivalent, 0 survived", report), report


@pytest.mark.slow
def test_after_the_guide_the_course_s_own_tests_pass(authored):
    root, env, _ = authored
    result = run([".venv/bin/python", "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *COURSE_TESTS], root, env,
                 timeout=1800)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]


@pytest.mark.slow
def test_the_guide_changes_only_the_new_assignment_s_files_and_what_its_commands_write(authored):
    root, _, _ = authored
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=root,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    changed = sorted(line[3:] for line in status)
    outside = [path for path in changed if not any(re.fullmatch(pattern, path) for pattern in MAY_CHANGE)]
    assert outside == [], outside
    assert all(line[:2].strip() in ("M", "??", "A") for line in status), status  # nothing deleted
    # README.md: only its checked demo table, which now has the new assignment's column
    before = subprocess.run(
        ["git", "show", "HEAD:README.md"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    after = (root / "README.md").read_text()
    table = re.compile(r"(<!-- checked: demo -->\n```text\n).*?```", re.S)
    assert table.sub("", before) == table.sub("", after)
    assert re.search(rf"student  activations  convolution  backprop  {NEW}  total", after)
    print(f"\nfiles the new assignment touched ({len(changed)}):\n  " + "\n  ".join(changed))


@pytest.mark.slow
def test_the_batch_grades_the_new_assignment_with_the_others(authored):
    root, env, _ = authored
    from nnkit.collect.notebooks import fill, implementations_in, read

    release = read(root / "release" / NEW / f"{NEW}.ipynb")

    def code_of(*variants):
        return {name: code for variant in variants for name, code in implementations_in(
            (root / "tests" / "variants" / f"{variant}.py").read_text(), {"softmax", "softmax_loss"}).items()}

    for student, variants in (("alice", ["correct/softmax_moveaxis", "correct/softmax_loss_with_helper"]),
                              ("bob", ["wrong/softmax_columns", "correct/softmax_loss_with_helper"])):
        code = code_of(*variants)
        path = root / "submitted" / student / NEW / f"{NEW}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(fill(release, code), str(path))
    try:
        result = run([".venv/bin/python", "-m", "nnkit.batch.cli", "--assignment", NEW], root, env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert NEW in (root / "grades.csv").read_text()
        read_back = run(
            [
                ".venv/bin/python",
                "-c",
                "import json; from pathlib import Path; from nnkit.gradebook.states import "
                "class_submissions; print(json.dumps({e.student: [e.state.value, e.score] for e in "
                f"class_submissions(Path.cwd(), ['{NEW}']) if e.student in ('alice', 'bob')}}))",
            ],
            root,
            env,
            timeout=300,
        )
    finally:
        shutil.rmtree(root / "submitted" / "alice"), shutil.rmtree(root / "submitted" / "bob")
    scores = json.loads(read_back.stdout.strip().splitlines()[-1])
    assert scores["alice"] == ["graded", 10.0], scores
    assert scores["bob"][0] == "graded" and scores["bob"][1] < 10.0, scores


# --- the tools' own promises ---------------------------------------------------------------------

def test_add_keeps_comments_and_a_list_over_several_lines(tmp_path):
    from nnkit.authoring.commands import add

    text = ('# the course\nid = "x"\nassignments = [\n    "activations",  # first\n    "convolution",\n]\n'
            'language = "en"  # what students read\n')
    (tmp_path / "course.toml").write_text(text)
    made = add("gradients", root=tmp_path)
    written = (tmp_path / "course.toml").read_text()
    assert tomllib.loads(written)["assignments"] == ["activations", "convolution", "gradients"]
    assert "# first" in written and "# what students read" in written and written.startswith("# the course\n")
    assert (tmp_path / "assignments" / "gradients" / "demo.toml").is_file() and tmp_path / "course.toml" in made
    assert add("gradients", root=tmp_path) == [] and (tmp_path / "course.toml").read_text() == written


def test_a_crash_of_try_is_the_kit_s_failure_never_points_lost():
    """`python -m nnkit.authoring.commands try` whose grading crashes (as nbgrader did without alembic on
    PATH) exits KIT_FAILURE with the traceback and a line saying so, never POINTS_LOST."""
    crash = (
        "import runpy, sys\nimport nnkit.batch.selfcheck\n"
        "def check(path):\n    raise RuntimeError('nbgrader could not enter activations in the gradebook')\n"
        "nnkit.batch.selfcheck.check = check\n"
        "sys.argv = ['nnkit.authoring.commands', 'try', 'tests/variants/wrong/relu_leaky.py']\n"
        "runpy.run_module('nnkit.authoring.commands', run_name='__main__')\n"
    )
    result = subprocess.run([sys.executable, "-c", crash], cwd=COURSE_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == exits.KIT_FAILURE != exits.POINTS_LOST, result.stderr
    assert "Traceback" in result.stderr and "the kit failed" in result.stderr
    guide_line = "false || test $? = 1"  # the guide's form: only points lost (1) passes
    assert run(f"(exit {exits.KIT_FAILURE}) || test $? = 1", COURSE_ROOT, dict(os.environ)).returncode != 0
    assert (
        run(guide_line.replace("false", f"(exit {exits.POINTS_LOST})"), COURSE_ROOT, dict(os.environ)).returncode == 0
    )


def test_try_keeps_a_variant_s_helper_functions():
    from nnkit.collect.notebooks import implementations_in

    code = (
        "import numpy as np\n\n\ndef positive(x):\n    return x > 0\n\n\ndef relu(x):\n"
        "    return np.where(positive(x), x, 0.0)\n"
    )
    (relu,) = implementations_in(code, {"relu", "sigmoid"}).values()
    namespace = {}
    exec(relu, namespace)
    assert namespace["relu"](-1.0) == 0.0 and "def positive" in relu


def test_check_names_the_line_where_an_answer_cell_differs_from_the_key(monkeypatch):
    import nnkit.collect.notebooks
    from nnkit.authoring.commands import answer_problems

    real = nnkit.collect.notebooks.reference_code("activations")
    changed = dict(real, relu=real["relu"].replace("Inputs", "Input", 1))
    monkeypatch.setattr(nnkit.collect.notebooks, "reference_code", lambda assignment: changed)
    (problem,) = answer_problems("activations")
    assert "the answer cell of relu, line" in problem and "assignments/activations/key/solution.py:" in problem
    assert "notebook: " in problem and "Input" in problem


def test_references_refuses_a_torch_version_that_answers_nothing(monkeypatch, tmp_path, capsys):
    from nnkit.judging import references

    monkeypatch.setattr(references, "torch_results_path", lambda assignment: tmp_path / "torch_results.npz")
    monkeypatch.setattr(references.key("activations"), "torch_reference", lambda function, *a, **k: None)
    references.stored_torch_results.cache_clear()
    try:
        assert references.main(["activations"]) == exits.POINTS_LOST
    finally:
        references.stored_torch_results.cache_clear()
    assert "torch_reference returned None on every case of relu" in capsys.readouterr().err


def test_the_mutation_report_offers_only_options_it_has():
    from nnkit.authoring import mutants

    usage = mutants.__doc__.split("\n\n")[1]
    helped = subprocess.run([sys.executable, "-m", "nnkit.authoring.mutants", "--help"], cwd=COURSE_ROOT,
                            capture_output=True, text=True, timeout=120).stdout
    assert set(re.findall(r"--[a-z]+", usage)) <= set(re.findall(r"--[a-z]+", helped))


def test_a_bad_assignment_name_is_a_bad_argument(capsys):
    from nnkit.authoring import commands as authoring

    with pytest.raises(SystemExit) as exited:
        authoring.main(["add", "Bad-Name"])
    assert exited.value.code == exits.CANNOT_CHECK
    assert "a Python identifier in lower case" in capsys.readouterr().err
