"""The third ring of the sandbox, seen from inside a sandboxed kernel: the syscall filter
(nnkit.sandbox.syscalls) answers each refused call with its chosen error and kills a call of another ABI;
each kernel starts in a new, empty session keyring, never the grader's, and /proc/keys reads empty
(nnkit.sandbox.keyrings), even with the filter off; where the kit unshares the user it forbids nested user
namespaces; the sandbox's check says whether the filter is on; a filter that cannot be built means
no sandbox, and a batch then exits 3. The catalogue's attacks on the kernel's surface
(tests/support/hostile.py's KERNEL_SURFACE) go through the real batch in tests/e2e/test_hostile.py and
tests/e2e/test_cgroup_delegation.py."""
import errno
import json
import os
import platform
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import keys
from batches import run_batch
from components import require
from nnkit import exits
from nnkit.gradebook.scratch import scratch_course
from nnkit.kernel.config import COURSE_ROOT
from nnkit.sandbox import bwrap, syscalls
from nnkit.sandbox.manager import SandboxedKernelManager
from nnkit.testing import nbgrader_env

TESTS = Path(__file__).resolve().parent
CANARY = "canary-5e0c2a"


@pytest.fixture(autouse=True, scope="module")
def working_sandbox():
    require("libseccomp2")
    require("bubblewrap")


