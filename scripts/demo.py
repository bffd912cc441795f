"""The main job: regenerate the student release, autograde every demo submission of every
assignment with nbgrader, and print the grade table.

    make demo        (or: python -m scripts.demo, with the venv's bin/ on PATH)
"""
import time

from nnkit.course import autograde, format_table, generate_release, scores
from nnkit.mnist import COURSE_ROOT
from nnkit.notebooks import ASSIGNMENTS


def main() -> None:
    start = time.perf_counter()
    print("Generating the student release (nbgrader generate_assignment)...", flush=True)
    generate_release()
    for assignment in ASSIGNMENTS:
        count = len(list(COURSE_ROOT.glob(f"submitted/*/{assignment}/{assignment}.ipynb")))
        print(f"Autograding {assignment} (nbgrader autograde, {count} submissions)...", end=" ", flush=True)
        started = time.perf_counter()
        autograde(assignment)
        seconds = time.perf_counter() - started
        print(f"{seconds:.1f} s, {seconds / max(count, 1):.1f} s per submission", flush=True)
    print()
    print(format_table(scores()))
    print(f"\ndone in {time.perf_counter() - start:.1f} s; graded notebooks in autograded/, grades in gradebook.db")


if __name__ == "__main__":
    main()
