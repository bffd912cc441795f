"""The main job: regenerate the student release, autograde every demo submission of every
assignment with nbgrader, and print the grade table.

    make demo        (or: python -m scripts.demo, with the venv's bin/ on PATH)
"""
import time

from nnkit import batch
from nnkit.course import generate_release


def main() -> None:
    start = time.perf_counter()
    print("Generating the student release (nbgrader generate_assignment)...", flush=True)
    generate_release()
    print("Autograding every submission (nbgrader autograde)...", flush=True)
    summary = batch.grade_class()
    print()
    print(summary)
    print(f"done in {time.perf_counter() - start:.1f} s; graded notebooks in autograded/, gradebook in gradebook.db")


if __name__ == "__main__":
    main()
