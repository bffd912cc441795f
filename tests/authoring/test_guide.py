"""docs/authoring.md, replayed as a reader follows it: its commands run and its files written, block
by block, in a fresh copy of the course (its tracked files, as a clone has them), with a case added
after a demo grading; then the course's quick tests (`make test-quick`) pass there, and nothing
changed but the new assignment's files and what `regenerate` is meant to write.

The replay prints its time, `make test-quick` included (no test asserts a time: the machines are
shared). Slow-marked."""
import fnmatch
import os
import re
import shutil
import subprocess
import time
import tomllib
from pathlib import Path

import nbformat
import pytest

from catalogue import WRONG_PER_FUNCTION
from components import require
from nnkit import exits
from nnkit.authoring.counts import SENTENCES
from nnkit.kernel.config import COURSE_ROOT, LISTED

GUIDE = COURSE_ROOT / "docs" / "authoring.md"
BLOCK = re.compile(r"^```(\w+)(?: (file|append)=(\S+))?\n(.*?)^```$", re.M | re.S)
NEW = re.search(r"^nnkit author add (\w+)$", GUIDE.read_text(), re.M)[1]  # the guide's example
EXAMPLE = COURSE_ROOT / "examples" / NEW
READER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Until the `nnkit` command (issue 28) is installed, what it runs for the guide's commands.
NNKIT_SHIM = """#!/bin/sh
[ "$1" = author ] || { echo "nnkit $1: not in this shim" >&2; exit 3; }
shift
case "$1" in
  mutants) shift; exec python -m nnkit.authoring.mutants "$@";;
  references) shift; exec python -m nnkit.judging.references "$@";;
  *) exec python -m nnkit.authoring.commands "$@";;
esac
"""


def steps(text: str) -> list[tuple[str, str | None, str | None, str]]:
    """(language, 'file' or 'append' or None, the file it writes, text) of each fenced block, in order."""
    return [(m[1], m[2], m[3], m[4]) for m in BLOCK.finditer(text)]


def example_files() -> list[str]:
    return sorted(str(p.relative_to(EXAMPLE)) for p in EXAMPLE.rglob("*") if p.is_file())


def may_change() -> list[str]:
    """What following the guide may change: the example's files, course.toml's list, and what
    regenerate writes (nnkit.authoring.regenerate.GENERATED) of the new assignment or of every one
    (the release folders' READMEs, which say "N of M"; the pages that count the assignments)."""
    return [*example_files(), "course.toml", f"assignments/{NEW}/*", f"source/{NEW}/*", f"release/{NEW}/*",
            f"solutions/{NEW}/*", f"submitted/*/{NEW}/*", "source/*/README.md", "release/*/README.md", *SENTENCES]


def throwaway_copy(root: Path) -> Path:
    """The course's tracked files (and new ones not ignored) as a fresh clone has them, under git so
    that what the guide changes can be listed; course.toml's list spread over several lines with
    comments, as an instructor may keep it."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=COURSE_ROOT,
                           capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, files):
        source = COURSE_ROOT / name
        if source.is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    (root / ".venv").symlink_to(COURSE_ROOT / ".venv")
    # The borrowed .venv is installed already: step 0 (`make author`) must find its stamps current, or
    # it would reinstall the kit editable from this copy, which is deleted afterwards.
    stamps = list((COURSE_ROOT / ".venv").glob(".installed-*"))
    if stamps:
        oldest = min(stamp.stat().st_mtime for stamp in stamps) - 1
        os.utime(root / "pyproject.toml", (oldest, oldest))
    course = root / "course.toml"
    listed = "".join(f'    "{name}",  # week {i + 1}\n' for i, name in enumerate(LISTED))
    course.write_text(re.sub(r"^assignments = \[.*\]$", f"assignments = [\n{listed}]", course.read_text(), flags=re.M))
    git = ["git", "-c", "user.name=author", "-c", "user.email=author@example.org"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (root / ".git" / "info" / "exclude").write_text(".venv\n")
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "the course as the author finds it"], cwd=root, check=True)
    return root


def reader_env(root: Path, home: Path) -> dict:
    """A reader's shell after `. .venv/bin/activate` (step 0): the venv's bin/ first on the system's
    PATH. PYTHONPATH names the copy, so that the installed `nnkit` (editable, bound to this checkout)
    runs the copy's kit, as it runs a clone's own."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PATH", "PYTHONPATH", "VIRTUAL_ENV") and not k.startswith("PYTEST_XDIST_")}
    bins = [str(root / ".venv" / "bin")]
    if not (COURSE_ROOT / ".venv" / "bin" / "nnkit").exists():
        shim = home / "bin" / "nnkit"
        shim.parent.mkdir(parents=True, exist_ok=True)
        shim.write_text(NNKIT_SHIM)
        shim.chmod(0o755)
        bins.append(str(shim.parent))
    return env | {"PATH": ":".join([*bins, READER_PATH]), "VIRTUAL_ENV": str(root / ".venv"), "HOME": str(home),
                  "PYTHONPATH": str(root)}


