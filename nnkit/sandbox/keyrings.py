"""No kernel keyring crosses the sandbox. The syscall filter (nnkit.sandbox.syscalls) refuses the keyring
calls, so a kernel can neither read a key nor add one (none lands in a sandbox uid's user keyring to
outlive its lease); beyond the filter:
- each kernel starts in a new, empty session keyring, never the grader's (a login through
  pam_keyinit gives every shell one, and credentials may live there): `command` puts `JOIN` before
  the sandbox's command, run by the grader's interpreter without site (`-I -S`: the standard
  library only), which joins a new anonymous session keyring and becomes that command;
- /proc/keys and /proc/key-users, which list the keys a process may view (its own uid's, the
  grader's own as an ordinary user, anyone's opened to all), read empty inside (`hidden`), as in
  Docker's containers.
"""
import errno
import sys

HIDDEN = ("/proc/keys", "/proc/key-users")
# python -c JOIN KEYCTL COMMAND...: keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL), then exec COMMAND. A
# kernel without keyrings (ENOSYS) has nothing to keep apart; any other failure stops the start.
JOIN = f"""import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.syscall(ctypes.c_long(int(sys.argv[1])), ctypes.c_long(1), ctypes.c_void_p(None)) < 0:
    if ctypes.get_errno() != {errno.ENOSYS}:
        raise OSError(ctypes.get_errno(), 'cannot join a new session keyring')
os.execvp(sys.argv[2], sys.argv[2:])"""


def command(sandboxed: list[str]) -> list[str]:
    """`sandboxed`, started in a new session keyring: keyctl's number from libseccomp's table."""
    from nnkit.sandbox import syscalls

    if syscalls.off("keyrings"):
        return sandboxed
    return [sys.executable, "-I", "-S", "-c", JOIN, str(syscalls.number("keyctl")), *sandboxed]


def hidden() -> list[str]:
    """bwrap's arguments that make the keyrings' /proc files read empty (after its --proc)."""
    from nnkit.sandbox import syscalls

    if syscalls.off("keyrings"):
        return []
    return [arg for path in HIDDEN for arg in ("--dev-bind", "/dev/null", path)]
