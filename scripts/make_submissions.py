"""Write the demo class into submitted/: three students, every assignment.

- correct: the instructor's answers (full marks);
- blank: the untouched release (zero);
- seed: the seed tutorial's own implementations (tests/variants/seed.py).

    .venv/bin/python -m scripts.make_submissions [--into FOLDER]
tests/test_notebooks.py checks that the committed files are what this writes.
"""
import argparse
from pathlib import Path

import nbformat

from nnkit.mnist import COURSE_ROOT
from nnkit.notebooks import ASSIGNMENTS, fill, implementations_in, notebook_path, read, reference_code, total_points

SEED_CODE = COURSE_ROOT / "tests" / "variants" / "seed.py"
DEMO_STUDENTS = ("blank", "correct", "seed")
# What the seed's code scores, as the README explains line by line: the one place the demo's
# expected grades are written (the tests, the benchmarks and the README's checked output use it).
SEED_SCORES = {"activations": 10, "convolution": 14, "backprop": 3}


def demo_score(student: str, assignment: str) -> float:
    """The score a demo student must get: 0 blank, full marks correct, SEED_SCORES seed."""
    return {"blank": 0, "correct": total_points(assignment), "seed": SEED_SCORES[assignment]}[student]


def implementations(student: str, assignment: str) -> dict[str, str]:
    if student == "correct":
        return reference_code(assignment)
    if student == "seed":
        return implementations_in(SEED_CODE.read_text())
    return {}


def demo_notebook(student: str, assignment: str, root: Path = COURSE_ROOT) -> nbformat.NotebookNode:
    return fill(read(notebook_path("release", assignment, root)), implementations(student, assignment))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.make_submissions", description=__doc__.splitlines()[0])
    parser.add_argument("--into", type=Path, default=COURSE_ROOT / "submitted", help="where (default: submitted/)")
    args = parser.parse_args(argv)
    for student in DEMO_STUDENTS:
        for assignment in ASSIGNMENTS:
            path = args.into / student / assignment / f"{assignment}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(demo_notebook(student, assignment), str(path))


if __name__ == "__main__":
    main()