def run(command: list[str] | str, root: Path, env: dict, timeout: int = 1200) -> subprocess.CompletedProcess:
    args = ["bash", "-e", "-c", command] if isinstance(command, str) else command
    return subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, timeout=timeout)


def test_the_guide_has_a_command_for_every_step_and_its_example_files():
    blocks = steps(GUIDE.read_text())
    commands = [text for language, _, _, text in blocks if language == "bash"]
    assert len(commands) >= 8 and not any("PATH=" in text or "python -m" in text for text in commands)
    assert commands[0].strip().startswith("make ") and commands[-1].strip() == "make test-quick"
    wrong = [Path(p).stem for p in example_files() if p.startswith("tests/variants/wrong/")]
    for function in ("softmax", "softmax_loss"):
        assert sum(1 for w in wrong if re.fullmatch(rf"{function}_(?!loss)\w+", w)) >= WRONG_PER_FUNCTION, function


def test_the_guide_s_example_uses_each_part_of_a_case_it_explains():
    """returns=, named arguments, per-cause hints, check=/CHECKS and CROSS_CHECKS: each explained,
    and each used in a file the guide's replay runs."""
    text = GUIDE.read_text()
    written = "\n".join([*(body for _, kind, _, body in steps(text) if kind),
                         *((EXAMPLE / p).read_text() for p in example_files() if p.startswith("assignments/"))])
    for used in ("returns=(", "keywords=(", "hints={", 'check="', "CHECKS = {", "CROSS_CHECKS = {"):
        assert used in written and used.split("=")[0].strip() in text, used


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    require("bubblewrap")
    start = time.perf_counter()
    root = throwaway_copy(tmp_path_factory.mktemp("authoring") / "course")
    env = reader_env(root, tmp_path_factory.mktemp("home"))
    said = []
    for language, kind, path, text in steps(GUIDE.read_text()):
        if kind:
            with open(root / path, "a" if kind == "append" else "w") as f:
                f.write(("\n\n" if kind == "append" else "") + text)
        elif language == "bash":
            for line in filter(str.strip, text.splitlines()):
                result = run(line, root, env)
                said.append((line, result.returncode, result.stdout + result.stderr))
                assert result.returncode == 0, f"{line}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
                if line == f"nnkit author add {NEW}":  # half an assignment: the others still grade
                    check = run([".venv/bin/python", "-m", "nnkit.batch.selfcheck",
                                 "submitted/correct/activations/activations.ipynb"], root, env)
                    assert check.returncode == exits.OK, check.stdout + check.stderr
    seconds = time.perf_counter() - start
    print(f"\nthe guide's replay, make test-quick included: {seconds:.0f} s")
    return root, env, said, seconds


def output(said, command: str) -> list[str]:
    return [out for line, _, out in said if line == command]


