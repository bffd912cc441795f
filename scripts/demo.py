"""The main job: autograde every demo submission of every assignment with nbgrader, and print the
grade table. release/ is never touched (it is generated from source/ and committed; the batch
enters the assignments in the gradebook from source/ on its own).

    make demo        (or: .venv/bin/python -m scripts.demo)
"""
import time

from nnkit import batch


def main() -> None:
    start = time.perf_counter()
    print("Autograding every submission (nbgrader autograde)...", flush=True)
    summary = batch.grade_class()
    print()
    print(summary)
    print(f"done in {time.perf_counter() - start:.1f} s; graded notebooks in autograded/, gradebook in gradebook.db")


if __name__ == "__main__":
    main()
