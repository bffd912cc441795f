"""nbgrader's collect without following anything (nnkit.collect.exchange.SafeCollect): one submission
that cannot be copied is logged and the others are still collected; no file past nbgrader's size
limit; with `refuse_foreign`, no folder another Unix user wrote for a student. Through the real
exchange: tests/e2e/test_nbgrader_exchange.py; on the hub: tests/e2e/test_hub.py."""
import os
import pwd
from pathlib import Path
from types import SimpleNamespace

import pytest

from nnkit.collect import nofollow
from nnkit.collect.exchange import SafeCollect
from nnkit.kernel.config import COURSE_ID


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
    real = nofollow.copy_file_at

    def unreadable(fd, name, dest_fd, target, max_bytes=None):
        if "failing" in os.readlink(f"/proc/self/fd/{dest_fd}"):
            raise OSError(5, "Input/output error")
        return real(fd, name, dest_fd, target, max_bytes)

    monkeypatch.setattr(nofollow, "copy_file_at", unreadable)
    submitted = tmp_path / "submitted"
    submitted.mkdir()
    for name, src in (("deep", deep_submission), ("failing", failing), ("good", good)):
        collect.do_copy(str(src), str(submitted / name))
    assert (submitted / "good" / "activations.ipynb").read_text() == "{}"
    assert (submitted / "deep" / "activations.ipynb").read_text() == "{}"  # collected, not gradable (above)
    assert not (submitted / "failing").exists()
    errors = [text for level, text in lines if level == "error"]
    assert len(errors) == 1 and "Not collected" in errors[0] and "failing" in errors[0], lines


def test_collect_copies_no_file_past_nbgraders_max_file_size(tmp_path, monkeypatch):
    folder = tmp_path / "inbound"
    folder.mkdir()
    (folder / "activations.ipynb").write_text("{}")
    (folder / "big.bin").write_bytes(b"z" * 5000)
    collect, lines = collector(folder, max_file_size=4)  # kB, as nbgrader's
    # grown after the size filter looked:
    monkeypatch.setattr("nnkit.collect.exchange.ignore_patterns", lambda **kw: None)
    collect.do_copy(str(folder), str(tmp_path / "submitted"))
    assert (tmp_path / "submitted" / "activations.ipynb").read_text() == "{}"
    link = os.readlink(tmp_path / "submitted" / "big.bin")
    assert link.startswith(nofollow.NOWHERE + "a file larger than 4000 bytes")


def unix_users(count: int) -> list[str]:
    """`count` existing Unix users other than root, whose names nbgrader's inbound layout can carry."""
    names = sorted({entry.pw_name for entry in pwd.getpwall() if entry.pw_uid != 0 and "+" not in entry.pw_name})
    return names[:count]


def forged_inbound(tmp_path: Path, folders: dict[str, str]):
    """An exchange whose inbound holds `folders` ({folder name: its owner}) and a SafeCollect of
    `activations` over it, with the course's own gradebook in tmp_path."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory

    (tmp_path / "course").mkdir()
    inbound = tmp_path / "exchange" / COURSE_ID / "inbound"
    inbound.mkdir(parents=True)
    for name, owner in folders.items():
        (inbound / name).mkdir()
        os.chown(inbound / name, pwd.getpwnam(owner).pw_uid, -1)
    coursedir = CourseDirectory(root=str(tmp_path / "course"), course_id=COURSE_ID, assignment_id="activations")
    return SafeCollect(coursedir=coursedir, authenticator=Authenticator(), root=str(tmp_path / "exchange"))


@pytest.mark.skipif(os.geteuid() != 0, reason="folders owned by other Unix users: root only")
def test_refuse_foreign_collects_a_students_own_folder_never_one_a_classmate_wrote(tmp_path, caplog):
    """On a hub (refuse_foreign), a folder named after `ann` that `bob` wrote, newer than ann's own,
    is not collected: ann's own latest is; one named after `cid` that only bob wrote, nothing of cid.
    Without it, nbgrader's collect takes the newest folder of each name, whoever wrote it."""
    ann, bob, cid = unix_users(3)
    own = f"{ann}+activations+2026-01-01 10:00:00.000000 UTC+a1"
    forged = f"{ann}+activations+2026-01-02 10:00:00.000000 UTC+b2"
    only_forged = f"{cid}+activations+2026-01-02 11:00:00.000000 UTC+c3"
    collect = forged_inbound(tmp_path, {own: ann, forged: bob, only_forged: bob})
    collect.init_src()
    assert sorted(record["filename"] for record in collect.src_records) == sorted([forged, only_forged])
    collect.refuse_foreign = True
    collect.init_src()
    assert [record["filename"] for record in collect.src_records] == [own]
    assert f"{forged} names {ann} but belongs to {bob}" in caplog.text
    assert f"{only_forged} names {cid} but belongs to {bob}" in caplog.text
