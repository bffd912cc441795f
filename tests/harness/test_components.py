"""tests/support/components.py's `require`: a component that is installed but does not work is refused
like a missing one (failed under CI, skipped elsewhere), so no test passes or skips on a machine
whose sandbox or browser is broken."""
import os
import stat

import pytest

import components

BROKEN = "#!/bin/sh\necho 'cannot start: {why}' >&2\nexit 1\n"
WHY = {"bubblewrap": "bwrap: No permissions to create new namespace",
       "chromium": "error while loading shared libraries: libnss3.so",
       "chromium-driver": "error while loading shared libraries: libglib-2.0.so.0",
       "postgresql": "initdb: could not create directory"}


@pytest.fixture(autouse=True)
def fresh_proofs():
    """Each test proves again, and leaves no proof of a broken component to the session."""
    components.works.cache_clear()
    yield
    components.works.cache_clear()


def test_every_listed_component_has_a_proof_that_it_works():
    assert set(components.PROOFS) == set(components.packages())


def broken_program(folder, name: str, why: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o755)
    path = folder / name
    path.write_text(BROKEN.format(why=why))
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return str(path)


@pytest.fixture(params=sorted(WHY))
def broken(request, tmp_path, monkeypatch):
    """One component installed but broken: bwrap found first on PATH (the kit runs `bwrap`), or
    the listed path of the others pointing at a program that cannot start."""
    package = request.param
    if package == "bubblewrap":
        fake = broken_program(tmp_path / "bin", "bwrap", WHY[package])
        monkeypatch.setenv("PATH", f"{os.path.dirname(fake)}:{os.environ['PATH']}")
    else:
        real = components.packages()
        name = os.path.basename(real[package])
        fake = broken_program(tmp_path / "bin", name, WHY[package])
        monkeypatch.setattr(components, "packages", lambda: {**real, package: fake})
    return package


def test_an_installed_component_that_does_not_work_fails_under_ci(broken, monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=f"{broken} is installed .* but does not work"):
        components.require(broken)


def test_an_installed_component_that_does_not_work_is_skipped_elsewhere(broken, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="does not work"):
        components.require(broken)


@pytest.mark.parametrize("package", sorted(WHY))
def test_a_working_component_is_required_without_a_word(package):
    """The real ones, as `make test` installs them (skipped, or failed under CI, where missing)."""
    path = components.require(package)
    assert components.works(package, path) == ""
