"""No link is followed from collect to the kernel (nnkit.files, nnkit.exchange, the pre-check of
nnkit.autograde, the digest of nnkit.states, the self-check): a submission's symbolic links, named
pipes and sockets are never followed or opened, and a submission holding one is not gradable, with
the reason. Through the real exchange and batch: the hostile entries link_in_inbound and
link_in_submitted (tests/test_hostile.py)."""
import os
import socket
import threading
from types import SimpleNamespace

import pytest
from nbgrader.exchange import ExchangeError

from nnkit import batch, exits, files, selfcheck
from nnkit.autograde import precheck
from nnkit.exchange import SafeCollect
from nnkit.states import submission_digest


def with_timeout(function, seconds=300):
    """function(), or a failure when it is still blocked after `seconds` (a pipe opened)."""
    done = {}

    def run():
        try:
            done["result"] = function()
        except BaseException as error:  # raised here, in the test's thread
            done["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if "error" in done:
        raise done["error"]
    assert "result" in done, f"still blocked after {seconds} s"
    return done["result"]


@pytest.fixture
def hostile_folder(tmp_path):
    """A submission with a notebook, a data file, a folder, and every kind of entry a student can make."""
    secret = tmp_path / "secret.txt"
    secret.write_text("the answer key")
    folder = tmp_path / "inbound"
    (folder / "data").mkdir(parents=True)
    (folder / "activations.ipynb").write_text("{}")
    (folder / "data" / "values.csv").write_text("1,2\n")
    (folder / "notes.txt").symlink_to(secret)
    (folder / "data" / "up").symlink_to(tmp_path)
    os.mkfifo(folder / "pipe")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "sock"))
    server.close()
    return folder


def test_copy_tree_copies_regular_files_and_records_everything_else_as_a_link_to_nowhere(hostile_folder, tmp_path):
    dest = tmp_path / "submitted"
    recorded = with_timeout(lambda: files.copy_tree(hostile_folder, dest))
    assert (dest / "activations.ipynb").read_text() == "{}" and (dest / "data" / "values.csv").read_text() == "1,2\n"
    assert sorted(recorded) == [("data/up", "a symbolic link"), ("notes.txt", "a symbolic link"),
                                ("pipe", "a named pipe (FIFO)"), ("sock", "a socket")]
    for name, _ in recorded:
        assert os.readlink(dest / name).startswith(files.NOWHERE) and not (dest / name).exists()
    assert files.special_entries(dest) == [(name, f"{what}, not collected") for name, what in sorted(recorded)]


def test_a_submission_holding_a_link_or_a_pipe_is_not_gradable_with_the_reason(hostile_folder):
    cause, reason = with_timeout(lambda: precheck(hostile_folder, ["activations"]))
    assert cause == "special_file"
    for part in ("notes.txt is a symbolic link", "pipe is a named pipe (FIFO)", "sock is a socket", "data/up is a symbolic link"):
        assert part in reason


def test_a_linked_notebook_is_never_read(tmp_path):
    os.mkfifo(tmp_path / "source.ipynb")
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "activations.ipynb").symlink_to(tmp_path / "source.ipynb")
    cause, reason = with_timeout(lambda: precheck(folder, ["activations"]))
    assert (cause, reason.split(":")[0]) == ("special_file", "activations.ipynb is a symbolic link")


def test_the_submission_digest_counts_a_link_by_its_text_not_its_target(tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("before")
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "notes.txt").symlink_to(target)
    os.mkfifo(folder / "pipe")
    digest = with_timeout(lambda: submission_digest(folder))
    target.write_text("after: a different file")
    assert submission_digest(folder) == digest


def test_the_self_check_reads_no_notebook_through_a_link(tmp_path):
    real = tmp_path / "elsewhere.ipynb"
    real.write_text("{}")
    (tmp_path / "activations.ipynb").symlink_to(real)
    result = selfcheck.check(tmp_path / "activations.ipynb")
    assert result["error"].startswith("a symbolic link, not a notebook"), result


def test_grading_and_collect_refuse_to_start_when_hard_links_are_not_protected(tmp_path, monkeypatch):
    sysctl = tmp_path / "protected_hardlinks"
    sysctl.write_text("0\n")
    monkeypatch.setattr(files, "HARDLINKS_SYSCTL", sysctl)
    with pytest.raises(exits.KitFailure, match="fs.protected_hardlinks is 0"):
        batch.run(["activations"], tmp_path)

    def fail(message):
        raise ExchangeError(message)

    with pytest.raises(ExchangeError, match="refusing to collect: fs.protected_hardlinks is 0"):
        SafeCollect.init_src(SimpleNamespace(fail=fail))  # before anything of nbgrader's runs
    sysctl.write_text("1\n")
    assert files.hardlinks_unprotected() == ""

