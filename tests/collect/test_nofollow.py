"""No link is followed from collect to the kernel (nnkit.collect.nofollow, nnkit.collect.exchange, the pre-check of
nnkit.execution.autograde, the digest of nnkit.gradebook.states, the self-check): a submission's symbolic links, named
pipes and sockets are never followed or opened, and a submission holding one is not gradable, with
the reason. Through the real exchange and batch: the hostile entries link_in_inbound and
link_in_submitted (tests/e2e/test_hostile.py)."""
import os
import shutil
import socket
import time
from types import SimpleNamespace

import pytest
from nbgrader.exchange import ExchangeError

from nnkit import exits
from nnkit.batch import cli, selfcheck
from nnkit.collect import nofollow
from nnkit.collect.exchange import SafeCollect
from nnkit.execution.autograde import precheck
from nnkit.gradebook.outcomes import submission_digest
from nnkit.kernel import limits
from nnkit.kernel.config import COURSE_ROOT
from waiting import with_timeout


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
    recorded = with_timeout(lambda: nofollow.copy_tree(hostile_folder, dest))
    assert (dest / "activations.ipynb").read_text() == "{}" and (dest / "data" / "values.csv").read_text() == "1,2\n"
    assert sorted(recorded) == [("data/up", "a symbolic link"), ("notes.txt", "a symbolic link"),
                                ("pipe", "a named pipe (FIFO)"), ("sock", "a socket")]
    for name, _ in recorded:
        assert os.readlink(dest / name).startswith(nofollow.NOWHERE) and not (dest / name).exists()
    assert nofollow.special_entries(dest) == [(name, f"{what}, not collected") for name, what in sorted(recorded)]


def test_a_submission_holding_a_link_or_a_pipe_is_not_gradable_with_the_reason(hostile_folder):
    cause, reason = with_timeout(lambda: precheck(hostile_folder, ["activations"]))
    assert cause == "special_file"
    for part in (
        "notes.txt is a symbolic link",
        "pipe is a named pipe (FIFO)",
        "sock is a socket",
        "data/up is a symbolic link",
    ):
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
    monkeypatch.setattr(nofollow, "HARDLINKS_SYSCTL", sysctl)
    with pytest.raises(exits.KitFailure, match="fs.protected_hardlinks is 0"):
        cli.run(["activations"], tmp_path)

    def fail(message):
        raise ExchangeError(message)

    with pytest.raises(ExchangeError, match="refusing to collect: fs.protected_hardlinks is 0"):
        SafeCollect.init_src(SimpleNamespace(fail=fail))  # before anything of nbgrader's runs
    sysctl.write_text("1\n")
    assert nofollow.hardlinks_unprotected() == ""


def test_a_folder_nested_thousands_deep_is_not_gradable_with_the_reason(deep_submission, tmp_path):
    from nnkit.gradebook.outcomes import submission_digest
    from nnkit.kernel import limits

    too_deep = "/".join(["d"] * (limits.FOLDER_DEPTH + 1))
    assert nofollow.special_entries(deep_submission) == [(too_deep, nofollow.too_deep())]
    cause, reason = precheck(deep_submission, ["activations"])
    assert cause == "special_file" and too_deep in reason and f"deeper than {limits.FOLDER_DEPTH} levels" in reason
    assert len(submission_digest(deep_submission)) == 64
    dest = tmp_path / "copy"
    assert nofollow.copy_tree(deep_submission, dest) == [(too_deep, nofollow.too_deep())]
    assert (dest / "activations.ipynb").read_text() == "{}"
    assert nofollow.special_entries(dest) == [(too_deep, f"{nofollow.too_deep()}, not collected")]


# --- a file that keeps growing while it is collected ----------------------------------------------


def test_a_file_that_keeps_growing_is_copied_at_the_size_it_had_when_opened(tmp_path, monkeypatch):
    folder = tmp_path / "inbound"
    folder.mkdir()
    grown = folder / "log.txt"
    grown.write_bytes(b"x" * 3000)
    start = grown.stat().st_size
    real_read, appended = os.read, []

    def read_while_the_student_appends(fd, n):
        if os.fstat(fd).st_ino == grown.stat().st_ino and len(appended) < 50:
            with open(grown, "ab") as f:  # the student, appending between the grader's reads
                f.write(b"y" * 1000)
            appended.append(1)
        return real_read(fd, n)
    monkeypatch.setattr(os, "read", read_while_the_student_appends)
    assert nofollow.copy_file(grown, tmp_path / "copy.txt") == ""
    monkeypatch.undo()
    assert appended, "the student never appended: the test tests nothing"
    assert (tmp_path / "copy.txt").read_bytes() == b"x" * start


