"""nbgrader's collect without following anything (nnkit.collect.exchange.SafeCollect): one submission
that cannot be copied is logged and the others are still collected; no file past nbgrader's size
limit. Through the real exchange: tests/e2e/test_nbgrader_exchange.py."""
import os
from pathlib import Path
from types import SimpleNamespace

from nnkit.collect import nofollow
from nnkit.collect.exchange import SafeCollect


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
