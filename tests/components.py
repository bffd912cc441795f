"""The system components the tests need, from system-packages.txt (the Makefile installs the same
list). A test that needs one calls `require(package)`: where it is missing the test is skipped, but
under CI (CI=true) it fails, so that a runner whose install failed is never green untested."""
import glob
import os
from pathlib import Path

import pytest

LIST = Path(__file__).resolve().parent.parent / "system-packages.txt"


def packages() -> dict[str, str]:
    """{Debian package: a path (glob) that shows it is installed}."""
    rows = [line.split() for line in LIST.read_text().splitlines() if line.strip() and not line.startswith("#")]
    return {row[0]: row[1] for row in rows}


def installed(package: str) -> str | None:
    found = sorted(glob.glob(packages()[package]))
    return found[-1] if found else None


def require(package: str) -> str:
    """The path that shows `package` installed; skip (fail under CI) when it is not."""
    path = installed(package)
    if path is None:
        message = f"{package} is not installed ({packages()[package]}); `make test` installs it as root"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return path
