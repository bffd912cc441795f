"""Where the kit keeps its state (nnkit.sandbox.state_folders): each folder opened by descriptor, ours
and private, never through a link; what is wrong in its place refused, or replaced where only we can
write; root's runtime place per machine, whatever root's environment says."""
import os
import stat
from pathlib import Path

import pytest

from nnkit.sandbox import state_folders
from nnkit.sandbox.state_folders import PlaceUnavailable, open_folder

ROOT = os.geteuid() == 0


def opened(parent: Path, name: str, **options) -> os.stat_result:
    handle = os.open(parent, state_folders.OPEN_FOLDER)
    try:
        folder = open_folder(handle, name, str(parent / name), **options)
        info = os.fstat(folder)
        os.close(folder)
        return info
    finally:
        os.close(handle)


def test_a_folder_is_made_ours_with_exactly_its_mode(tmp_path):
    old = os.umask(0o077)
    try:
        info = opened(tmp_path, "made", mode=0o755)
    finally:
        os.umask(old)
    assert stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) == 0o755


def test_a_link_or_a_loose_folder_in_its_place_is_refused_and_replaced_only_when_asked(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "linked").symlink_to(elsewhere)
    with pytest.raises(PlaceUnavailable, match=r"linked is a symlink \(to .*elsewhere\)"):
        opened(tmp_path, "linked")
    (tmp_path / "loose").mkdir(mode=0o777)
    os.chmod(tmp_path / "loose", 0o777)
    with pytest.raises(PlaceUnavailable, match="others may write or read it"):
        opened(tmp_path, "loose")
    assert not stat.S_ISLNK(opened(tmp_path, "linked", replace=True).st_mode)
    assert elsewhere.is_dir() and not (tmp_path / "linked").is_symlink()  # the link's target untouched
    assert stat.S_IMODE(opened(tmp_path, "loose", replace=True).st_mode) == 0o700


def test_a_file_in_its_place_is_not_a_folder(tmp_path):
    (tmp_path / "plain").write_text("x")
    with pytest.raises(PlaceUnavailable, match="plain is not a folder"):
        opened(tmp_path, "plain")


def test_a_course_keeps_its_state_in_its_own_folder(tmp_path):
    assert state_folders.course_state(tmp_path) == tmp_path / state_folders.COURSE_STATE


def test_a_trusted_parent_is_roots_and_writable_by_no_one_else(tmp_path):
    assert state_folders.trusted_parent(tmp_path / "missing") is None
    os.chmod(tmp_path, 0o777)
    assert state_folders.trusted_parent(tmp_path) is None


@pytest.mark.skipif(not ROOT, reason="root's runtime place is per machine; an ordinary user's is its own")
def test_roots_runtime_place_is_the_machines_whatever_roots_environment(monkeypatch, tmp_path):
    private = tmp_path / "xdg"
    private.mkdir(mode=0o700)
    state_folders.user_runtime.cache_clear()
    try:
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(private))
        with_xdg = state_folders.user_runtime()
        state_folders.user_runtime.cache_clear()
        monkeypatch.delenv("XDG_RUNTIME_DIR")
        without = state_folders.user_runtime()
    finally:
        state_folders.user_runtime.cache_clear()
    assert with_xdg == without == state_folders.machine_base().joinpath(*state_folders.MACHINE_RUNTIME)
    info = with_xdg.stat()
    assert info.st_uid == 0 and info.st_mode & 0o777 == 0o700


