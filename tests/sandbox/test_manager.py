"""The sandboxed kernel manager (nnkit.sandbox.manager): what it takes (a uid lease, a runtime folder,
a cgroup) it gives back in reverse order, also when a later step cannot be made. The sandbox's
kernels themselves: tests/sandbox/test_bwrap.py."""
import os
from pathlib import Path

import pytest

from nnkit.sandbox import bwrap, manager


class Taken:
    """Stand-ins for the lease, the runtime folder and the cgroup, recording what happens to them."""

    def __init__(self, events: list, fail: str = ""):
        self.events, self.fail = events, fail

    def lease(self):
        self.events.append("lease")
        return SimpleLease(self.events)

    def runtime(self, uid):
        if self.fail == "runtime":
            from nnkit.sandbox import state_folders
            raise state_folders.PlaceUnavailable("/tmp/nnkit-0 is owned by uid 1234, not 0")
        self.events.append("runtime")
        return SimpleRuntime(self.events)

    def backend(self):
        taken = self

        class Backend:
            def create(self, limits):
                if taken.fail == "cgroup":
                    raise RuntimeError("the cgroup tree went away")
                taken.events.append("cgroup")
                return SimpleGroup(taken.events, limits)
        return Backend()


class SimpleLease:
    def __init__(self, events):
        self.events, self.uid = events, os.geteuid()

    def release(self):
        self.events.append("lease released")


class SimpleRuntime:
    ip = "/nonexistent/k"
    connection_file = Path("/nonexistent/kernel.json")

    def __init__(self, events):
        self.events = events

    def remove(self):
        self.events.append("runtime removed")


class SimpleGroup:
    places = ()

    def __init__(self, events, limits):
        self.events, self.limits = events, limits

    def remove(self):
        self.events.append("cgroup removed")
        return True

    def peak_memory(self): return 0
    def oom_kills(self): return 0
    def peak_processes(self): return 0
    def forks_refused(self): return 0


def taking(monkeypatch, fail=""):
    from nnkit.sandbox import cgroups

    events: list = []
    taken = Taken(events, fail)
    monkeypatch.setattr(manager, "unavailable", lambda: "")
    monkeypatch.setattr(manager, "UidLease", taken.lease)
    monkeypatch.setattr(manager, "Runtime", taken.runtime)
    monkeypatch.setattr(cgroups, "backend", taken.backend)
    return events


def test_a_runtime_folder_that_cannot_be_made_is_a_sandbox_unavailable_and_releases_the_uid(monkeypatch):
    events = taking(monkeypatch, fail="runtime")
    with pytest.raises(bwrap.SandboxUnavailable, match="owned by uid 1234"):
        manager.SandboxedKernelManager(kernel_name="python3")
    assert events == ["lease", "lease released"]  # no cgroup was made


def test_a_cgroup_that_cannot_be_made_releases_the_runtime_folder_and_the_uid(monkeypatch):
    events = taking(monkeypatch, fail="cgroup")
    with pytest.raises(RuntimeError, match="went away"):
        manager.SandboxedKernelManager(kernel_name="python3")
    assert events == ["lease", "runtime", "runtime removed", "lease released"]


def test_cleanup_removes_the_cgroup_then_the_runtime_folder_then_releases_the_uid(monkeypatch):
    import asyncio

    events = taking(monkeypatch)
    km = manager.SandboxedKernelManager(kernel_name="python3")
    assert events == ["lease", "runtime", "cgroup"]
    asyncio.run(km._async_cleanup_resources())  # what shutdown_kernel awaits (the public
    # cleanup_resources is jupyter_client's base function, not this override)
    assert events[3:] == ["cgroup removed", "runtime removed", "lease released"]
