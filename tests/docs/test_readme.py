"""Every command output the README and docs/ show is what the command prints: the grade tables,
the reasons, grades.csv, the self-check's lines and exit codes, Validate's verdict (timings and
ETAs aside), so the docs cannot drift.

A command's output in a page is a fenced block tagged `text` with no `file=` (commands are tagged
bash or sh, a file's content with its own language or `text file=PATH`). Each must follow a
`<!-- checked: NAME -->` marker, and a test below, marked `@checks(NAME)`, compares it with what
the command prints. In a shown block, `...` stands for any text within a line, and a line of its
own `...` for any number of lines."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from batches import run_batch
from docpages import FENCE, PAGES
from nnkit.authoring.commands import TIMING
from nnkit.authoring.democlass import DEMO_STUDENTS
from nnkit.gradebook.scratch import scratch_course
from nnkit.kernel.config import COURSE_ROOT
from nnkit.testing import nbgrader_env

MARKER = re.compile(r"<!-- checked: ([^>]+?) -->\s*\Z")
CHECKED: set[str] = set()  # the names the tests below check


def checks(*names: str):
    """Mark a test as the check of the output blocks with these names."""
    def mark(test):
        CHECKED.update(names)
        return test
    return mark


def output_blocks(text: str) -> list[tuple[str | None, str, list[str]]]:
    """(marker name or None, the block's first line, its lines) of each command output block."""
    blocks = []
    for fence in FENCE.finditer(text):
        if fence[2].strip() != "text":
            continue
        marker = MARKER.search(text, 0, fence.start())
        lines = [line[len(fence[1]):] for line in fence[3].rstrip("\n").splitlines()]
        blocks.append((marker[1] if marker else None, lines[0] if lines else "", lines))
    return blocks


def shown(name: str) -> list[str]:
    """The lines of the output block after the `<!-- checked: name -->` marker of a page."""
    assert name in CHECKED, f"{name}: no test is marked @checks({name!r})"
    found = [lines for page in PAGES for marker, _, lines in output_blocks(page.read_text()) if marker == name]
    assert len(found) == 1, f"{name}: {len(found)} output blocks have this marker"
    return found[0]


def comparable(lines: list[str]) -> list[str]:
    """Lines with their times blanked out (they differ from run to run)."""
    return [TIMING.sub("<time>", line.rstrip()) for line in lines]


def matches(expected: list[str], got: list[str]) -> bool:
    """The shown lines are the command's, times aside: `...` is any text in a line, and a line
    `...` any number of lines."""
    parts = []
    for line in comparable(expected):
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append("[^\n]*".join(map(re.escape, line.split("..."))) + r"\n")
    return re.fullmatch("".join(parts), "".join(line + "\n" for line in comparable(got))) is not None


@checks("demo")
@pytest.mark.slow
def test_the_demo_prints_what_the_readme_shows(demo_class):
    _, result = demo_class
    expected = shown("demo")
    got = ["Autograding every submission (nbgrader autograde)...", *result.stderr.splitlines(), "",
           *result.stdout.splitlines()]
    # the demo script adds the first line and the last: the rest is the batch's
    assert comparable(got) == comparable(expected[:-1])
    assert re.fullmatch(r"done in [\d.]+ s; graded notebooks in autograded/, gradebook in gradebook.db", expected[-1])


@checks("broken class", "grades.csv")
@pytest.mark.slow
def test_the_broken_class_prints_what_the_readme_shows(tmp_path):
    root = scratch_course(tmp_path / "course")
    for student in DEMO_STUDENTS:
        shutil.copytree(
            COURSE_ROOT / "submitted" / student / "activations", root / "submitted" / student / "activations"
        )
    (root / "submitted" / "broken" / "activations").mkdir(parents=True)
    (root / "submitted" / "broken" / "activations" / "activations.ipynb").write_text("{ not json")
    (root / "submitted" / "renamed" / "activations").mkdir(parents=True)
    shutil.copy(COURSE_ROOT / "submitted" / "correct" / "activations" / "activations.ipynb",
                root / "submitted" / "renamed" / "activations" / "my_activations.ipynb")
    result = run_batch(root, "--assignment", "activations", check=True, cwd=root)
    assert comparable(result.stderr.splitlines() + result.stdout.splitlines()) == comparable(shown("broken class"))
    assert matches(shown("grades.csv"), (root / "grades.csv").read_text().splitlines())


@checks("make check")
@pytest.mark.slow
def test_make_check_prints_what_the_readme_shows():
    seed = "submitted/seed/activations/activations.ipynb"
    result = subprocess.run([sys.executable, "-m", "nnkit.batch.selfcheck", seed], cwd=COURSE_ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 1  # not full marks
    expected = shown("make check")
    assert expected[-1].strip() == "..."
    assert matches(expected, result.stdout.splitlines())


# Outputs that need no grading, from the command the page shows just before them, run as written
# (the venv's python, from the course folder): the page and the block it names.
RUN_AS_SHOWN = {"selfcheck exit code": "docs/self-study.md", "batch exit code": "docs/instructors.md"}


def command_before(page: str, name: str) -> str:
    """The last bash block before the `<!-- checked: name -->` marker of the page."""
    text = (COURSE_ROOT / page).read_text()
    marker = text.index(f"<!-- checked: {name} -->")
    return [fence[3] for fence in FENCE.finditer(text, 0, marker) if fence[2].strip() == "bash"][-1]


@checks(*RUN_AS_SHOWN)
@pytest.mark.parametrize("name", RUN_AS_SHOWN)
def test_a_command_prints_what_its_page_shows(name):
    command = command_before(RUN_AS_SHOWN[name], name)
    assert command.startswith(".venv/bin/python -m ")  # never a make target: those install
    result = subprocess.run(["bash", "-c", command], cwd=COURSE_ROOT, capture_output=True, text=True, timeout=600)
    assert matches(shown(name), (result.stderr + result.stdout).splitlines())


@checks("validate")
@pytest.mark.slow
def test_validate_on_finished_work_prints_what_the_students_page_shows(tmp_path):
    """nbgrader validate on the instructor's answers, in a folder of its own as a student has it."""
    shutil.copy(COURSE_ROOT / "submitted" / "correct" / "activations" / "activations.ipynb", tmp_path)
    result = subprocess.run(
        [str(Path(sys.executable).parent / "nbgrader"), "validate", "activations.ipynb"],
        cwd=tmp_path,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert matches(shown("validate"), result.stdout.splitlines())


def test_every_command_output_shown_is_checked():
    """Each output block follows a marker, each marker names a check here, each check has its block."""
    unmarked, names = [], []
    for page in PAGES:
        for marker, first, _ in output_blocks(page.read_text()):
            if marker is None:
                unmarked.append(f"{page.relative_to(COURSE_ROOT)}: {first!r}")
            else:
                names.append(marker)
    assert unmarked == [], ("a ```text block is a command's output: put <!-- checked: NAME --> before it and a "
                            "@checks(NAME) test here, or tag it with its own language", unmarked)
    assert sorted(names) == sorted(set(names)), "a marker used twice"
    assert set(names) == CHECKED


@pytest.mark.parametrize("text, outputs", [
    ("```bash\nmake demo\n```\n\n```text\nhello\n```\n", [(None, "hello", ["hello"])]),
    ("<!-- checked: x -->\n```text\na\n...\n```\n", [("x", "a", ["a", "..."])]),
    ("  <!-- checked: y -->\n  ```text\n  a,b\n  ```\n", [("y", "a,b", ["a,b"])]),
    ("<!-- checked: z -->\n\nprose\n\n```text\nb\n```\n", [(None, "b", ["b"])]),
    ("```text file=x.txt\nc\n```\n```toml\nd = 1\n```\n", []),
])
def test_what_counts_as_a_command_output(text, outputs):
    assert output_blocks(text) == outputs


@pytest.mark.parametrize("expected, got, same", [
    (["a", "b"], ["a", "b"], True),
    (["a", "b"], ["a", "b", "c"], False),
    (["a", "..."], ["a", "b", "c"], True),
    (["a", "..."], ["b"], False),
    (["x,...,z"], ["x,1,2,z"], True),
    (["x,...,z"], ["x,1,2,y"], False),
    (["h", "...", "s,1", "..."], ["h", "r,0", "s,1", "t,2"], True),
    (["done in 1.0 s"], ["done in 23.5 s"], True),
    (["a.b"], ["axb"], False),
])
def test_what_a_shown_block_matches(expected, got, same):
    assert matches(expected, got) is same


@pytest.mark.parametrize("claim", ["once per batch", "no monkeypatching can forge a pass"])
def test_the_readme_makes_no_claim_the_code_does_not_keep(claim):
    """Claims a review found untrue (references are cross-checked once per nbgrader process; a
    student who rewrites the kernel's memory can fake facts about their own function)."""
    for page in PAGES:
        assert claim not in page.read_text(), page
