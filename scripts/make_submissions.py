"""Write the demo class into submitted/: three students, every assignment (nnkit.authoring.democlass).

    .venv/bin/python -m scripts.make_submissions [--into FOLDER]
tests/course/test_course_notebooks.py checks that the committed files are what this writes. After adding an
assignment, `python -m nnkit.authoring.commands regenerate` does this and the rest (docs/authoring.md).
"""
import argparse
from pathlib import Path

from nnkit import exits
from nnkit.authoring.democlass import write_class
from nnkit.collect import paths
from nnkit.kernel.config import COURSE_ROOT


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.make_submissions", description=__doc__.splitlines()[0])
    parser.add_argument("--into", type=Path, default=paths.step_root(COURSE_ROOT, "submitted"),
                        help="where (default: submitted/)")
    args = parser.parse_args(argv)
    write_class(args.into)
    return exits.OK


if __name__ == "__main__":
    exits.run(main)
