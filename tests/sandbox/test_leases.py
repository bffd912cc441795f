"""The sandbox's uids (nnkit.sandbox.leases): as root, each kernel holds a uid no other kernel on the
machine holds; as anyone else, the kernel keeps the grader's uid and nothing is leased."""
import os

import pytest

from nnkit.sandbox import leases
from nnkit.sandbox.bwrap import SandboxUnavailable

ROOT = os.geteuid() == 0


@pytest.mark.skipif(not ROOT, reason="only root leases uids")
def test_two_leases_held_at_once_are_two_uids_of_the_sandboxs_range():
    first, second = leases.UidLease(), leases.UidLease()
    try:
        assert first.uid != second.uid
        assert all(leases.UID_BASE <= lease.uid < leases.UID_BASE + leases.UID_SLOTS for lease in (first, second))
    finally:
        first.release()
        second.release()
    assert first.handle is None
    first.release()  # twice is harmless


@pytest.mark.skipif(not ROOT, reason="only root leases uids")
def test_when_every_uid_is_held_the_sandbox_is_unavailable_with_the_reason(monkeypatch):
    monkeypatch.setattr(leases, "UID_SLOTS", 0)
    with pytest.raises(SandboxUnavailable, match="all 0 sandbox uids are in use"):
        leases.UidLease()


def test_an_ordinary_user_leases_nothing_and_keeps_its_uid(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 4321)
    lease = leases.UidLease()
    assert (lease.uid, lease.handle) == (4321, None)
    lease.release()
