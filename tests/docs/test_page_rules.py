"""Docs a reader finishes, and one command to type: no page of the docs over PAGE_BYTES and docs/
within DOCS_BYTES (tests/support/docpages.py sets both); no page, Makefile target or script tells a
person to type `python -m`, except for pip, pytest and venv (a person types `nnkit ...`)."""
import re
from pathlib import Path

import pytest

from docpages import DOCS_BYTES, PAGE_BYTES, PAGES
from nnkit.kernel.config import COURSE_ROOT

# `python -m X`, `python3 -m X`, `.venv/bin/python -m X`, and a variable holding the interpreter
# (the Makefile's `$(RUN) -m X`, a script's `"$python" -m X`).
PYTHON_M = re.compile(r"""(?:\bpython[\d.]*|\$\(\w+\)|"?\$\{?\w+\}?"?)\s+-m\s+([\w.]+)""")
# The modules a person may still run with -m: the tools that have no command of their own.
ALLOWED = {"pip", "pytest", "venv"}
# Pages being rewritten on another branch: these tests fail for them until it lands (strict: then
# they pass, and the entry must go). Issue 29 rewrites docs/authoring.md, under the size, with `nnkit`.
PENDING: dict[str, str] = {}


def named(path: Path) -> str:
    return str(path.relative_to(COURSE_ROOT))


def typed_modules(text: str) -> list[str]:
    """The modules a text tells a person to run with `python -m`, but the allowed ones."""
    return [module for module in PYTHON_M.findall(text) if module.split(".")[0] not in ALLOWED]


def readmes() -> list[Path]:
    """Every page a person reads: the docs, and each folder's README (release/<name>/, data/, ...)."""
    found = {*PAGES, *COURSE_ROOT.glob("*/README.md"), *COURSE_ROOT.glob("*/*/README.md")}
    return sorted(p for p in found if not any(part.startswith(".") for part in p.relative_to(COURSE_ROOT).parts))


def with_pending(paths: list[Path]) -> list:
    return [pytest.param(p, id=named(p), marks=pytest.mark.xfail(reason=PENDING[named(p)], strict=True))
            if named(p) in PENDING else pytest.param(p, id=named(p)) for p in paths]


@pytest.mark.parametrize("page", with_pending(PAGES))
def test_no_page_is_longer_than_a_reader_finishes(page):
    assert len(page.read_bytes()) <= PAGE_BYTES, f"{named(page)}: {len(page.read_bytes())} bytes"


@pytest.mark.xfail(bool(PENDING), reason="; ".join(PENDING.values()), strict=True)
def test_the_docs_as_a_whole_stay_within_their_size():
    sizes = {named(p): len(p.read_bytes()) for p in (COURSE_ROOT / "docs").glob("*.md")}
    assert sum(sizes.values()) <= DOCS_BYTES, sizes


@pytest.mark.parametrize("page", with_pending(readmes()))
def test_no_page_tells_a_person_to_type_python_m(page):
    assert typed_modules(page.read_text()) == []


def scripts(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (COURSE_ROOT / folder).rglob("*") if p.is_file()
                  and "__pycache__" not in p.parts)


def typed_in(paths: list[Path]) -> dict[str, list[str]]:
    return {named(path): modules for path in paths if (modules := typed_modules(path.read_text()))}


def test_no_makefile_target_or_cluster_script_tells_a_person_to_type_python_m():
    assert typed_in([COURSE_ROOT / "Makefile", *scripts("cluster")]) == {}


def test_no_script_tells_a_person_to_type_python_m():
    assert typed_in(scripts("benchmarks")) == {}


@pytest.mark.parametrize("text, modules", [
    ("make demo", []),
    (".venv/bin/python -m nnkit.batch.cli --jobs 2", ["nnkit.batch.cli"]),
    ("python3 -m venv ~/nn-env && ~/nn-env/bin/pip install -r requirements.txt", []),
    ('PATH="$PWD/.venv/bin:$PATH" .venv/bin/python -m pytest tests -x', []),
    ("\t$(RUN) -m scripts.demo", ["scripts.demo"]),
    ('exec "$python" -m nnkit.batch.cli --shard 1/3', ["nnkit.batch.cli"]),
    ("$(BIN)/python -m pip install -e .", []),
    ("nnkit grade --jobs 2", []),
])
def test_what_counts_as_telling_a_person_to_type_python_m(text, modules):
    assert typed_modules(text) == modules
