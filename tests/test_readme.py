"""The outputs the README shows are what the commands print: the grade tables, the reasons, the
self-check's lines and exit code (timings and ETAs aside), so the README cannot drift."""
import re
import shutil
import subprocess
import sys

import pytest

from batches import run_batch
from nnkit.scratch import scratch_course
from nnkit.config import COURSE_ROOT
from nnkit.democlass import DEMO_STUDENTS

README = (COURSE_ROOT / "README.md").read_text()
TIMING = re.compile(r"ETA \d+ s|\d+(\.\d+)? s\b")


def shown(name: str) -> list[str]:
    """The lines of the text block after the README's `<!-- checked: name -->` marker."""
    after = README.split(f"<!-- checked: {name} -->", 1)[1]
    block = re.search(r"```text\n(.*?)```", after, re.S).group(1)
    return block.rstrip("\n").splitlines()


def comparable(lines: list[str]) -> list[str]:
    """Lines with their times blanked out (they differ from run to run)."""
    return [TIMING.sub("<time>", line.rstrip()) for line in lines]


@pytest.mark.slow
def test_the_demo_prints_what_the_readme_shows(demo_class):
    _, result = demo_class
    expected = shown("demo")
    got = ["Autograding every submission (nbgrader autograde)...", *result.stderr.splitlines(), "",
           *result.stdout.splitlines()]
    # the demo script adds the first line and the last: the rest is the batch's
    assert comparable(got) == comparable(expected[:-1])
    assert re.fullmatch(r"done in [\d.]+ s; graded notebooks in autograded/, gradebook in gradebook.db", expected[-1])


@pytest.mark.slow
def test_the_broken_class_prints_what_the_readme_shows(tmp_path):
    root = scratch_course(tmp_path / "course")
    for student in DEMO_STUDENTS:
        shutil.copytree(COURSE_ROOT / "submitted" / student / "activations", root / "submitted" / student / "activations")
    (root / "submitted" / "broken" / "activations").mkdir(parents=True)
    (root / "submitted" / "broken" / "activations" / "activations.ipynb").write_text("{ not json")
    (root / "submitted" / "renamed" / "activations").mkdir(parents=True)
    shutil.copy(COURSE_ROOT / "submitted" / "correct" / "activations" / "activations.ipynb",
                root / "submitted" / "renamed" / "activations" / "my_activations.ipynb")
    result = run_batch(root, "--assignment", "activations", check=True, cwd=root)
    assert comparable(result.stderr.splitlines() + result.stdout.splitlines()) == comparable(shown("broken class"))


@pytest.mark.slow
def test_make_check_prints_what_the_readme_shows():
    result = subprocess.run([sys.executable, "-m", "nnkit.selfcheck", "submitted/seed/activations/activations.ipynb"],
                            cwd=COURSE_ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1  # not full marks
    expected = shown("make check")
    assert expected[-1].strip() == "..."
    assert result.stdout.splitlines()[:len(expected) - 1] == expected[:-1]


@pytest.mark.parametrize("claim", ["once per batch", "no monkeypatching can forge a pass"])
def test_the_readme_makes_no_claim_the_code_does_not_keep(claim):
    """Claims a review found untrue (references are cross-checked once per nbgrader process; a
    student who rewrites the kernel's memory can fake facts about their own function)."""
    assert claim not in README
