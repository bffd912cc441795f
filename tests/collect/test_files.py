"""No link is followed from collect to the kernel (nnkit.collect.files, nnkit.collect.exchange, the pre-check of
nnkit.execution.autograde, the digest of nnkit.gradebook.states, the self-check): a submission's symbolic links, named
pipes and sockets are never followed or opened, and a submission holding one is not gradable, with
the reason. Through the real exchange and batch: the hostile entries link_in_inbound and
link_in_submitted (tests/e2e/test_hostile.py)."""
import os
import socket
from pathlib import Path
from types import SimpleNamespace

import pytest
from nbgrader.exchange import ExchangeError

from nnkit import exits
from nnkit.batch import cli, selfcheck
from nnkit.collect import files
from nnkit.collect.exchange import SafeCollect
from nnkit.execution.autograde import precheck
from nnkit.gradebook.outcomes import submission_digest
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
    monkeypatch.setattr(files, "HARDLINKS_SYSCTL", sysctl)
    with pytest.raises(exits.KitFailure, match="fs.protected_hardlinks is 0"):
        cli.run(["activations"], tmp_path)

    def fail(message):
        raise ExchangeError(message)

    with pytest.raises(ExchangeError, match="refusing to collect: fs.protected_hardlinks is 0"):
        SafeCollect.init_src(SimpleNamespace(fail=fail))  # before anything of nbgrader's runs
    sysctl.write_text("1\n")
    assert files.hardlinks_unprotected() == ""



# --- folders nested thousands deep: no recursion, a depth limit, one student never stops collect --

def deep_folder(top: Path, levels: int) -> Path:
    """`top` with folders nested `levels` deep (a notebook at the top), made by descriptor: the
    path of the deepest is longer than the kernel takes in one path."""
    (top).mkdir(parents=True)
    (top / "activations.ipynb").write_text("{}")
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(levels):
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)
    return top


def remove_deep(top: Path) -> None:
    """Remove what deep_folder made (shutil.rmtree recurses too), innermost first, by descriptor."""
    fds = [os.open(top, os.O_RDONLY | os.O_DIRECTORY)]
    while "d" in os.listdir(fds[-1]):
        fds.append(os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fds[-1]))
    os.close(fds.pop())
    while fds:
        os.rmdir("d", dir_fd=fds[-1])
        os.close(fds.pop())


DEEP = 1100  # deeper than Python's recursion limit (1000)


@pytest.fixture
def deep_submission(tmp_path):
    top = deep_folder(tmp_path / "deep", DEEP)
    yield top
    remove_deep(top)


def test_a_folder_nested_thousands_deep_is_not_gradable_with_the_reason(deep_submission, tmp_path):
    from nnkit.gradebook.outcomes import submission_digest
    from nnkit.kernel import limits

    too_deep = "/".join(["d"] * (limits.FOLDER_DEPTH + 1))
    assert files.special_entries(deep_submission) == [(too_deep, files.too_deep())]
    cause, reason = precheck(deep_submission, ["activations"])
    assert cause == "special_file" and too_deep in reason and f"deeper than {limits.FOLDER_DEPTH} levels" in reason
    assert len(submission_digest(deep_submission)) == 64
    dest = tmp_path / "copy"
    assert files.copy_tree(deep_submission, dest) == [(too_deep, files.too_deep())]
    assert (dest / "activations.ipynb").read_text() == "{}"
    assert files.special_entries(dest) == [(too_deep, f"{files.too_deep()}, not collected")]


def collector(inbound: Path, **settings):
    """SafeCollect's copy, with nbgrader's course settings and a log that keeps its lines."""
    lines = []
    log = SimpleNamespace(**{level: (lambda message, *args, level=level: lines.append((level, message % args)))
                             for level in ("error", "warning", "info")})
    coursedir = SimpleNamespace(max_dir_size=settings.get("max_dir_size", 10**9), max_file_size=settings.get(
        "max_file_size", 10**6), ignore=[".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"], include=["*"],
        groupshared=False)
    collect = SafeCollect.__new__(SafeCollect)
    collect._trait_values = {"log": log, "coursedir": coursedir}  # traitlets' own store, no app started
    return collect, lines


def test_collect_goes_on_past_a_submission_it_cannot_copy(tmp_path, deep_submission, monkeypatch):
    good = tmp_path / "inbound" / "good"
    good.mkdir(parents=True)
    (good / "activations.ipynb").write_text("{}")
    collect, lines = collector(tmp_path / "inbound")
    failing = tmp_path / "inbound" / "failing"
    failing.mkdir()
    (failing / "activations.ipynb").write_text("{}")
    real = files.copy_file_at

    def unreadable(fd, name, target, max_bytes=None):
        if "failing" in str(target):
            raise OSError(5, "Input/output error")
        return real(fd, name, target, max_bytes)

    monkeypatch.setattr(files, "copy_file_at", unreadable)
    submitted = tmp_path / "submitted"
    submitted.mkdir()
    for name, src in (("deep", deep_submission), ("failing", failing), ("good", good)):
        collect.do_copy(str(src), str(submitted / name))
    assert (submitted / "good" / "activations.ipynb").read_text() == "{}"
    assert (submitted / "deep" / "activations.ipynb").read_text() == "{}"  # collected, not gradable (above)
    assert not (submitted / "failing").exists()
    errors = [text for level, text in lines if level == "error"]
    assert len(errors) == 1 and "Not collected" in errors[0] and "failing" in errors[0], lines


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
    assert files.copy_file(grown, tmp_path / "copy.txt") == ""
    monkeypatch.undo()
    assert appended, "the student never appended: the test tests nothing"
    assert (tmp_path / "copy.txt").read_bytes() == b"x" * start


def test_collect_copies_no_file_past_nbgraders_max_file_size(tmp_path, monkeypatch):
    folder = tmp_path / "inbound"
    folder.mkdir()
    (folder / "activations.ipynb").write_text("{}")
    (folder / "big.bin").write_bytes(b"z" * 5000)
    collect, lines = collector(folder, max_file_size=4)  # kB, as nbgrader's
    # grown after the size filter looked
    monkeypatch.setattr("nnkit.collect.exchange.ignore_patterns", lambda **kw: None)
    collect.do_copy(str(folder), str(tmp_path / "submitted"))
    assert (tmp_path / "submitted" / "activations.ipynb").read_text() == "{}"
    assert os.readlink(tmp_path / "submitted" / "big.bin").startswith(files.NOWHERE + "a file larger than 4000 bytes")
