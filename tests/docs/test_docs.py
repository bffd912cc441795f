"""The docs point at what exists: every relative link of the README, CONTRIBUTING and docs/*.md
resolves to a file (and, with #anchor, to a heading of it, as GitHub names headings); every path
of the kit's code they name in backquotes exists; every `nnkit.NAME` and `python -m X` they name is
a module; the module map of docs/contributors.md names each package and module of nnkit/, the
kernel side (what the sandbox shows a kernel) marked as such; and the README sends each reader to
their page, while docs/README.md lists every page; the limits table says what nnkit/kernel/limits.py sets."""
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest

from docpages import FENCE, PAGES
from nnkit.kernel.config import COURSE_ROOT
from nnkit.sandbox.bwrap import KERNEL_SIDE

LINK = re.compile(r"!?\[[^\]\n]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$", re.M)
# The kit's own folders: a path into one of them, in backquotes, names a file of the kit. (Course
# content, e.g. assignments/<name>/, is named with placeholders or by the guide that writes it.)
KIT_FOLDERS = ("nnkit", "tests", "benchmarks", "cluster", "deploy", "docs")
CODE_PATH = re.compile(rf"`((?:{'|'.join(KIT_FOLDERS)})/[\w./-]*)`")
MODULE = re.compile(r"\b(?:python -m |`)((?:nnkit|benchmarks)(?:\.\w+)?)\b")


def prose(page: Path) -> str:
    """The page without its fenced blocks (code, outputs, files a guide writes)."""
    return FENCE.sub("", page.read_text())


def anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    text = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    names, seen = set(), {}
    for heading in HEADING.findall(prose(page)):
        base = anchor(heading)
        count = seen.get(base, 0)
        names.add(base if count == 0 else f"{base}-{count}")
        seen[base] = count + 1
    return names


def named(page: Path) -> str:
    return str(page.relative_to(COURSE_ROOT))


@pytest.mark.parametrize("page", PAGES, ids=named)
def test_every_relative_link_resolves(page):
    broken = []
    for target in LINK.findall(prose(page)):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        path, _, fragment = unquote(target).partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target}: no such file")
        elif fragment and (file.suffix != ".md" or fragment not in anchors(file)):
            broken.append(f"{target}: no heading #{fragment} in {file.name}")
    assert broken == []


@pytest.mark.parametrize("page", PAGES, ids=named)
def test_every_path_of_the_kit_named_exists(page):
    missing = [path for path in CODE_PATH.findall(prose(page)) if not (COURSE_ROOT / path).exists()]
    assert missing == []


@pytest.mark.parametrize("page", PAGES, ids=named)
def test_every_module_named_exists(page):
    missing = []
    for module in set(MODULE.findall(prose(page))):
        path = COURSE_ROOT / module.replace(".", "/")
        if not (
            path.with_suffix(".py").is_file() or (path / "__init__.py").is_file() or (path / "__main__.py").is_file()
        ):
            missing.append(module)
    assert missing == []


def test_the_module_map_names_every_module_of_the_kit_and_its_side():
    """A row per package of nnkit/ naming each of its modules, and a row per module at its top; the
    kernel side (what the sandbox shows a kernel) marked as such. Each module's job is its docstring's."""
    text = (COURSE_ROOT / "docs" / "contributors.md").read_text()
    row = re.compile(r"^\| `nnkit/([\w/]+?)(?:\.py)?/?` \| ([^|]+) \|([^|]*)\|", re.M)
    rows = {name: (side.strip(), set(re.findall(r"`(\w+)`", modules))) for name, side, modules in row.findall(text)}
    kit = COURSE_ROOT / "nnkit"
    packages = {folder.name: {p.relative_to(folder).with_suffix("").as_posix() for p in folder.rglob("*.py")
                              if p.name != "__init__.py"}
                for folder in kit.iterdir() if folder.is_dir() and not folder.name.startswith("__")}
    top = {p.stem for p in kit.glob("*.py") if p.name != "__init__.py"}
    assert set(rows) == set(packages) | top
    assert {name: rows[name][1] for name in packages} == packages
    assert {name for name, (side, _) in rows.items() if side == "kernel side"} == {KERNEL_SIDE}