# --- names and sizes a student controls (issue 31) --------------------------------------------------

def listing(folder) -> dict:
    """{relative path: bytes, or the link's text} of every file and link under `folder`, by os.fwalk
    (relative to each folder's descriptor too: not the kit's own walk)."""
    found = {}
    for top, _, names, fd in os.fwalk(folder):
        for name in names:
            relative = os.path.relpath(os.path.join(top, name), folder)
            if os.path.islink(os.path.join(f"/proc/self/fd/{fd}", name)):
                found[relative] = os.readlink(name, dir_fd=fd)
            else:
                with open(os.open(name, os.O_RDONLY, dir_fd=fd), "rb") as f:
                    found[relative] = f.read()
    return found


@pytest.fixture
def awkward_submission(tmp_path):
    """A gradable notebook, with files named with 255 bytes, a newline, escape sequences and bytes that
    are not UTF-8 beside it (tests/support/hostile.py's awkward_names)."""
    from hostile import awkward_files

    folder = tmp_path / "awkward"
    folder.mkdir()
    shutil.copy(COURSE_ROOT / "submitted" / "correct" / "activations" / "activations.ipynb", folder)
    awkward_files(str(folder), None)
    return folder


def test_every_walk_reads_any_name_the_filesystem_allows(awkward_submission, tmp_path):
    from hostile import AWKWARD_NAMES

    assert len(submission_digest(awkward_submission)) == 64
    assert with_timeout(lambda: precheck(awkward_submission, ["activations"])) is None
    found = listing(awkward_submission)
    assert set(AWKWARD_NAMES) < set(found) and len(found) == len(AWKWARD_NAMES) + 2
    assert nofollow.special_entries(awkward_submission) == []
    assert nofollow.size(awkward_submission) == sum(map(len, found.values()))
    assert len(submission_digest(awkward_submission)) == 64
    assert nofollow.copy_tree(awkward_submission, tmp_path / "copy") == [] and listing(tmp_path / "copy") == found


def test_a_path_past_path_max_is_walked_copied_and_refused_in_one_escaped_line(awkward_submission, tmp_path):
    from hostile import long_path

    long_path(str(awkward_submission), None)
    assert len(submission_digest(awkward_submission)) == 64
    found = listing(awkward_submission)
    deepest = max(found, key=len)
    assert len(os.fsencode(deepest)) > os.pathconf("/", "PC_PATH_MAX") and found[deepest] == b"deep"
    assert nofollow.copy_tree(awkward_submission, tmp_path / "copy") == [] and listing(tmp_path / "copy") == found
    cause, reason = precheck(awkward_submission, ["activations"])
    assert cause == "long_path" and reason.isprintable() and len(reason) < 300, reason
    assert reason.startswith("00ddd") and f"longer than {limits.PATH_BYTES} bytes" in reason


def test_a_submission_past_a_size_limit_is_refused_with_its_reason_before_it_is_read(tmp_path, monkeypatch):
    """30,000 empty files, a sparse file past the folder's bytes, a notebook a byte past its own:
    each refused with its reason in seconds (its digest taken too, as the batch takes it first)."""
    from hostile import large_folder, many_files

    def submission(name, notebook_bytes=100):
        folder = tmp_path / name
        folder.mkdir()
        with open(folder / "activations.ipynb", "wb") as f:
            f.truncate(notebook_bytes)
        return folder

    many, large = submission("many"), submission("large")
    many_files(str(many), None)
    large_folder(str(large), None)
    expected = {many: ("too_many_files", f"more than {limits.SUBMISSION_FILES} files"),
                large: ("too_large", f"more than the {limits.SUBMISSION_BYTES:,} allowed"),
                submission("notebook", limits.NOTEBOOK_BYTES + 1): (
                    "notebook_too_large", f"more than the {limits.NOTEBOOK_BYTES:,} allowed")}
    opened = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, *a, **k: opened.append(path) or real_open(path, *a, **k))
    for folder, (cause, phrase) in expected.items():
        start = time.perf_counter()
        got = precheck(folder, ["activations"])
        digest = submission_digest(folder)
        seconds = time.perf_counter() - start
        assert got[0] == cause and phrase in got[1] and len(digest) == 64, got
        assert seconds < 10, (cause, seconds)
        print(f"\n{cause}: refused and hashed in {seconds:.2f} s")
    assert not [name for name in opened if str(name).endswith((".csv", ".npy"))]  # counted, never opened
