"""What each role installs: the extras of pyproject.toml, pinned to the versions in use; the
Makefile installs each extra once into one .venv (make demo: `grading` only) and never takes one
away; grading runs with none of the other roles' packages; and a student's fresh environment,
made from a release folder's requirements.txt, runs its notebook with every visible check passing."""
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement

from nnkit.authoring.democlass import demo_notebook
from nnkit.collect.notebooks import total_points
from nnkit.gradebook.scratch import scratch_course
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ROOT
from nnkit.testing import nbgrader_env, nnkit_command
from test_self_study import run_problems

PROJECT = tomllib.loads((COURSE_ROOT / "pyproject.toml").read_text())["project"]
EXTRAS: dict[str, list[Requirement]] = {extra: [Requirement(r) for r in requirements]
                                        for extra, requirements in PROJECT["optional-dependencies"].items()}


def closure(requirements: list[Requirement]) -> set[str]:
    """The normalized names of the installed distributions these requirements pull in (no extras)."""
    seen, todo = set(), [r.name for r in requirements]
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in seen:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        seen.add(name)
        todo += [r.name for r in map(Requirement, dist.requires or [])
                 if r.marker is None or r.marker.evaluate({"extra": ""})]
    return seen


def import_names(distribution: str) -> set[str]:
    """The top-level modules a distribution installs."""
    return {top for top, dists in importlib.metadata.packages_distributions().items()
            if any(re.sub(r"[-_.]+", "-", d).lower() == distribution for d in dists)}


def test_every_role_has_its_extra_pinned_to_the_version_in_use():
    assert set(EXTRAS) == {"grading", "authoring", "tests", "data", "selfstudy", "hub"}
    for extra, requirements in EXTRAS.items():
        for requirement in requirements:
            (spec,) = requirement.specifier
            assert spec.operator == "==", f"{extra}: {requirement} is not pinned"
            assert importlib.metadata.version(requirement.name) == spec.version, f"{extra}: {requirement}"


def test_grading_pulls_in_no_package_of_another_role():
    """torch (several GB with CUDA), jupytext, cosmic-ray, the test tools and mlxtend stay out of
    what `make demo` installs (Babel comes in anyway: JupyterLab's server requires it)."""
    grading = closure(EXTRAS["grading"])
    others = {re.sub(r"[-_.]+", "-", r.name).lower() for extra in set(EXTRAS) - {"grading"}
              for r in EXTRAS[extra]}
    assert grading & others == {"babel"}
    assert {"torch", "torchvision", "nvidia-cublas-cu12", "triton"}.isdisjoint(grading)


def test_a_release_folder_pins_what_the_grader_pins():
    """What a student installs is what the kit is tested with (backprop's torch is the CPU build)."""
    pins = {r.name: next(iter(r.specifier)).version for extra in EXTRAS.values() for r in extra}
    for assignment in ASSIGNMENTS:
        lines = (COURSE_ROOT / "release" / assignment / "requirements.txt").read_text().splitlines()
        for requirement in (Requirement(line) for line in lines if line.strip() and not line.startswith(("#", "-"))):
            version = next(iter(requirement.specifier)).version.split("+")[0]
            if requirement.name in pins:
                assert version == pins[requirement.name], f"release/{assignment}: {requirement}"
            else:
                assert importlib.metadata.version(requirement.name) == version, f"release/{assignment}: {requirement}"


# --- the Makefile: each target installs its role's extras, each once, into the one .venv ---

FAKE_TOOL = """#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
"""


