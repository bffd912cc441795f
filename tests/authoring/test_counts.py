"""The counts of assignments and the seed's total that the README and docs/ show are derived from
course.toml and the demo's stated scores (nnkit/authoring/counts.py), never typed: the committed
pages are what it writes, and no other sentence counts the assignments."""
import re

import pytest

from nnkit.authoring.counts import NUMBERS, SENTENCES, number_word, rewritten, seed_total
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ROOT

PAGES = [COURSE_ROOT / "README.md", *sorted((COURSE_ROOT / "docs").glob("*.md"))]
COUNTED = re.compile(rf"\b({'|'.join(NUMBERS[2:])})\s+(assignments|notebooks)\b", re.I)


@pytest.mark.parametrize("page", SENTENCES)
def test_the_pages_say_what_course_toml_and_the_demo_say(page):
    text = (COURSE_ROOT / page).read_text()
    assert rewritten(page, text) == text, f"{page} is stale: nnkit author regenerate"


def test_a_stale_count_is_rewritten():
    stale = ("Seven [nbgrader](https://nbgrader.readthedocs.io) assignments in which\n"
             "graded like any student. It scores **1/2**, and")
    count = number_word(len(ASSIGNMENTS)).capitalize()
    assert rewritten("README.md", stale) == (
        f"{count} [nbgrader](https://nbgrader.readthedocs.io) assignments in which\n"
        f"graded like any student. It scores **{seed_total()}**, and")
    listed = "Two assignments, in this order: `a`, `b`. Each"
    assert rewritten("docs/students.md", listed).endswith(f"`{ASSIGNMENTS[-1]}`. Each") and "`a`" not in \
        rewritten("docs/students.md", listed)


def test_the_readme_s_seed_total_is_its_demo_table_s():
    text = (COURSE_ROOT / "README.md").read_text()
    table = re.search(r"<!-- checked: demo -->\n```text\n(.*?)```", text, re.S)[1]
    assert re.search(rf"^seed\s.*\s{re.escape(seed_total())}$", table, re.M), table


def test_no_other_sentence_counts_the_assignments():
    found = []
    for page in PAGES:
        name = str(page.relative_to(COURSE_ROOT))
        text = page.read_text()
        for pattern, _ in SENTENCES.get(name, []):
            text = pattern.sub("", text)
        found += [f"{name}: {m[0]}" for m in COUNTED.finditer(text)]
    assert found == [], "say it without a number, or derive it (nnkit/authoring/counts.py)"
