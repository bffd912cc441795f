"""Outcomes: a submission is hashed in blocks, its links not followed."""
import os
import tracemalloc

from batches import submit
from nnkit.gradebook import outcomes

ASSIGNMENT = "activations"


# --- submission hashing: in blocks, links not followed -------------------------------------------

def test_a_submission_is_hashed_without_following_its_links(tmp_path):
    folder = submit(tmp_path, "s")
    outside, outside_folder = tmp_path / "outside.txt", tmp_path / "outside"
    outside.write_text("one")
    outside_folder.mkdir()
    (outside_folder / "inner.txt").write_text("one")
    (folder / "data.txt").symlink_to(outside)
    (folder / "data").symlink_to(outside_folder)
    before = outcomes.submission_digest(folder)
    outside.write_text("two")
    (outside_folder / "inner.txt").write_text("two")
    assert outcomes.submission_digest(folder) == before, "a link was followed"
    (folder / "data.txt").unlink()
    (folder / "data.txt").symlink_to(tmp_path / "elsewhere.txt")
    assert outcomes.submission_digest(folder) != before, "the link itself is part of the submission"


def test_a_large_submission_is_hashed_in_blocks(tmp_path):
    folder = submit(tmp_path, "s")
    with open(folder / "big.bin", "wb") as f:
        for _ in range(64):
            f.write(os.urandom(2**20))
    tracemalloc.start()
    try:
        outcomes.submission_digest(folder)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20, f"{peak / 2**20:.0f} MiB held to hash a 64 MiB file"