def make(folder: Path, target: str) -> list[str]:
    """Run a make target with a fake pip, python, nnkit and ruff that only log their arguments; their lines."""
    log = folder / "log"
    log.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    result = subprocess.run(["make", "-s", target, "SYSTEM_PACKAGES=/dev/null"], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return log.read_text().splitlines()


def installs(lines: list[str]) -> list[str]:
    """The extras the logged pip commands installed, in order (every pip command must be an install of the kit)."""
    extras = []
    for line in (line for line in lines if line.startswith("pip ")):
        match = re.fullmatch(r"pip install .* -e \.\[(\w+)\]", line)
        assert match, line
        extras.append(match.group(1))
    return extras


@pytest.mark.slow  # fake tools, but make's grading targets: tests/conftest.py's guard counts them
def test_make_installs_each_roles_extra_once_and_never_takes_one_away(tmp_path):
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(COURSE_ROOT / name, tmp_path / name)
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    for tool in ("pip", "python", "nnkit", "ruff"):
        (tmp_path / ".venv" / "bin" / tool).write_text(FAKE_TOOL.format(log=tmp_path / "log"))
        (tmp_path / ".venv" / "bin" / tool).chmod(0o755)

    default = re.search(r"^PYTEST_PROCESSES \?= (.+)$", (COURSE_ROOT / "Makefile").read_text(), re.M).group(1)
    processes = os.environ.get("PYTEST_PROCESSES") or default  # make's ?= takes the environment's first
    demo = make(tmp_path, "demo")
    assert installs(demo) == ["grading"] and demo[-1] == "nnkit demo"
    test = make(tmp_path, "test")
    assert (
        sorted(installs(test)) == sorted(set(EXTRAS) - {"grading"})
        and test[-1] == f"python -m pytest tests {processes}"
    )
    quick = make(tmp_path, "test-quick")  # the same extras as test's, installed by then; the tests not marked slow
    assert installs(quick) == [] and quick[-1] == f"python -m pytest tests -m not slow {processes}"
    for target, command in [("demo", "nnkit demo"), ("grade", "nnkit grade"), ("check", "nnkit check"),
                            ("bench", "nnkit bench"), ("mutants", "nnkit author mutants"),
                            ("compare", "nnkit compare")]:
        lines = make(tmp_path, target)
        assert installs(lines) == [] and command in lines[-1], (target, lines)

    earlier = (tmp_path / "pyproject.toml").stat().st_mtime - 10  # a pin changed since: each target's extras again
    for stamp in (tmp_path / ".venv").glob(".installed-*"):
        os.utime(stamp, (earlier, earlier))
    assert installs(make(tmp_path, "grade")) == ["grading"]
    assert installs(make(tmp_path, "mutants")) == ["authoring"]
    assert sorted(installs(make(tmp_path, "test"))) == ["data", "hub", "selfstudy", "tests"]


# --- grading needs none of the other roles' packages ---

BLOCKER = '''"""Installed for the test: the packages of {extras} cannot be imported, as in a grading-only .venv."""
import sys

BLOCKED = {blocked!r}


class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}} (not in the grading extra)", name=name)
        return None


sys.meta_path.insert(0, Blocked())
'''


@pytest.mark.slow
def test_grading_runs_without_the_other_roles_packages(tmp_path):
    """The batch (its judge, references, report, export, sandboxed kernels), the feedback and the
    self-check, with every module of the authoring, tests and data extras unimportable, in every
    process they start: the stored torch results grade, and nothing else is needed (not even
    Babel, which JupyterLab's server brings along: the kit's translations use gettext)."""
    blocked = sorted({name for extra in ("authoring", "tests", "data") for r in EXTRAS[extra]
                      for name in import_names(re.sub(r"[-_.]+", "-", r.name).lower())})
    assert {"torch", "torchvision", "jupytext", "cosmic_ray", "babel", "selenium", "hypothesis", "mlxtend"} <= set(
        blocked
    )
    (tmp_path / "blocker").mkdir()
    (tmp_path / "blocker" / "sitecustomize.py").write_text(
        BLOCKER.format(extras="authoring, tests, data", blocked=blocked)
    )
    env = nbgrader_env()
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "blocker"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    probe = subprocess.run([sys.executable, "-c", "import torch"], env=env, capture_output=True, text=True)
    assert "not in the grading extra" in probe.stderr  # the blocker is in force

    root = scratch_course(tmp_path / "course")
    for assignment in ASSIGNMENTS:
        (root / "submitted" / "correct" / assignment).mkdir(parents=True)
        nbformat.write(
            demo_notebook("correct", assignment),
            str(root / "submitted" / "correct" / assignment / f"{assignment}.ipynb"),
        )

    def run(*command):
        result = subprocess.run(nnkit_command(*command), cwd=root, env=env, capture_output=True, text=True, timeout=900)
        assert "not in the grading extra" not in result.stdout + result.stderr, result.stdout + result.stderr
        return result

    assert run("--help").returncode == 0
    graded = run("grade", "--course", ".")
    assert graded.returncode == 0, graded.stdout + graded.stderr
    total = sum(total_points(a) for a in ASSIGNMENTS)
    assert re.search(rf"^correct\s.*\s{total:g}/{total:g}$", graded.stdout, re.M), graded.stdout
    assert (root / "grades.csv").is_file() and (root / "autograded" / "report.html").is_file()
    feedback = run("feedback", "backprop", "--course", ".")
    page = root / "feedback" / "correct" / "backprop" / "backprop.html"
    assert feedback.returncode == 0 and page.is_file(), feedback.stderr
    checked = run("check", str(root / "submitted" / "correct" / "activations" / "activations.ipynb"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


# --- a student's environment, from a release folder's README and requirements.txt alone ---

def readme_commands(assignment: str, step: str) -> str:
    """The shell commands of a step of release/<assignment>/README.md (its first bash block), as written."""
    text = (COURSE_ROOT / "release" / assignment / "README.md").read_text()
    section = re.search(rf"^## \d+\. {step}\n(.*?)(?=^## |\Z)", text, re.M | re.S).group(1)
    return re.search(r"```bash\n(.*?)```", section, re.S).group(1)


def student_env(home: Path) -> dict:
    """A student's shell: Python on the PATH, their own home, nothing of the course's environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONPATH", "JUPYTER", "VIRTUAL_ENV", "NNKIT"))}
    env.update(PATH=os.pathsep.join([str(Path(sys.base_prefix) / "bin"), "/usr/bin", "/bin"]), HOME=str(home))
    return env


@pytest.fixture(scope="session")
def activations_student(tmp_path_factory) -> Path:
    """A student's home after the install step of release/activations/README.md, run as written in
    a copy of the release folder: a fresh virtual environment with its requirements.txt (made once
    per session). backprop's is not tried: its CPU-only torch comes from download.pytorch.org,
    which the test machines cannot reach."""
    home = tmp_path_factory.mktemp("student")
    shutil.copytree(COURSE_ROOT / "release" / "activations", home / "work" / "activations")
    result = subprocess.run(
        ["bash", "-ec", readme_commands("activations", "Install")],
        cwd=home / "work" / "activations",
        env=student_env(home),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return home


@pytest.mark.slow  # a fresh environment
def test_a_student_installs_activations_alone_and_every_check_passes(activations_student):
    """The README's install, then the instructor's answers: every visible check passes in the
    student's environment, which has none of the kit, and the README's validate command succeeds."""
    home = activations_student
    env, folder, venv = student_env(home), home / "work" / "activations", home / "nn-env"
    kit = subprocess.run([str(venv / "bin" / "python"), "-c", "import nnkit"], cwd=home, env=env, capture_output=True)
    assert kit.returncode != 0  # the student's environment has none of the kit
    nbformat.write(demo_notebook("correct", "activations"), str(folder / "activations.ipynb"))
    run = subprocess.run([str(venv / "bin" / "jupyter"), "nbconvert", "--to", "notebook", "--execute", "--inplace",
                          "activations.ipynb"], cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert run_problems("activations", home / "work") == []
    validate = subprocess.run(["bash", "-ec", readme_commands("activations", "Validate")], cwd=folder, env=env,
                              capture_output=True, text=True, timeout=600)
    assert "Success! Your notebook passes all the tests." in validate.stdout + validate.stderr, validate.stdout


def extension_states(venv: Path, env: dict) -> tuple[dict[str, str], set[str]]:
    """({nbgrader server extension: "enabled" or "disabled"}, the disabled lab plugins) in a student's environment."""
    def listed(*command):
        result = subprocess.run([str(venv / "bin" / "jupyter"), *command], env=env, capture_output=True, text=True,
                                timeout=300)
        return re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)

    servers = dict(
        re.findall(r"nbgrader\.server_extensions\.(\w+) (enabled|disabled)", listed("server", "extension", "list"))
    )
    labs = listed("labextension", "list")
    disabled = set(re.findall(r"@jupyter/nbgrader:[\w-]+", labs.split("Disabled extensions:", 1)[1])) \
        if "Disabled extensions:" in labs else set()
    return servers, disabled


@pytest.mark.slow  # a fresh environment
def test_the_readmes_install_gives_a_student_the_students_tools_only(activations_student):
    """nbgrader installs the instructor's tools with the student's: the README's install step turns
    off Create Assignment, Formgrader and the course list, and keeps the assignment list and Validate."""
    home = activations_student
    servers, disabled = extension_states(home / "nn-env", student_env(home))
    assert servers == {"formgrader": "disabled", "course_list": "disabled", "assignment_list": "enabled",
                       "validate_assignment": "enabled"}, servers
    assert disabled == {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                        "@jupyter/nbgrader:course-list"}, disabled


@pytest.mark.slow  # a fresh environment, JupyterLab and Chromium
def test_the_students_jupyterlab_shows_the_assignment_list_and_validate_only(activations_student, tmp_path, request):
    """The student's JupyterLab, from the README's install: the notebook's Validate button, and in
    the Nbgrader menu the Assignment List, with no Formgrader, Course List or Create Assignment."""
    from selenium.webdriver.common.by import By

    from test_browser import SCREENSHOTS, lab_server, make_browser, open_notebook, wait_for

    home = activations_student
    with make_browser(request, tmp_path) as browser, \
            lab_server(home / "work", home, python=str(home / "nn-env" / "bin" / "python"),
                       environment=student_env(home)) as url:
        open_notebook(browser, url, "activations/activations.ipynb")
        menu = next(e for e in browser.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-itemLabel") if e.text == "Nbgrader")
        menu.click()
        items = wait_for(browser, lambda d: [e.text for e in d.find_elements(By.CSS_SELECTOR, ".lm-Menu-itemLabel")
                                             if e.is_displayed()], "the Nbgrader menu")
        SCREENSHOTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(SCREENSHOTS / "student-jupyterlab.png"))
        assert "Assignment List" in items and not {"Formgrader", "Course List"} & set(items), items
        sidebar = " ".join((e.get_attribute("title") or "") + " " + (e.get_attribute("data-id") or "")
                           for e in browser.find_elements(By.CSS_SELECTOR, ".lm-TabBar-tab"))
        assert "create" not in sidebar.lower() and "nbgrader" not in sidebar.lower(), sidebar
