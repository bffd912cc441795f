"""The sandbox a grading kernel runs in (nnkit.sandbox.bwrap), cell by cell through ResilientExecute:
what it can see, import and write, its network, its users and processes, its environment, and
each limit of nnkit.kernel.limits with the message its breach gives. The hostile catalogue
(tests/support/hostile.py) proves the same through the real batch."""
import ast
import os
import secrets
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import nbformat
import pytest

from components import require
from listener import Listener
from nnkit.execution.execute import ResilientExecute
from nnkit.judging.review import events_of
from nnkit.kernel import limits
from nnkit.kernel.config import COURSE_ROOT
from nnkit.sandbox import bwrap, leases, manager, runtime


@pytest.fixture(autouse=True, scope="module")
def working_sandbox():
    """Every test here needs a sandbox that starts: skipped without one, failed under CI
    (tests/support/components.py proves bwrap can create its namespaces)."""
    require("bubblewrap")


def run_cells(*sources, folder=None, timeout=120, sandboxed=True):
    """Run cells in a kernel, sandboxed unless told (the control of a test that must be able to fail).
    `timeout` per cell: wide, a loaded machine must not flip a verdict."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    resources = {"metadata": {"path": str(folder or COURSE_ROOT / "release" / "backprop")}}
    executed, _ = ResilientExecute(kernel_name="python3", timeout=timeout, sandbox=sandboxed).preprocess(nb, resources)
    return [output_text(cell) for cell in executed.cells], events_of(resources)


def output_text(cell) -> str:
    return "".join(o.get("text", "") or f"{o.get('ename')}: {o.get('evalue')}" for o in cell.outputs)


SECRETS = ["assignments/activations/key/solution.py", "assignments/activations/key/reference.py",
           "source/activations/activations.ipynb", "assignments/activations/key/torch_results.npz",
           "submitted/correct/activations/activations.ipynb", "nbgrader_config.py", "nnkit/judging/judge.py",
           "nnkit/judging/references.py", "README.md"]


def test_the_answer_key_the_course_and_the_graders_home_are_not_there():
    probe = ("import os\nprint([p for p in {paths!r} if os.path.exists(p)])\n"
             "print(os.listdir({home!r}) if os.path.isdir({home!r}) else [])")
    paths = [str(COURSE_ROOT / p) for p in SECRETS] + [
        os.path.expanduser("~/.jupyter"),
        os.path.expanduser("~/.bashrc"),
    ]
    (found,), _ = run_cells(probe.format(paths=paths, home=str(Path.home())))
    course, home = found.splitlines()
    assert course == "[]"
    interpreter = Path(sys.base_prefix)  # the only thing under the grader's home, when the interpreter is there
    assert eval(home) == ([interpreter.relative_to(Path.home()).parts[0]] if Path.home() in interpreter.parents else [])


def test_only_numpy_matplotlib_and_the_kits_kernel_side_import():
    code = ("import importlib\nfor name in {names!r}:\n    try:\n        importlib.import_module(name)\n"
            "        print(name, 'yes')\n    except ImportError:\n        print(name, 'no')")
    names = [
        "numpy",
        "matplotlib.pyplot",
        "nnkit.kernel.record",
        "torch",
        "torchvision",
        "scipy",
        "sklearn",
        "pandas",
        "assignments.activations.key.solution",
        "nnkit.judging.judge",
        "nnkit.judging.references",
        "nbgrader",
        "sqlite3",
    ]
    (out,), _ = run_cells(code.format(names=names))
    got = dict(line.split() for line in out.splitlines())
    assert [n for n in names if got[n] == "yes"] == ["numpy", "matplotlib.pyplot", "nnkit.kernel.record", "sqlite3"]


def test_the_kernel_imports_every_assignments_cases_and_sees_no_key():
    """What record() needs of each assignment is there; its key is not."""
    from nnkit.kernel.config import ASSIGNMENTS

    code = ("import os\nfrom nnkit.kernel.course_cases import CASES\nprint(len(CASES))\n"
            "print([a for a in {assignments!r} if os.path.exists(f'/kit/assignments/{{a}}/key')])")
    (out,), _ = run_cells(code.format(assignments=list(ASSIGNMENTS)))
    from nnkit.kernel.course_cases import CASES

    assert out.splitlines() == [str(len(CASES)), "[]"]


def test_writes_land_only_in_private_folders_and_the_submissions_files_are_read_only():
    code = (
        "import os\nfor path in {paths!r}:\n    try:\n        open(path, 'w').write('x')\n"
        "        print(path, 'written')\n"
        "    except OSError as error:\n        print(path, type(error).__name__)"
    )
    paths = ["/submission/new.txt", "/tmp/x", "/dev/shm/x", os.path.join(bwrap.INSIDE_HOME, "x"),
             "/submission/data/MNIST/raw/t10k-labels-idx1-ubyte", "/kit/nnkit/kernel/record.py", "/usr/x",
             str(Path(sysconfig.get_path("purelib")) / "sitecustomize.py")]
    (out,), _ = run_cells(code.format(paths=paths))
    written = [line.split()[0] for line in out.splitlines() if line.endswith("written")]
    assert written == paths[:4], out


REACH = ("import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), timeout=10).sendall(b'{token}')\n"
         "    print('reached')\nexcept OSError as error:\n    print(type(error).__name__)")


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.server.close()


def test_no_network_a_server_of_the_host_is_out_of_reach(listener):
    """A server listening on the host's 127.0.0.1: the same cell reaches it without the sandbox,
    and cannot from inside it (a network namespace of its own)."""
    token = secrets.token_hex(8)
    (sandboxed,), _ = run_cells(REACH.format(port=listener.port, token="in-" + token))
    (bare,), _ = run_cells(REACH.format(port=listener.port, token="out-" + token), sandboxed=False)
    assert bare == "reached\n" and b"out-" + token.encode() in wait_for_bytes(listener)
    assert sandboxed in ("ConnectionRefusedError\n", "OSError\n", "TimeoutError\n"), sandboxed
    assert b"in-" not in listener.received


def wait_for_bytes(listener, seconds=60):
    deadline = time.monotonic() + seconds
    while not listener.received and time.monotonic() < deadline:
        time.sleep(0.05)
    return listener.received


def test_an_unprivileged_user_and_no_other_process_in_sight():
    """As root, a leased uid of its own; as an ordinary user, that user's own uid (bwrap's user
    namespace): never root."""
    code = ("import os\nprint(os.getuid(), os.geteuid())\n"
            "print(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))")
    (out,), _ = run_cells(code)
    uid_line, pids = out.splitlines()
    uid, euid = map(int, uid_line.split())
    assert uid == euid != 0
    assert uid >= leases.UID_BASE if os.geteuid() == 0 else uid == os.geteuid()
    assert len(eval(pids)) <= 3  # bwrap's init, the kernel, and nothing of the host


def test_the_environment_is_built_from_an_allow_list(monkeypatch):
    monkeypatch.setenv("NNKIT_DB_URL", "postgresql://grader:secret@db/nnkit")
    monkeypatch.setenv("NNKIT_CANARY", "canary-3141")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    (out,), _ = run_cells("import os\nprint(sorted(os.environ.items()))")
    assert "secret" not in out and "canary-3141" not in out and "('OMP_NUM_THREADS', '1')" in out


def test_a_process_left_running_is_gone_when_the_notebook_is_done():
    marker = str(secrets.randbelow(9 * 10**8) + 10**8)  # this run's own: no other test's process matches
    code = (f"import subprocess, os\nsubprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n"
            f"if os.fork() == 0:\n    os.setsid()\n    os.execvp('sleep', ['sleep', '{marker}'])\nprint('left')")
    (out,), _ = run_cells(code)
    assert out == "left\n"
    left = "unchecked"
    for _ in range(100):  # up to 10 s on a loaded machine for the sandbox's processes to be reaped
        left = subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True, text=True).stdout
        if left == "":
            break
        time.sleep(0.1)
    assert left == ""


def test_memory_beyond_the_limit_is_a_memory_error_in_the_cell():
    (out,), _ = run_cells(f"import numpy as np\nx = np.ones({limits.KERNEL_MEMORY_BYTES // 8 + 2**20})")
    assert "MemoryError" in out


def test_processes_beyond_the_limit_cannot_be_started(monkeypatch):
    monkeypatch.setattr(limits, "PROCESSES", 40)
    code = ("import os, time\nchildren = 0\ntry:\n    while children < 1000:\n        if os.fork() == 0:\n"
            "            time.sleep(60)\n            os._exit(0)\n        children += 1\nexcept OSError as error:\n"
            "    print(type(error).__name__, children < 40)")
    (out,), _ = run_cells(code)
    assert out == "BlockingIOError True\n"


def test_cpu_time_beyond_the_limit_kills_the_kernel_and_the_cell_says_so(monkeypatch):
    monkeypatch.setattr(limits, "CPU_SECONDS", 2)
    (burn, after), events = run_cells("while True:\n    pass", "print('after')")
    assert "CPU time limit" in burn and after == "after\n"
    assert [e.kind for e in events] == ["kernel_died"]


def test_files_and_private_folders_are_size_limited(monkeypatch):
    code = ("import os\nfor path, size in {writes!r}:\n    try:\n        with open(path, 'wb') as f:\n"
            "            for _ in range(size // 2**20):\n                f.write(bytes(2**20))\n        print('ok')\n"
            "    except OSError as error:\n        print(os.strerror(error.errno))")
    writes = [("/submission/big", limits.FILE_BYTES + 2**20), ("/tmp/a", limits.TMP_BYTES - 2**20),
              ("/tmp/b", 2 * 2**20)]
    (out,), _ = run_cells(code.format(writes=writes))
    assert out.splitlines() == ["File too large", "ok", "No space left on device"]


def imported_kit_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    return {name for name in names if name.startswith("nnkit")}


def test_the_kernel_side_imports_nothing_of_the_kit_outside_itself():
    package = COURSE_ROOT / "nnkit" / bwrap.KERNEL_SIDE
    for path in package.glob("*.py"):
        assert all(name.startswith(f"nnkit.{bwrap.KERNEL_SIDE}") for name in imported_kit_modules(path)), path.name


# --- the runtime folder the kernel shares with the grader, its restarts, its stderr (nnkit.sandbox.runtime.Runtime)

CONNECTION_FILE = "import sys\ncf = sys.argv[sys.argv.index('-f') + 1]\n"
SWAP = CONNECTION_FILE + ("import os\ntry:\n    os.remove(cf)\n    {make}\n    print('swapped')\n"
                          "except OSError as error:\n    print('refused:', os.strerror(error.errno))")


def run_cells_in_thread(*sources, folder=None, seconds=600):
    """run_cells, given at most `seconds` (a grader that blocks fails the test instead of hanging it)."""
    from waiting import with_timeout

    return with_timeout(lambda: run_cells(*sources, folder=folder), seconds)


@pytest.fixture
def outside_file(tmp_path):
    """A file of the grader's (root's, in `make test`) outside the course, as authorized_keys would be."""
    path = tmp_path / "authorized_keys"
    path.write_text("ssh-ed25519 AAAA grader\n")
    path.chmod(0o600)
    return path


def test_a_connection_file_swapped_for_a_link_gives_the_kernel_nothing_at_the_restart(outside_file):
    owner = outside_file.stat().st_uid
    (swap, died, after), events = run_cells(SWAP.format(make=f"os.symlink({str(outside_file)!r}, cf)"),
                                            "import os\nos._exit(0)", "print(open(cf).read()[:1])")
    assert swap.startswith("refused"), swap
    assert outside_file.stat().st_uid == owner and outside_file.stat().st_mode & 0o777 == 0o600
    assert "died" in died and after == "{\n" and [e.kind for e in events] == ["kernel_died"]


def test_a_connection_file_swapped_for_a_fifo_does_not_block_the_restart():
    (swap, died, after), events = run_cells_in_thread(SWAP.format(make="os.mkfifo(cf)"), "import os\nos._exit(0)",
                                                      "print('after')")
    assert swap.startswith("refused"), swap
    assert "died" in died and after == "after\n" and [e.kind for e in events] == ["kernel_died"]


FILL_SOCKETS = ("import json, os\nfolder = os.path.dirname(json.load(open(cf))['ip'])\nwritten = 0\ntry:\n"
                "    for i in range(200):\n        with open(os.path.join(folder, f'fill{i}'), 'wb') as f:\n"
                "            f.write(bytes(2**20))\n        written += 1\nexcept OSError as error:\n"
                "    print(os.strerror(error.errno))\nprint(written)")


@pytest.mark.skipif(os.geteuid() != 0, reason="as an ordinary user the sockets' folder is not a tmpfs of its own")
def test_the_sockets_folder_is_size_limited_and_emptied_at_each_restart():
    listing = CONNECTION_FILE + "import json, os\nprint(sorted(os.listdir(os.path.dirname(json.load(open(cf))['ip']))))"
    (fill, died, after), _ = run_cells(CONNECTION_FILE + FILL_SOCKETS + "\nraise RuntimeError('not replayed')",
                                       "import os\nos._exit(0)", listing)
    error, written = fill.splitlines()[:2]
    assert error == "No space left on device" and int(written) <= limits.RUNTIME_BYTES // 2**20
    assert eval(after) == [f"k-{n}" for n in range(1, 6)], after  # the new kernel's sockets, nothing left


def test_socket_paths_stay_short_whatever_the_temporary_folder(monkeypatch, tmp_path):
    deep = tmp_path / ("x" * 100)
    deep.mkdir()
    monkeypatch.setenv("TMPDIR", str(deep))
    monkeypatch.setattr(runtime.tempfile, "tempdir", None)
    import asyncio

    km = manager.SandboxedKernelManager(kernel_name="python3")
    try:
        assert len(f"{km.ip}-65535".encode()) <= 107  # sun_path: 108 bytes with the NUL
    finally:
        asyncio.run(km._async_cleanup_resources())  # the override: its folder, lease and cgroup


FORGED = "WARNING cheating attempt by zz_victim"
# Writes a forged log line to every file the kernel inherited (ipykernel keeps a copy of the original
# stderr), and says what they are.
FORGE_LOG = f"""import os
for fd in map(int, os.listdir('/proc/self/fd')):
    try:
        target = os.readlink(f'/proc/self/fd/{{fd}}')
    except OSError:
        continue
    if target.startswith('/') and not target.startswith('/proc'):
        os.write(fd, b'{FORGED}\\n')
        print(target)"""


def test_the_kernels_stderr_reaches_no_file_of_the_grader(capfd):
    (out,), _ = run_cells(FORGE_LOG)
    assert FORGED not in capfd.readouterr().err and "/dev/null" in out, out


def test_the_students_files_are_at_submission_after_a_restart(tmp_path):
    (tmp_path / "data.txt").write_text("42")
    read = "print(open('/submission/data.txt').read(), sorted(os.listdir('/submission')))"
    (before, died, after), events = run_cells("import os\n" + read, "os._exit(0)", read, folder=tmp_path)
    assert before == after == "42 ['data.txt']\n", (before, after)
    assert [e.kind for e in events] == ["kernel_died"]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root mounts the sockets' folder")
def test_a_mount_left_by_a_killed_grader_is_removed_by_the_next_one_with_its_uid():
    uid = leases.UID_BASE + leases.UID_SLOTS - 1  # a slot the tests' kernels do not reach
    killed = runtime.Runtime(uid)
    killed.fresh_sockets()  # and then the grader is gone without cleaning up
    assert os.path.ismount(killed.sockets)
    successor = runtime.Runtime(uid)
    try:
        assert not os.path.ismount(killed.sockets) and not killed.path.exists()
    finally:
        successor.remove()


# --- the per-user runtime place when /tmp/nnkit-<uid> is another user's ---------------------------

@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as two other users")
def test_a_runtime_folder_name_taken_by_another_user_falls_back_to_a_fresh_one(monkeypatch):
    """Another user's /tmp/nnkit-<uid>, mode 0700, cannot even be opened (EACCES): the grader takes a
    fresh mkdtemp folder instead of failing every submission. Run as an ordinary uid in a child."""
    import shutil
    import tempfile

    from nnkit.sandbox import state_folders

    grader, squatter = 65534, 65533
    shared = Path(tempfile.mkdtemp(prefix="nnkit-shared-tmp-"))
    try:
        shared.chmod(0o1777)  # a /tmp of its own
        taken = shared / state_folders.USER_FALLBACK_NAME.format(uid=grader)
        taken.mkdir(mode=0o700)
        os.chown(taken, squatter, squatter)
        monkeypatch.setattr(state_folders, "USER_FALLBACK_PARENT", shared)
        monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
        read, write = os.pipe()
        child = os.fork()
        if child == 0:  # the grader: an ordinary user
            try:
                os.close(read)
                os.setgroups([])
                os.setresgid(grader, grader, grader)
                os.setresuid(grader, grader, grader)
                state_folders.user_runtime.cache_clear()
                try:
                    answer = f"ok {state_folders.user_runtime()}"
                except Exception as error:  # the defect: reported to the parent, not raised here
                    answer = f"error {type(error).__name__}: {error}"
                os.write(write, answer.encode())
            finally:
                os._exit(0)
        os.close(write)
        with os.fdopen(read) as f:
            answer = f.read()
        os.waitpid(child, 0)
        assert answer.startswith("ok "), answer
        place = Path(answer[3:])
        assert place.parent == shared and place.name.startswith(taken.name + "-") and place.stat().st_uid == grader
        assert taken.stat().st_uid == squatter  # the other user's folder is left alone
    finally:
        shutil.rmtree(shared, ignore_errors=True)
