"""The sentences of the README and docs/ that count or list the course's assignments, and the seed's
total, written from course.toml and each assignment's stated demo scores: never typed, so that
adding an assignment leaves no page stale. `regenerate` writes them (`write`);
tests/authoring/test_counts.py checks that the committed pages are what `rewritten` gives. A sentence a
page no longer has is left alone.
"""
import re
from collections.abc import Callable
from pathlib import Path

from nnkit.kernel.config import ASSIGNMENTS, COURSE_ROOT

NUMBERS = "zero one two three four five six seven eight nine ten eleven twelve".split()


def number_word(count: int) -> str:
    return NUMBERS[count] if count < len(NUMBERS) else str(count)


def seed_total() -> str:
    """What the seed of the demo class scores over the course, as the README's table shows it: 27/42."""
    from nnkit.authoring.democlass import demo_score
    from nnkit.collect.notebooks import total_points

    return f"{sum(demo_score('seed', a) for a in ASSIGNMENTS):g}/{sum(total_points(a) for a in ASSIGNMENTS):g}"


def listed() -> str:
    return ", ".join(f"`{a}`" for a in ASSIGNMENTS)


def solution_links() -> str:
    return ",\n".join(f"[{a}](../solutions/{a}/{a}.ipynb)" for a in ASSIGNMENTS)


# Per page: (the text to find, what it becomes). Each pattern matches only the words it rewrites.
SENTENCES: dict[str, list[tuple[re.Pattern, Callable[[], str]]]] = {
    "README.md": [
        (re.compile(r"^\w+(?= \[nbgrader\]\(https://nbgrader\.readthedocs\.io\) assignments)", re.M),
         lambda: number_word(len(ASSIGNMENTS)).capitalize()),
        (re.compile(r"(?<=It scores \*\*)[\d.]+/[\d.]+(?=\*\*)"), seed_total),
    ],
    "docs/students.md": [
        (re.compile(r"^\w+ assignments, in this order: `[^.]*`\.", re.M),
         lambda: f"{number_word(len(ASSIGNMENTS)).capitalize()} assignments, in this order: {listed()}."),
    ],
    "docs/self-study.md": [
        (re.compile(r"The \w+ notebooks, in course order:\n(?:\[\w+\]\([^)]*\.ipynb\)[,.]\n?)+"),
         lambda: f"The {number_word(len(ASSIGNMENTS))} notebooks, in course order:\n{solution_links()}.\n"),
    ],
}


def rewritten(page: str, text: str) -> str:
    for pattern, words in SENTENCES[page]:
        text = pattern.sub(lambda _, words=words: words(), text)
    return text


def write(root: Path = COURSE_ROOT) -> list[Path]:
    """Rewrite those sentences in place; return the pages that changed."""
    changed = []
    for page in SENTENCES:
        path = root / page
        if path.is_file() and (new := rewritten(page, old := path.read_text())) != old:
            path.write_text(new)
            changed.append(path)
    return changed