def linked(page: Path) -> set[Path]:
    """The files of the course a page links to."""
    return {(page.parent / unquote(target).partition("#")[0]).resolve()
            for target in LINK.findall(prose(page)) if not re.match(r"[a-z]+:", target) and not target.startswith("#")}


def test_the_readme_routes_every_reader_to_a_page_and_the_index_lists_every_page():
    pages = {p.resolve() for p in (COURSE_ROOT / "docs").glob("*.md")}
    index = (COURSE_ROOT / "docs" / "README.md").resolve()
    assert pages - {index} <= linked(COURSE_ROOT / "docs" / "README.md")
    assert index in linked(COURSE_ROOT / "README.md")
    readers = {"students", "self-study", "instructors", "authoring", "grading", "sandbox", "state", "contributors"}
    assert {(COURSE_ROOT / "docs" / f"{name}.md").resolve() for name in readers} <= linked(COURSE_ROOT / "README.md")


@pytest.mark.parametrize(
    "heading, expected",
    [
        ("The demo class (`submitted/`)", "the-demo-class-submitted"),
        (
            "What a student who rewrites the kernel's memory can still fake",
            "what-a-student-who-rewrites-the-kernels-memory-can-still-fake",
        ),
        ("1. List the assignment and make its folders", "1-list-the-assignment-and-make-its-folders"),
        (
            "Grading at class scale: shared servers and several machines",
            "grading-at-class-scale-shared-servers-and-several-machines",
        ),
    ],
)
def test_anchors_are_githubs(heading, expected):
    assert anchor(heading) == expected


def size(n: int) -> str:
    """A size as the docs write it: 64 MiB, 4 GiB."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} bytes"


def test_the_limits_table_states_the_limits_the_kit_sets():
    """instructors.md's table of limits, row by row, says what nnkit/kernel/limits.py sets."""
    from nnkit.kernel import limits as L

    text = (COURSE_ROOT / "docs" / "instructors.md").read_text().split("\n## Limits\n", 1)[1]
    rows = [line.split(" | ") for line in text.splitlines() if line.startswith("| ")][2:]
    rows = rows[:next((i for i, r in enumerate(rows) if len(r) != 3), len(rows))]
    stated = [value for _, value, _ in rows]
    expected = [
        f"{L.CELL_TIMEOUT_SECONDS} s",
        f"{size(L.OUTPUT_BYTES_PER_CELL)} and {L.OUTPUTS_PER_CELL} outputs per cell, "
        f"{size(L.OUTPUT_BYTES_PER_NOTEBOOK)} and "
        f"{L.OUTPUTS_PER_NOTEBOOK} outputs per notebook",
        size(L.RECORD_BYTES),
        size(L.KERNEL_MEMORY_BYTES),
        f"{L.CPU_SECONDS} s",
        f"{L.PROCESSES}",
        size(L.FILE_BYTES),
        f"{size(L.WORK_BYTES)} working folder, {size(L.TMP_BYTES)} `/tmp` and `/dev/shm`, {size(L.HOME_BYTES)} home",
        f"{size(L.RUNTIME_BYTES)}, {L.RUNTIME_FILES} files",
        f"{L.SUBMISSION_FILES} files and folders, {size(L.SUBMISSION_BYTES)}, a {size(L.NOTEBOOK_BYTES)} notebook, "
        f"paths of {L.PATH_BYTES} bytes",
        f"{L.NOTEBOOK_SECONDS} s",
        size(L.SUBMISSION_MEMORY_BYTES),
        f"{L.SUBMISSION_PROCESSES}",
        "one process per core",
    ]
    assert len(stated) == len(expected)
    assert [value for value, start in zip(stated, expected, strict=True) if not value.startswith(start)] == []