@pytest.mark.slow
@pytest.mark.long  # the replay (make demo, mutants, the copy's make test-quick): its file starts first
def test_add_lists_the_assignment_and_refuses_it_twice(replayed):
    root, env, _, _ = replayed
    text = (root / "course.toml").read_text()
    assert tomllib.loads(text)["assignments"] == [*LISTED, NEW] and "# week 1" in text
    again = run(f"nnkit author add {NEW}", root, env)
    assert again.returncode == exits.CANNOT_CHECK and len(again.stderr.strip().splitlines()) == 1, again.stderr
    assert (root / "course.toml").read_text() == text


@pytest.mark.slow
def test_regenerate_after_the_demo_grading_keeps_the_release_and_adds_the_case(replayed):
    root, _, said, _ = replayed
    (demo,) = output(said, "make demo")
    header = next(line for line in demo.splitlines() if line.startswith("student "))
    correct = next(line for line in demo.splitlines() if line.startswith("correct "))
    assert NEW in header.split() and all(a == b for a, b in re.findall(r"([\d.]+)/([\d.]+)", correct)), demo
    first, second = output(said, f"nnkit author regenerate {NEW}")
    assert f"new     release/{NEW}/{NEW}.ipynb" in first and "removed the demo class's" not in first, first
    assert f"changed release/{NEW}/{NEW}.ipynb" in second and "removed the demo class's" in second, second
    release = (root / "release" / NEW / f"{NEW}.ipynb").read_text()
    assert "softmax_columns" in release and "BEGIN HIDDEN TESTS" not in release and "z.max(axis=axis" not in release
    source = nbformat.read(str(root / "source" / NEW / f"{NEW}.ipynb"), as_version=4)
    total = sum(c.metadata["nbgrader"].get("points", 0) for c in source.cells if c.metadata["nbgrader"].get("grade"))
    assert f"**Total: {total} points**" in source.cells[0].source  # the example states the total without the case
    assert "# Hidden test (1 point): axis=0: random logits (5, 3)" in "\n".join(c.source for c in source.cells)


@pytest.mark.slow
def test_the_guide_s_try_grades_correct_and_wrong_variants(replayed):
    _, _, said, _ = replayed
    outs = {line.split("/")[-1].split(".py")[0]: out for line, _, out in said if line.startswith("nnkit author try")}
    assert "full marks" in outs["softmax_moveaxis"] and "full marks" in outs["softmax_loss_with_helper"]
    naive, in_place = outs["softmax_naive"], outs["softmax_in_place"]
    assert "it loses points (2 of" in naive and "FAIL 0/2  softmax: rows with logits of ±1000" in naive
    assert "Hint: subtract the maximum along" in naive and "Traceback" not in naive
    assert "modified its input `z`" in in_place and "Hint: z - z.max(...) makes a new array" in in_place
    assert "Hint: subtract the maximum" not in in_place


@pytest.mark.slow
def test_the_added_case_kills_every_mutant(replayed):
    _, _, said, _ = replayed
    (last,) = output(said, f"nnkit author mutants {NEW}")
    assert re.search(r"softmax: \d+ mutants, \d+ killed by a case, 0 out of time, 0 died, 0 harness errors, "
                     r"0 equivalent, 0 survived", last), last


@pytest.mark.slow
def test_the_guide_changes_only_what_it_is_meant_to(replayed):
    root, _, _, _ = replayed
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=root,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    changed = sorted(line[3:] for line in status)
    outside = [p for p in changed if not any(fnmatch.fnmatch(p, pattern) for pattern in may_change())]
    assert outside == [] and all(line[:2].strip() in ("M", "??", "A") for line in status), (outside, status)
    for other in LISTED:  # the other assignments' own files: only their READMEs say "N of M"
        assert not [p for p in changed if f"/{other}/" in p and not p.endswith("/README.md")], changed
    print(f"\nfiles the guide changed or added ({len(changed)}):\n  " + "\n  ".join(changed))
