"""Kernel keyrings for the tests, through the syscalls themselves (no PAM login, no keyutils), with
the numbers from libseccomp's table (nnkit.sandbox.syscalls.number): a grader in a session keyring of its
own holding a canary key, as a login through pam_keyinit would give it, and the keys an attack
left behind, found and invalidated.

`LAUNCH` is a program for `python -c LAUNCH ADD_KEY KEYCTL DESCRIPTION PAYLOAD COMMAND...`: it joins
a new session keyring, adds the canary to it and becomes COMMAND (a batch as root or as an ordinary
user after runuser, whose PAM may have made a session keyring of its own). Standard library only."""
import ctypes
import sys
from pathlib import Path

from nnkit.sandbox import syscalls

CANARY_DESCRIPTION = "nnkit-grader-canary"
KEY_SPEC_SESSION_KEYRING, KEY_SPEC_USER_KEYRING = -3, -4
KEYCTL_JOIN_SESSION_KEYRING, KEYCTL_INVALIDATE = 1, 21
LAUNCH = """import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
add_key, keyctl, description, payload = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].encode(), sys.argv[4].encode()
if libc.syscall(ctypes.c_long(keyctl), ctypes.c_long(1), ctypes.c_void_p(None)) < 0:
    raise OSError(ctypes.get_errno(), 'join a session keyring')
if libc.syscall(ctypes.c_long(add_key), ctypes.c_char_p(b'user'), ctypes.c_char_p(description),
                ctypes.c_char_p(payload), ctypes.c_long(len(payload)), ctypes.c_long(-3)) < 0:
    raise OSError(ctypes.get_errno(), 'add the canary')
os.execvp(sys.argv[5], sys.argv[5:])"""


def in_canary_session(command: list[str], payload: str, python: str = sys.executable) -> list[str]:
    """`command`, started in a new session keyring holding the canary key (CANARY_DESCRIPTION: payload)."""
    return [python, "-c", LAUNCH, str(syscalls.number("add_key")), str(syscalls.number("keyctl")), CANARY_DESCRIPTION,
            payload, *command]


def keyctl(*args) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.syscall(ctypes.c_long(syscalls.number("keyctl")), *[ctypes.c_long(a) for a in args])


def listed(description: str) -> list[int]:
    """The ids of the keys /proc/keys shows us (root: every key) with this description."""
    rows = [line.split() for line in Path("/proc/keys").read_text().splitlines()]
    return [int(row[0], 16) for row in rows if len(row) > 8 and row[8].rstrip(":") == description]


def invalidate(description: str) -> None:
    """Invalidate every key with this description that we may (an attack's leftovers, opened to all)."""
    for key in listed(description):
        keyctl(KEYCTL_INVALIDATE, key)
