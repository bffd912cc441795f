"""The course, as course.toml states it: its id, its assignments in course order, its language.

The one place that says which assignments the course has and in which order: the batch, the
table, the report, the self-check and the kit's discovery of cases and references read it from
here. Kernel side: the hidden tests' record() finds the cases through it.

An assignment listed in course.toml is graded once its files are all there (PARTS): while an
author is adding one (docs/authoring.md), it is LISTED but not in ASSIGNMENTS, and every command
of the kit goes on with the others (BEING_ADDED says what it still lacks). Nothing is ever
graded against half an assignment, and half an assignment never stops the others.
"""
import tomllib
from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parents[2]  # nnkit/kernel/config.py: the course holds nnkit/
COURSE_FILE = COURSE_ROOT / "course.toml"
# What an assignment is made of, relative to the course folder ({name}: the assignment's name).
PARTS = ("assignments/{name}/cases.py", "assignments/{name}/key/solution.py", "assignments/{name}/key/reference.py",
         "source/{name}/{name}.ipynb")


def read(path: Path = COURSE_FILE) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f)


def missing_parts(name: str, root: Path = COURSE_ROOT) -> list[str]:
    """The files of PARTS an assignment does not have yet, relative to the course folder."""
    return [part.format(name=name) for part in PARTS if not (root / part.format(name=name)).is_file()]


_COURSE = read()
COURSE_ID: str = _COURSE["id"]
LISTED: tuple[str, ...] = tuple(_COURSE["assignments"])  # every assignment course.toml lists, in order
LANGUAGE: str = _COURSE.get("language", "en")
# Grader side: the listed assignments that have all their parts. (In a grading kernel's sandbox the
# key and the notebooks are not there, and the kernel side uses LISTED: nnkit.kernel.course_cases.)
BEING_ADDED: dict[str, list[str]] = {name: missing for name in LISTED if (missing := missing_parts(name))}
ASSIGNMENTS: tuple[str, ...] = tuple(name for name in LISTED if name not in BEING_ADDED)
