"""The gradebook's place: its password never reaches disk."""

import pytest

from components import require
from nnkit.batch import preparation
from nnkit.gradebook.scratch import scratch_course

ASSIGNMENT = "activations"


# --- the gradebook's password never reaches disk -----------------------------------------------

@pytest.fixture(scope="module")
def postgres():
    from postgres import PostgresServer, server_bin

    server = PostgresServer(server_bin(require("postgresql"))).start()
    yield server
    server.stop()


@pytest.mark.slow
def test_the_gradebook_password_is_not_written_to_disk(tmp_path, monkeypatch, postgres, nbgrader_path):
    secret = "s3cret-canary-2718"
    url = postgres.create_database("entered").replace("grader@", f"grader:{secret}@")
    monkeypatch.setenv("NNKIT_DB_URL", url)  # trust authentication: the password is not checked, only carried
    root = scratch_course(tmp_path / "course", own_gradebook=False)
    preparation.prepare([ASSIGNMENT], root)
    entered = root / "outcomes" / "entered.json"
    assert entered.is_file() and ASSIGNMENT in entered.read_text()
    written = [p for p in (root / "outcomes").rglob("*") if p.is_file() and secret in p.read_text(errors="replace")]
    assert written == []
