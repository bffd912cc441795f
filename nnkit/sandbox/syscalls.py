"""The syscall filter of every sandboxed grading kernel: the Linux calls bubblewrap's namespaces leave
open to an unprivileged process, refused as Docker's and Podman's default seccomp profiles refuse
them. Built with libseccomp (pyseccomp) and loaded by bubblewrap (`--seccomp FD`) just before the
kernel runs, so it holds for everything the kernel starts. Everything else is allowed; a call of
another ABI (x32, i386's `int 0x80`) kills the process. `REFUSED` is the one list, each group with
its error and why; `NAMESPACE_FLAGS` are refused in `unshare` and `clone`. A filter that cannot be
built is a kit failure (nnkit.sandbox.bwrap.unavailable). `TESTS_ONLY_OFF` lets the tests leave out
the filter or the keyrings' isolation. Why: docs/sandbox.md.
"""
import errno
import os
import tempfile
from functools import cache

NAMESPACE_FLAGS = {"CLONE_NEWNS": 0x00020000, "CLONE_NEWCGROUP": 0x02000000, "CLONE_NEWUTS": 0x04000000,
                   "CLONE_NEWIPC": 0x08000000, "CLONE_NEWUSER": 0x10000000, "CLONE_NEWPID": 0x20000000,
                   "CLONE_NEWNET": 0x40000000}
CLONE_NEWTIME = 0x00000080  # unshare only: in clone's flags these bits are the exit signal

# (error, calls, why): every call refused outright, written once.
REFUSED = (
    (
        errno.ENOSYS,
        ("add_key", "keyctl", "request_key"),
        "kernel keyrings cross the sandbox: the grader's session keyring, a uid's user keyring that outlives its "
        "processes; as on a kernel without keys, their users fall back to files",
    ),
    (
        errno.ENOSYS,
        ("clone3",),
        "its flags are in memory, which a filter cannot read: libc falls back to clone, whose flags it can",
    ),
    (
        errno.EPERM,
        (
            "setns",
            "mount",
            "umount2",
            "pivot_root",
            "fsopen",
            "fsconfig",
            "fsmount",
            "fspick",
            "move_mount",
            "open_tree",
            "mount_setattr",
            "open_by_handle_at",
        ),
        "namespaces and mounts are bubblewrap's to make, before the filter; open_by_handle_at opens files past the "
        "mounts",
    ),
    (errno.EPERM, ("ptrace", "process_vm_readv", "process_vm_writev"), "no process reads or steers another's memory"),
    (
        errno.EPERM,
        ("bpf", "perf_event_open", "userfaultfd"),
        "the kernel's widest surfaces for unprivileged code, and the usual road of its exploits",
    ),
    (
        errno.EPERM,
        ("kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module"),
        "the running kernel and its modules are the machine's",
    ),
    (
        errno.EPERM,
        ("swapon", "swapoff", "reboot", "acct", "quotactl", "syslog", "iopl", "ioperm"),
        "the machine's administration, its kernel log and its I/O ports",
    ),
    (
        errno.ENOSYS,
        ("io_uring_setup", "io_uring_enter", "io_uring_register"),
        "io_uring's operations run past this filter; its users fall back to ordinary calls",
    ),
)
# (error, call, flags): the call refused when its first argument holds any of these flags.
REFUSED_FLAGS = (
    (errno.EPERM, "unshare", (*NAMESPACE_FLAGS.values(), CLONE_NEWTIME)),
    (errno.EPERM, "clone", tuple(NAMESPACE_FLAGS.values())),
)
TESTS_ONLY_OFF = "NNKIT_TESTS_ONLY_OFF"


class FilterUnavailable(RuntimeError):
    """The filter cannot be built here (no pyseccomp, no libseccomp, a call it does not know)."""


def refused() -> dict[str, int]:
    """{call: the error it answers} of every call refused outright."""
    return {call: error for error, calls, _ in REFUSED for call in calls}


def number(call: str) -> int:
    """The call's number on this machine, by libseccomp's own table."""
    import pyseccomp

    return pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, call)


@cache
def program() -> bytes:
    """The filter as a BPF program for this machine's ABI (what bwrap's --seccomp reads)."""
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError, RuntimeError) as error:  # RuntimeError: pyseccomp found no libseccomp
        raise FilterUnavailable(f"no libseccomp for the syscall filter ({error}): install the grading extra "
                                "(pyseccomp) and libseccomp2") from error
    try:
        built = seccomp.SyscallFilter(seccomp.ALLOW)
        built.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.KILL_PROCESS)
        rules = [(error, call, ()) for call, error in refused().items()]
        rules += [
            (error, call, (seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag),))
            for error, call, flags in REFUSED_FLAGS
            for flag in flags
        ]
        for error, call, args in rules:
            if seccomp.resolve_syscall(seccomp.Arch.NATIVE, call) == -1:  # __NR_SCMP_ERROR: a name libseccomp lacks
                raise FilterUnavailable(f"libseccomp does not know the call {call}: upgrade libseccomp2")
            built.add_rule(seccomp.ERRNO(error), call, *args)
        with tempfile.TemporaryFile() as exported:
            built.export_bpf(exported)
            exported.seek(0)
            return exported.read()
    except OSError as error:
        raise FilterUnavailable(f"libseccomp could not build the syscall filter: {error}") from error


def unavailable() -> str:
    """Why the filter cannot be built here ('' when it can)."""
    try:
        program()
    except FilterUnavailable as error:
        return str(error)
    return ""


def off(defence: str) -> bool:
    """Whether the tests turned a defence ("filter", "keyrings") off (`TESTS_ONLY_OFF`)."""
    return defence in os.environ.get(TESTS_ONLY_OFF, "").split(",")


def wanted() -> bool:
    return not off("filter")


def descriptor() -> int:
    """A new descriptor holding the program, at its start, for one bwrap (which reads it to its end):
    the caller passes it to bwrap alone (Popen's pass_fds) and closes it once bwrap has started."""
    fd = os.memfd_create("nnkit-syscall-filter", os.MFD_CLOEXEC)
    os.write(fd, program())
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def bwrap_args(fd: int | None) -> list[str]:
    return ["--seccomp", str(fd)] if fd is not None else []


def status() -> str:
    """For the sandbox's own check: whether grading kernels run under the filter."""
    if reason := unavailable():
        return f"cannot be built: {reason}"
    if turned_off := [defence for defence in ("filter", "keyrings") if off(defence)]:
        return f"{' and '.join(turned_off)} off ({TESTS_ONLY_OFF} is set: the tests' control runs only)"
    return f"on: {len(refused())} calls refused, and namespaces in unshare and clone"
