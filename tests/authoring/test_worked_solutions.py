"""nnkit/authoring/worked_solutions.py: what it writes is what test_self_study's checks accept."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "course"))

from nnkit.kernel.config import COURSE_ROOT
from test_self_study import run_problems, sync_problems  # noqa: E402


def test_regenerate_s_solution_writer_writes_what_the_checks_accept(tmp_path):
    """nnkit.authoring.worked_solutions.write (regenerate's step) writes what the checks above accept
    (activations: no torch)."""
    from nnkit.authoring.worked_solutions import write

    write("activations", tmp_path)
    assert sync_problems("activations", tmp_path) == [] and run_problems("activations", tmp_path) == []
    assert not (COURSE_ROOT / "release" / "activations" / ".ipynb_checkpoints").exists()
