"""The locks: two batches never grade one submission at once, and the locks live in the course's
state place."""
import subprocess
import sys
import textwrap

import pytest

from batches import run_batch, submit
from nnkit.batch import locks
from nnkit.kernel.config import COURSE_ROOT

ASSIGNMENT = "activations"


# --- two batches never grade one submission at once ------------------------------------------------

HOLDER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from nnkit.batch import locks
    with locks.grading(Path(sys.argv[1]), [(sys.argv[2], sys.argv[3])]):
        print("held", flush=True)
        sys.stdin.read()  # until the test closes it
""")


@pytest.mark.slow
def test_a_second_batch_on_the_same_submissions_stops_and_says_why_while_shards_run_side_by_side(course):
    for student in ("s0", "s1"):
        submit(course, student)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(course), "s0", ASSIGNMENT], cwd=COURSE_ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"

        def run(*args):
            return run_batch(course, "--assignment", ASSIGNMENT, *args)

        for args in ((), ("--shard", "0/2"), ("--shard", "0/1")):  # every batch that would grade s0
            refused = run(*args)
            assert refused.returncode != 0, args
            assert f"another batch is grading 1 of these submissions (s0 / {ASSIGNMENT})" in refused.stderr, (
                refused.stderr
            )
        assert not (course / "outcomes" / ASSIGNMENT).exists(), "nothing was graded"
        other = run("--shard", "1/2")  # s1 alone: not held, so it goes on (and asks for --prepare)
        assert "another batch" not in other.stderr and "--prepare" in other.stderr, other.stderr
        with locks.grading(course, [("s1", ASSIGNMENT)]):  # in this process, beside the holder
            pass
    finally:
        holder.communicate("", timeout=60)

def test_the_locks_live_in_the_course_state_place(tmp_path, monkeypatch):
    from nnkit.sandbox import state_folders

    monkeypatch.setattr(state_folders, "COURSE_STATE", "state-elsewhere")
    with locks.grading(tmp_path, [("a", ASSIGNMENT)]):
        pass
    assert locks.folder(tmp_path).parent == state_folders.course_state(tmp_path) == tmp_path / "state-elsewhere"
    assert (locks.folder(tmp_path) / f"{ASSIGNMENT}.lock").is_file()
