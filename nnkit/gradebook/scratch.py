"""A throwaway course folder beside the real one: the self-check's, the authoring tool's `try`, the
tests' and the benchmarks'. Grading there never touches the real course's release, submissions or
gradebook."""
import shutil
from pathlib import Path

from nnkit.gradebook.db import OWN_GRADEBOOK_MARKER
from nnkit.kernel.config import COURSE_ROOT


def scratch_course(root: Path, own_gradebook: bool = True, copy_kit: bool = False) -> Path:
    """A throwaway course folder that shares the kit's code and sources (links; copies with
    `copy_kit`, for code that may try to change them) but has its own release and submissions,
    and its own embedded gradebook (unless `own_gradebook` is False: a test of a shared gradebook
    server): grading there never touches the real course's state."""
    root.mkdir(parents=True, exist_ok=True)
    if own_gradebook:
        (root / OWN_GRADEBOOK_MARKER).touch()
    for name in ("nnkit", "assignments", "data", "source", "course.toml"):
        if copy_kit and (COURSE_ROOT / name).is_dir():
            shutil.copytree(COURSE_ROOT / name, root / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        elif copy_kit:
            shutil.copy(COURSE_ROOT / name, root / name)
        else:
            (root / name).symlink_to(COURSE_ROOT / name)
    shutil.copy(COURSE_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    return root
