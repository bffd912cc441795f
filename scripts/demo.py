"""The main job: regenerate the student release, autograde every demo submission of every
assignment with nbgrader, and print the grade table.

    make demo        (or: python -m scripts.demo, with the venv's bin/ on PATH)
"""
import time

from nnkit.course import autograde, format_table, generate_release, scores
from nnkit.notebooks import ASSIGNMENTS


def main() -> None:
    start = time.perf_counter()
    print("Generating the student release (nbgrader generate_assignment)...", flush=True)
    generate_release()
    for assignment in ASSIGNMENTS:
        print(f"Autograding {assignment} (nbgrader autograde)...", flush=True)
        autograde(assignment)
    print()
    print(format_table(scores()))
    print(f"\ndone in {time.perf_counter() - start:.1f} s; graded notebooks in autograded/, grades in gradebook.db")


if __name__ == "__main__":
    main()