def kernel_says(code: str, off=(), canary: str | None = None) -> str:
    """`code`'s output, run as a cell in a sandboxed kernel by a grader of its own (a process with
    TESTS_ONLY_OFF set to `off`, in a session keyring holding the canary key when given)."""
    script = (
        f"import sys; sys.path[:0] = [{str(TESTS)!r}, {str(TESTS.parent / 'support')!r}]; from test_bwrap import "
        "run_cells\n"
        f"(out,), _ = run_cells({code!r})\nprint(out, end='')"
    )
    command = [sys.executable, "-c", script]
    if canary:
        command = keys.in_canary_session(command, canary)
    env = {**os.environ, syscalls.TESTS_ONLY_OFF: ",".join(off)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, cwd=COURSE_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


# Each call made in a child of the kernel (whatever a call does, the kernel is untouched): the error
# it answers (0: it worked), or the signal that killed the child.
PROBE = '''import ctypes, json, os
libc = ctypes.CDLL(None, use_errno=True)


def answer(number, *args):
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        result = libc.syscall(ctypes.c_long(number), *[ctypes.c_long(a) for a in args])
        if result == 0 and number == CLONE:
            os._exit(0)  # a clone made: its child ends here
        os.write(write, str(ctypes.get_errno() if result < 0 else 0).encode())
        os._exit(0)
    os.close(write)
    got = os.read(read, 16)
    os.close(read)
    status = os.waitpid(child, 0)[1]
    return int(got) if got else f"signal {os.WTERMSIG(status)}"


print(json.dumps({name: answer(number, *args) for name, (number, args) in CALLS.items()}))'''


def probe(calls: dict[str, tuple[int, tuple]]) -> str:
    return f"CALLS = {calls!r}\nCLONE = {syscalls.number('clone')}\n{PROBE}"


def flag_calls() -> dict[str, tuple[int, tuple]]:
    """unshare and clone with each refused flag (clone's child sends SIGCHLD, as fork's does)."""
    calls = {}
    for _error, call, flags in syscalls.REFUSED_FLAGS:
        for flag in flags:
            calls[f"{call}({flag:#x})"] = (syscalls.number(call), (flag | (signal.SIGCHLD if call == "clone" else 0),))
    return calls


def test_each_refused_call_answers_its_error_inside_a_kernel():
    """Every call of the list, made with zero arguments, and unshare and clone with each namespace
    flag; numbers from libseccomp's table. Without the filter they answer other errors or work."""
    calls = {name: (syscalls.number(name), (0, 0, 0, 0, 0, 0)) for name in syscalls.refused()}
    calls |= flag_calls()
    expected = syscalls.refused() | {name: error for error, call, flags in syscalls.REFUSED_FLAGS
                                      for name in flag_calls() if name.startswith(f"{call}(")}
    got = json.loads(kernel_says(probe(calls)))
    assert got == expected, {name: (got[name], expected[name]) for name in got if got[name] != expected[name]}
    assert set(syscalls.refused()) >= {"add_key", "keyctl", "request_key", "clone3", "setns", "mount", "umount2",
                                       "pivot_root", "open_by_handle_at", "ptrace", "process_vm_readv",
                                       "process_vm_writev", "bpf", "perf_event_open", "userfaultfd", "kexec_load",
                                       "kexec_file_load", "init_module", "finit_module", "delete_module", "swapon",
                                       "swapoff", "reboot", "acct", "quotactl", "syslog", "iopl", "ioperm",
                                       "io_uring_setup", "io_uring_enter", "io_uring_register"}
    assert syscalls.refused()["clone3"] == errno.ENOSYS


def test_what_is_not_refused_still_works_inside_a_kernel():
    """Threads (clone3 falls back to clone), subprocess, multiprocessing, BLAS, signals, a fork."""
    code = (
        "import multiprocessing, os, signal, subprocess, sys, threading, numpy as np\n"
        "seen = []\nsignal.signal(signal.SIGUSR1, lambda *a: seen.append('signal'))\n"
        "os.kill(os.getpid(), signal.SIGUSR1)\n"
        "t = threading.Thread(target=seen.append, args=('thread',)); t.start(); t.join()\n"
        "seen.append(subprocess.run(['echo', 'subprocess'], capture_output=True, text=True).stdout.strip())\n"
        "with multiprocessing.Pool(2) as pool: seen.append(pool.map(abs, [-1, -2]))\n"
        "seen.append(float(np.linalg.svd(np.eye(200))[1].sum()))\n"
        "blas = 'import numpy, os; print(len(os.listdir(\"/proc/self/task\")))'  # OpenBLAS starts its threads\n"
        "seen.append(subprocess.run([sys.executable, '-c', blas], env=dict(os.environ, OPENBLAS_NUM_THREADS='2'),\n"
        "                           capture_output=True, text=True).stdout.strip())\n"
        "child = os.fork()\nif child == 0: os._exit(7)\n"
        "seen.append(os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]))\n"
        "print(seen)"
    )
    assert kernel_says(code).strip() == "['signal', 'thread', 'subprocess', [1, 2], 200.0, '2', 7]"


@pytest.mark.skipif(platform.machine() != "x86_64", reason="x32 is an ABI of x86_64")
def test_a_call_of_another_abi_kills_the_process():
    """x32's getpid (its number with bit 30 set): outside the filter's one ABI, the process dies."""
    x32_getpid = 0x40000000 | syscalls.number("getpid")
    got = json.loads(kernel_says(probe({"x32 getpid": (x32_getpid, ())})))
    assert got == {"x32 getpid": f"signal {signal.SIGSYS}"}


# The kernel's session keyring (its key ids, 4 bytes each: KEYCTL_READ on KEY_SPEC_SESSION_KEYRING)
# and what /proc lists of keys.
KEYRING = '''import ctypes
libc = ctypes.CDLL(None, use_errno=True)
ids = ctypes.create_string_buffer(4096)
size = libc.syscall(ctypes.c_long({keyctl}), ctypes.c_long(11), ctypes.c_long(-3), ctypes.c_long(ctypes.addressof(ids)),
                    ctypes.c_long(4096))
print(size, [open(p).read() for p in ('/proc/keys', '/proc/key-users')])'''


def test_a_kernel_starts_in_a_new_empty_session_keyring_and_sees_no_key_even_without_the_filter():
    """The grader's session keyring holds a canary: the kernel's own (the filter off, so keyctl
    answers) holds nothing, and /proc/keys and /proc/key-users read empty. The control, with the
    keyrings' isolation off too: the kernel holds the grader's keyring, and /proc/keys lists the canary."""
    code = KEYRING.replace("{keyctl}", str(syscalls.number("keyctl")))
    assert kernel_says(code, off=["filter"], canary=CANARY).strip() == "0 ['', '']"
    size, listed = kernel_says(code, off=["filter", "keyrings"], canary=CANARY).split(" ", 1)
    assert int(size) == 4 and keys.CANARY_DESCRIPTION in listed


def test_where_the_kit_unshares_the_user_it_forbids_nested_user_namespaces(monkeypatch):
    """An ordinary user's sandbox: bwrap's own --disable-userns beside --unshare-user. As root no
    user namespace is made, and the filter refuses one (tests/support/hostile.py: mounts_in_user_namespace)."""
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    args = bwrap.namespace_args()
    assert "--unshare-user" in args and "--disable-userns" in args
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert "--unshare-user" not in bwrap.namespace_args()


def test_the_sandbox_check_says_whether_the_filter_is_on():
    def check(**env):
        done = subprocess.run([sys.executable, "-m", "nnkit.sandbox"], capture_output=True, text=True, cwd=COURSE_ROOT,
                              env={**os.environ, **env}, check=True)
        return json.loads(done.stdout)["syscall_filter"]

    assert check().startswith(f"on: {len(syscalls.refused())} calls refused")
    assert check(**{syscalls.TESTS_ONLY_OFF: "filter"}).startswith("filter off")


def test_a_filter_that_cannot_be_built_means_no_sandbox(monkeypatch):
    def broken():
        raise syscalls.FilterUnavailable("no libseccomp for the syscall filter (test)")

    monkeypatch.setattr(syscalls, "program", broken)
    bwrap.unavailable.cache_clear()  # this process's answer, made before
    try:
        assert bwrap.unavailable() == "no libseccomp for the syscall filter (test)"
        with pytest.raises(bwrap.SandboxUnavailable, match="syscall filter"):
            SandboxedKernelManager(kernel_name="python3")
    finally:
        bwrap.unavailable.cache_clear()


# pyseccomp as it behaves where libseccomp.so.2 is missing (its own RuntimeError at import).
NO_LIBSECCOMP = 'raise RuntimeError("Unable to find libseccomp")\n'


@pytest.mark.slow
def test_a_batch_whose_filter_cannot_be_built_exits_3_and_the_self_check_says_it_ran_bare(tmp_path):
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "pyseccomp.py").write_text(NO_LIBSECCOMP)
    env = nbgrader_env() | {"PYTHONPATH": os.pathsep.join([str(shadow), nbgrader_env().get("PYTHONPATH", "")])}
    root = scratch_course(tmp_path / "course")
    done = run_batch(root, "--assignment", "activations", env=env)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == exits.KIT_FAILURE and len(lines) == 1, done.stdout + done.stderr
    assert "no sandbox for student code: no libseccomp for the syscall filter" in lines[0]
    notebook = COURSE_ROOT / "submitted" / "correct" / "activations" / "activations.ipynb"
    check = subprocess.run(
        [sys.executable, "-m", "nnkit.batch.selfcheck", str(notebook)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
    )
    assert check.returncode == exits.OK and "No sandbox here (no libseccomp for the syscall filter" in check.stdout, \
        check.stdout + check.stderr


def test_the_sandbox_page_names_every_refused_call():
    page = (COURSE_ROOT / "docs" / "sandbox.md").read_text()
    assert [call for call in [*syscalls.refused(), *(c for _, c, _ in syscalls.REFUSED_FLAGS)]
            if f"`{call}`" not in page] == []
