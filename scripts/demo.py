"""The main job: autograde every demo submission of every assignment with nbgrader, and print the
grade table. release/ is never touched (it is generated from source/ and committed; the batch
enters the assignments in the gradebook from source/ on its own).

    make demo        (or: .venv/bin/python -m scripts.demo)

Exits as the batch does: nnkit.exits.
"""
import time

from nnkit.batch import cli as batch
from nnkit import exits


def main() -> int:
    start = time.perf_counter()
    print("Autograding every submission (nbgrader autograde)...", flush=True)
    with batch.stopping_failures():
        summary, failures = batch.grade_class()
    print()
    print(summary)
    print(f"done in {time.perf_counter() - start:.1f} s; graded notebooks in autograded/, gradebook in gradebook.db")
    return batch.report_failures(failures)


if __name__ == "__main__":
    exits.run(main)
