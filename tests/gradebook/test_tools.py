"""nbgrader's tools from the kit's own environment (nnkit.gradebook.tools): this interpreter's bin/
first on PATH, once, the rest kept in order; a failing nbgrader command says its output."""
import os
import sys
from pathlib import Path

import pytest

from nnkit.gradebook import tools

BIN = str(Path(sys.executable).parent)


def test_the_interpreters_bin_comes_first_once_and_the_rest_keeps_its_order():
    env = {"PATH": os.pathsep.join(["/usr/bin", BIN, "", "/bin"]), "HOME": "/home/x"}
    assert tools.with_tools_on_path(env) == {"PATH": os.pathsep.join([BIN, "/usr/bin", "/bin"]), "HOME": "/home/x"}
    assert tools.with_tools_on_path({}) == {"PATH": BIN}
    assert env["PATH"].startswith("/usr/bin")  # the given environment is not changed


def test_put_tools_on_path_changes_this_processs_path(monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin")
    tools.put_tools_on_path()
    assert os.environ["PATH"] == os.pathsep.join([BIN, "/usr/bin"])


@pytest.mark.slow
def test_a_failing_nbgrader_command_raises_with_its_output(tmp_path):
    with pytest.raises(RuntimeError, match="nbgrader --no-such-flag failed") as failed:
        tools.nbgrader("--no-such-flag", root=tmp_path)
    assert "no-such-flag" in str(failed.value).split("failed:", 1)[1]
