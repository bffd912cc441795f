"""The batch's command: a folder that is not a course is a bad argument."""

import pytest

from nnkit import exits
from nnkit.batch import cli

ASSIGNMENT = "activations"


def test_the_course_folder_must_be_a_course(tmp_path, capsys):
    """In-process: refused before anything is graded."""
    with pytest.raises(SystemExit) as exit_:
        exits.run(lambda: cli.main(["--course", str(tmp_path), "--collect"]))
    assert exit_.value.code == exits.CANNOT_CHECK
    assert "is not a course folder: it has no nbgrader_config.py" in capsys.readouterr().err
