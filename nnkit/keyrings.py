"""No kernel keyring crosses the sandbox. The syscall filter (nnkit.syscalls) refuses the keyring
calls, so a kernel can neither read a key nor add one (none lands in a sandbox uid's user keyring to
outlive its lease); beyond the filter:
- each kernel starts in a new, empty session keyring, never the grader's (a login through
  pam_keyinit gives every shell one, and credentials may live there): `command` puts this file
  before the sandbox's command, run by the grader's interpreter without site (`-I -S`), which joins
  a new anonymous session keyring and becomes that command;
- /proc/keys and /proc/key-users, which list the keys a process may view (its own uid's, the
  grader's own as an ordinary user, anyone's opened to all), read empty inside (`hidden`), as in
  Docker's containers.
This file imports nothing but the standard library: it runs before the kit is importable.
"""
import ctypes
import errno
import os
import sys

KEYCTL_JOIN_SESSION_KEYRING = 1
HIDDEN = ("/proc/keys", "/proc/key-users")


def command(sandboxed: list[str]) -> list[str]:
    """`sandboxed`, started in a new session keyring: keyctl's number from libseccomp's table."""
    from nnkit import syscalls

    if syscalls.off("keyrings"):
        return sandboxed
    return [sys.executable, "-I", "-S", os.path.abspath(__file__), str(syscalls.number("keyctl")), *sandboxed]


def hidden() -> list[str]:
    """bwrap's arguments that make the keyrings' /proc files read empty (after its --proc)."""
    from nnkit import syscalls

    if syscalls.off("keyrings"):
        return []
    return [arg for path in HIDDEN for arg in ("--dev-bind", "/dev/null", path)]


def join_new_session(keyctl: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(ctypes.c_long(keyctl), ctypes.c_long(KEYCTL_JOIN_SESSION_KEYRING), ctypes.c_void_p(None)) < 0:
        code = ctypes.get_errno()
        if code != errno.ENOSYS:  # ENOSYS: a kernel without keyrings, nothing to keep apart
            raise OSError(code, f"cannot join a new session keyring: {os.strerror(code)}")


def main(argv: list[str]) -> None:
    join_new_session(int(argv[0]))
    os.execvp(argv[1], argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
