"""No keyring crosses the sandbox (nnkit.sandbox.keyrings): the kernel's command starts in a new
session keyring, and the keyrings' /proc files read empty; the tests alone may turn it off. Inside
a real kernel, with and without the filter: tests/sandbox/test_syscalls.py."""
import subprocess
import sys

from nnkit.sandbox import keyrings, syscalls

SESSION = ("import ctypes, sys; libc = ctypes.CDLL(None, use_errno=True); long = ctypes.c_long; "
           "print(libc.syscall(long(int(sys.argv[1])), long(0), long(-3), long(0)))")


def session_keyring(command: list[str]) -> int:
    """The id of the session keyring `command` runs in (KEYCTL_GET_KEYRING_ID: its own or the one it inherited)."""
    return int(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def test_the_command_runs_in_a_new_session_keyring_not_the_graders(monkeypatch):
    monkeypatch.delenv(syscalls.TESTS_ONLY_OFF, raising=False)
    plain = [sys.executable, "-c", SESSION, str(syscalls.number("keyctl"))]
    joined = keyrings.command(plain)
    assert joined[-len(plain):] == plain and joined[:3] == [sys.executable, "-I", "-S"]
    ours = session_keyring(plain)
    assert ours == session_keyring(plain) and session_keyring(joined) not in (ours, -1)


def test_the_keyrings_proc_files_are_covered_by_dev_null(monkeypatch):
    monkeypatch.delenv(syscalls.TESTS_ONLY_OFF, raising=False)
    assert keyrings.hidden() == [arg for path in keyrings.HIDDEN for arg in ("--dev-bind", "/dev/null", path)]


def test_only_the_tests_switch_turns_it_off(monkeypatch):
    monkeypatch.setenv(syscalls.TESTS_ONLY_OFF, "filter,keyrings")
    assert keyrings.command(["true"]) == ["true"] and keyrings.hidden() == []
    monkeypatch.setenv(syscalls.TESTS_ONLY_OFF, "filter")
    assert keyrings.command(["true"]) != ["true"] and keyrings.hidden()
