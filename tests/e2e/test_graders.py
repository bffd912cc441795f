"""Graders side by side on one machine, and exit codes that tell the truth.

- An ordinary Unix user (made here with useradd, run with runuser, in an environment with the
  grading packages only: tests/support/users.py) grades the demo class in a copy of the course while root
  grades another copy at the same moment; then two ordinary users at once. Each gets the exact
  demo table (derived from scripts/make_submissions.py's expected scores) and exit 0.
- A stale or hostile place in root's or a user's way: the lease folder replaced by a symlink or by
  another owner's folder with a link inside, a user's named /tmp folder taken by another user,
  every lease held. Each is graded or refused with one clear line, and nothing outside is touched.
- Exit codes: a batch whose kernels cannot start in their sandbox, one whose gradebook is locked,
  exit KIT_FAILURE with the cause; a class of failing students exits 0.

No timing is asserted; the overlap of two graders is shown by when each wrote its outcomes.
"""
import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

import users
from nnkit import exits
from nnkit.authoring.democlass import DEMO_STUDENTS, demo_score
from nnkit.collect.notebooks import total_points
from nnkit.gradebook.states import State, Submission, class_submissions
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ROOT
from nnkit.sandbox import leases, state_folders
from nnkit.testing import nbgrader_env
from nnkit.views.table import format_table

pytestmark = pytest.mark.slow  # every test grades, as other users too

TIMEOUT = 1800  # a class graded next to another on a loaded 2-core machine: wide


@pytest.fixture(autouse=True)
def as_root():
    if os.geteuid() != 0:
        message = "these tests make Unix users (useradd) and grade as root: run them as root"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def grading_python() -> Path:
    return users.grading_environment()


def with_private_machine_state(test):
    """Run `test` in a child process with a mount namespace of its own, where the machine's state
    folder (state_folders.MACHINE_STATE's first part under the trusted parent: /run/nnkit) is an empty
    tmpfs: a test that holds every sandbox uid lease, or replaces the lease folder, never starves
    nor confuses the other graders on the machine (another job's batch, an instructor's grading
    beside `make test`). Its fixtures are made before, in pytest's own process."""
    import ctypes
    import functools
    import traceback

    @functools.wraps(test)
    def run(*args, **kwargs):
        read, write = os.pipe()
        child = os.fork()
        if child == 0:
            code = 1
            try:
                os.close(read)
                libc = ctypes.CDLL(None, use_errno=True)
                if libc.unshare(0x00020000) != 0:  # CLONE_NEWNS
                    raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS)")
                subprocess.run(["mount", "--make-rprivate", "/"], check=True)
                state = state_folders.machine_base() / state_folders.MACHINE_STATE[0]
                state.mkdir(mode=0o755, exist_ok=True)
                # The namespace starts with a copy of the machine's mounts: the other graders'
                # sockets' folders under the state folder. Unmounted here (in this namespace alone),
                # they are not even listed in this test's mount table.
                points = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
                for point in sorted((p for p in points if p.startswith(f"{state}/")), key=len, reverse=True):
                    subprocess.run(["umount", "--lazy", point], capture_output=True)
                subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755,size=64m", "nnkit-test-machine", str(state)],
                               check=True)
                outside = os.stat(f"/proc/{os.getppid()}/root{state}")  # pytest's view: the machine's
                assert os.stat(state).st_dev != outside.st_dev, "the machine state is not private"
                test(*args, **kwargs)
                code = 0
            except BaseException:
                os.write(write, traceback.format_exc().encode())
            finally:
                os._exit(code)
        os.close(write)
        with os.fdopen(read) as failure:
            report = failure.read()
        _, status = os.waitpid(child, 0)
        if status != 0:
            pytest.fail(f"in a private machine state:\n{report}", pytrace=False)

    return run


def expected_table(assignments=ASSIGNMENTS, students=DEMO_STUDENTS) -> str:
    """The demo table as it must be printed, from the expected scores (scripts/make_submissions.py)."""
    return format_table([Submission(s, a, State.GRADED, demo_score(s, a), total_points(a))
                         for s in students for a in assignments], list(assignments))


def printed_table(out: str) -> str:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("student "))
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return "\n".join(lines[start:end])


def outcome_times(course: Path) -> tuple[float, float]:
    """When a course's first and last outcomes were written."""
    times = [p.stat().st_mtime for p in state_folders.course_state(course).glob("*/*.json")]
    return min(times), max(times)


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=TIMEOUT)
    return process.returncode, out, err


def as_user(user, python: Path, course: Path, args: list[str], **env) -> subprocess.Popen:
    return users.run_as(user, [str(python), "-m", *args], users.user_environment(user, python, **env), cwd=course,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def as_root_batch(course: Path, *args: str) -> subprocess.Popen:
    """Root's batch on a course (its own copy of the kit: `-m` imports from the course folder)."""
    return subprocess.Popen([sys.executable, "-m", "nnkit.batch.cli", *args], cwd=course, env=nbgrader_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def shared_folder() -> Path:
    """A fresh folder every user can enter (the tests' own tmp_path is root's 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="nnkit-graders-"))
    folder.chmod(0o755)
    return folder


@pytest.fixture
def scratch():
    folder = shared_folder()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_an_ordinary_user_grades_the_demo_class_while_root_grades_another_course(grading_python, scratch):
    with users.throwaway_user() as user:
        theirs = users.course_copy(user.home / "course", user)
        ours = users.course_copy(scratch / "root-course")
        user_run = as_user(user, grading_python, theirs, ["scripts.demo"])
        root_run = as_root_batch(ours)
        (code, out, err), (root_code, root_out, root_err) = finish(user_run), finish(root_run)
        assert (code, printed_table(out)) == (exits.OK, expected_table()), out + err
        assert (root_code, printed_table(root_out)) == (exits.OK, expected_table()), root_out + root_err
        (first, last), (root_first, root_last) = outcome_times(theirs), outcome_times(ours)
        assert first < root_last and root_first < last, "the two courses were not graded at the same time"
        assert all(p.stat().st_uid == user.uid for p in state_folders.course_state(theirs).rglob("*")), \
            "the user's course state is the user's"


def test_two_ordinary_users_grade_at_the_same_time(grading_python):
    """One user with XDG_RUNTIME_DIR (a private folder of theirs, as logind makes it), one without
    (the /tmp/nnkit-<uid> fallback): both get the exact table."""
    with users.throwaway_user() as ann, users.throwaway_user() as bob:
        runtime = Path("/run/user") / str(ann.uid)
        runtime.mkdir(mode=0o700, parents=True)
        os.chown(runtime, ann.uid, ann.gid)
        try:
            courses = [users.course_copy(u.home / "course", u) for u in (ann, bob)]
            runs = [as_user(ann, grading_python, courses[0], ["scripts.demo"], XDG_RUNTIME_DIR=str(runtime)),
                    as_user(bob, grading_python, courses[1], ["scripts.demo"])]
            results = [finish(run) for run in runs]
            for code, out, err in results:
                assert (code, printed_table(out)) == (exits.OK, expected_table()), out + err
            (a_first, a_last), (b_first, b_last) = map(outcome_times, courses)
            assert a_first < b_last and b_first < a_last, "the two users did not grade at the same time"
            assert (runtime / state_folders.USER_SUBFOLDER).is_dir(), "ann's kernels ran in her XDG_RUNTIME_DIR"
            bobs = Path("/tmp") / state_folders.USER_FALLBACK_NAME.format(uid=bob.uid)
            assert bobs.is_dir() and bobs.stat().st_uid == bob.uid and bobs.stat().st_mode & 0o777 == 0o700
        finally:
            shutil.rmtree(runtime, ignore_errors=True)
            shutil.rmtree(Path("/tmp") / state_folders.USER_FALLBACK_NAME.format(uid=bob.uid), ignore_errors=True)


# --- stale and hostile places ------------------------------------------------------------------

def small_class(course: Path, owner=None) -> Path:
    """A class of two activations submissions (correct, seed) in a course copy: quick to grade."""
    users.course_copy(course, owner)
    for student in os.listdir(course / "submitted"):
        if student not in ("correct", "seed"):
            shutil.rmtree(course / "submitted" / student)
    return course


SMALL = {"correct": demo_score("correct", "activations"), "seed": demo_score("seed", "activations")}


def scores(course: Path) -> dict:
    return {e.student: e.score for e in class_submissions(course, ["activations"]) if e.state == State.GRADED}


def snapshot(folder: Path) -> dict:
    """Every entry under a folder, with its owner, mode and content (or link target)."""
    found = {}
    for path in sorted([folder, *folder.rglob("*")]):
        info = path.lstat()
        content = os.readlink(path) if path.is_symlink() else (path.read_bytes() if path.is_file() else None)
        found[str(path.relative_to(folder))] = (info.st_uid, info.st_mode, content)
    return found


@contextlib.contextmanager
def lease_folder_replaced_by(kind: str, outside: Path, user=None):
    """Root's lease folder replaced by a symlink to `outside`, or by a folder of `user` holding a
    link to `outside`'s canary as lease 0 (what a stale install or a hostile hand could leave)."""
    leases = state_folders.leases_path()
    leases.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    aside = leases.with_name(f".test-aside-{os.getpid()}")
    if leases.exists() or leases.is_symlink():
        leases.rename(aside)
    try:
        if kind == "symlink":
            leases.symlink_to(outside)
        else:
            leases.mkdir(mode=0o777)
            leases.chmod(0o777)
            os.chown(leases, user.uid, user.gid)
            (leases / "0.lock").symlink_to(outside / "canary")
        yield leases
    finally:
        if aside.exists():
            if leases.is_symlink() or not leases.is_dir():
                leases.unlink(missing_ok=True)
            else:
                shutil.rmtree(leases)
            aside.rename(leases)


@pytest.mark.parametrize("kind", ["symlink", "another owner"])
@with_private_machine_state
def test_root_grades_past_what_stands_in_place_of_its_lease_folder(kind, scratch):
    """A symlink in place of root's lease folder, or a folder of another user (mode 0777, its lease
    0 a link to a file outside): root replaces it with a folder of its own and grades; the outside
    is untouched (no lock file made there, the canary neither truncated nor chowned)."""
    outside = scratch / "outside"
    outside.mkdir()
    (outside / "canary").write_text("do not truncate me\n")
    before = snapshot(outside)
    course = small_class(scratch / "course")
    with users.throwaway_user() as user, lease_folder_replaced_by(kind, outside, user) as leases:
        code, out, err = finish(as_root_batch(course, "--assignment", "activations"))
        assert snapshot(outside) == before
        assert code == exits.OK and scores(course) == SMALL, out + err
        info = leases.lstat()
        assert not leases.is_symlink() and info.st_uid == 0 and info.st_mode & 0o777 == 0o700


def test_a_users_named_folder_taken_by_another_user_harms_nobody(grading_python, scratch):
    """Another user makes /tmp/nnkit-<victim's uid> first, open to all, and a link in its place is
    tried too: the victim grades in a fresh private folder instead, with exact grades; nothing of the
    other user's is touched."""
    with users.throwaway_user() as victim, users.throwaway_user() as other:
        named = Path("/tmp") / state_folders.USER_FALLBACK_NAME.format(uid=victim.uid)
        trap = scratch / "trap"  # the other user's, open to all: what a followed link would write into
        trap.mkdir()
        os.chown(trap, other.uid, other.gid)
        trap.chmod(0o777)
        assert subprocess.run(["runuser", "-u", other.name, "--", "mkdir", "-m", "0777", str(named)]).returncode == 0
        try:
            for taken in ("folder", "symlink"):
                if taken == "symlink":
                    shutil.rmtree(named)
                    assert subprocess.run(["runuser", "-u", other.name, "--", "ln", "-s", str(trap), str(named)]
                                          ).returncode == 0
                before = snapshot(named) if taken == "folder" else snapshot(trap)
                course = small_class(victim.home / f"course-{taken}", victim)
                code, out, err = finish(as_user(victim, grading_python, course, ["nnkit.batch.cli", "--assignment",
                                                                                   "activations"]))
                assert code == exits.OK and scores(course) == SMALL, out + err
                assert (snapshot(named) if taken == "folder" else snapshot(trap)) == before
        finally:
            if named.is_symlink():
                named.unlink()
            shutil.rmtree(named, ignore_errors=True)
            for fresh in Path("/tmp").glob(state_folders.USER_FALLBACK_NAME.format(uid=victim.uid) + "-*"):
                shutil.rmtree(fresh, ignore_errors=True)


HOLD_EVERY_LEASE = f"""
import fcntl, resource, sys
from nnkit.sandbox import state_folders
resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
with state_folders.machine_leases() as leases:
    held = [state_folders.open_lease(leases, slot) for slot in range({leases.UID_SLOTS})]
for handle in held:
    fcntl.flock(handle, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


# Run first by every helper process: the kernel kills it when the process that started it dies (even
# by SIGKILL, before it reads its stdin), so a killed pytest leaves no helper holding every lease.
DIE_WITH_PARENT = """
import ctypes, os, signal
ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
if os.getppid() != {parent}:  # the parent died before the line above
    os._exit(1)
"""


@contextlib.contextmanager
def helper(script: str):
    """A helper process running `script`: it dies with this process, and it has ended when the block
    ends (its stdin closed, then killed if it has not exited within a minute)."""
    process = subprocess.Popen([sys.executable, "-c", DIE_WITH_PARENT.format(parent=os.getpid()) + script],
                               cwd=COURSE_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        yield process
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


@contextlib.contextmanager
def every_lease_held():
    """Another process holds every sandbox uid of the machine (released when it ends)."""
    with helper(HOLD_EVERY_LEASE) as holder:
        assert holder.stdout.readline().strip() == "held"
        yield


def test_a_helper_dies_with_the_test_process_even_before_it_reads_its_stdin():
    """pytest killed with SIGKILL while the lease holder is still taking leases (blocked, not reading
    its stdin): the holder must not outlive it, or no grading as root can start on the machine."""
    tests = Path(__file__).parent
    support = tests.parent / "support"
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                f"import sys, time\nsys.path[:0] = [{str(tests)!r}, {str(support)!r}, {str(COURSE_ROOT)!r}]\n"
                "import test_graders\n"
                "with test_graders.helper('print(os.getpid(), flush=True)\\nimport time\\ntime.sleep(3600)') as h:\n"
                "    print(h.stdout.readline().strip(), flush=True)\n    time.sleep(3600)\n"
            ),
        ],
        cwd=COURSE_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        pid = int(parent.stdout.readline())
    finally:
        parent.kill()
        parent.wait()
    stat = Path(f"/proc/{pid}/stat")
    for _ in range(600):  # wide: a loaded machine
        if not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    pytest.fail("the helper outlived the process that started it")


@with_private_machine_state
def test_a_batch_whose_kernels_cannot_start_in_their_sandbox_exits_with_the_cause(scratch):
    """Every lease held: no kernel can start in its sandbox. Nothing is graded, and the batch says
    why in one line and exits KIT_FAILURE (it used to exit 0 over a table of '!')."""
    course = small_class(scratch / "course")
    with every_lease_held():
        code, out, err = finish(as_root_batch(course, "--assignment", "activations"))
    assert code == exits.KIT_FAILURE, out + err
    causes = [line for line in err.splitlines() if line.startswith("not graded, not the student's doing")]
    assert len(causes) == 1 and "(2 submissions): no kernel could start in its sandbox" in causes[0], err
    assert f"all {leases.UID_SLOTS} sandbox uids are in use" in causes[0], err
    assert {e.state for e in class_submissions(course, ["activations"])} == {State.NOT_GRADABLE}


@with_private_machine_state
def test_the_self_check_says_the_kit_failed_when_no_kernel_can_start(tmp_path):
    """The self-check keeps 0/1/2 for the notebook; a kernel that cannot start is the kit's: 3."""
    with every_lease_held():
        result = subprocess.run([sys.executable, "-m", "nnkit.batch.selfcheck",
                                 str(COURSE_ROOT / "submitted" / "correct" / "activations" / "activations.ipynb")],
                                cwd=COURSE_ROOT, env=nbgrader_env(), capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == exits.KIT_FAILURE and "sandbox uids are in use" in result.stdout, (
        result.stdout + result.stderr
    )


@contextlib.contextmanager
def locked(gradebook: Path, how: str):
    """Another process holds the SQLite gradebook: EXCLUSIVE (no one reads or writes it) or
    IMMEDIATE (others read it, no one else writes)."""
    holder = sqlite3.connect(gradebook, timeout=0)
    holder.execute(f"BEGIN {how}")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()


def test_a_batch_whose_gradebook_is_locked_exits_with_the_cause(scratch):
    """Locked before the batch starts: it stops at once, with one line. Locked for writing once the
    gradebook is prepared: each submission fails on it, is tried again, and the batch prints the
    table, then one line for the cause, and exits KIT_FAILURE; so does --collect afterwards."""
    course = small_class(scratch / "course")
    code, out, err = finish(as_root_batch(course, "--assignment", "activations", "--prepare"))
    assert code == exits.OK, out + err
    with locked(course / "gradebook.db", "EXCLUSIVE"):
        code, out, err = finish(as_root_batch(course, "--assignment", "activations"))
    assert code == exits.KIT_FAILURE and err.strip().splitlines()[-1] == (
        "error: the gradebook cannot be used: OperationalError: database is locked"), out + err
    with locked(course / "gradebook.db", "IMMEDIATE"):
        code, out, err = finish(as_root_batch(course, "--assignment", "activations"))
    causes = [line for line in err.splitlines() if line.startswith("not graded, not the student's doing")]
    assert code == exits.KIT_FAILURE and len(causes) == 1, out + err
    assert causes[0].startswith("not graded, not the student's doing (2 submissions): the gradebook is locked, "
                                "missing or cannot be written: ") and "database is locked" in causes[0], causes
    assert {e.state for e in class_submissions(course, ["activations"])} == {State.NOT_GRADABLE}, out
    code, out, err = finish(as_root_batch(course, "--assignment", "activations", "--collect"))
    assert code == exits.KIT_FAILURE and "database is locked" in err, out + err


def test_a_class_of_failing_students_exits_0(scratch):
    """Blank answers, a notebook that is not JSON, a renamed one, one whose grade ids were edited
    (nbgrader rejects it): every state is the student's doing, so the batch exits 0."""
    course = small_class(scratch / "course")
    shutil.rmtree(course / "submitted" / "correct")
    release = course / "release" / "activations" / "activations.ipynb"
    folders = {name: course / "submitted" / name / "activations" for name in ("blank", "broken", "renamed", "edited")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    shutil.copy(release, folders["blank"] / "activations.ipynb")
    (folders["broken"] / "activations.ipynb").write_text("{ not a notebook")
    shutil.copy(release, folders["renamed"] / "my_activations.ipynb")
    edited = nbformat.read(release, as_version=4)
    for cell in edited.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "relu":
            cell.metadata["nbgrader"]["grade_id"] = "my_relu"
    nbformat.write(edited, folders["edited"] / "activations.ipynb")
    code, out, err = finish(as_root_batch(course, "--assignment", "activations"))
    assert code == exits.OK and "not the student's doing" not in err, out + err
    got = {e.student: (e.state, e.score) for e in class_submissions(course, ["activations"])}
    assert got == {
        "blank": (State.GRADED, 0),
        "seed": (State.GRADED, SMALL["seed"]),
        "broken": (State.NOT_GRADABLE, None),
        "renamed": (State.NOT_GRADABLE, None),
        "edited": (State.NOT_GRADABLE, None),
    }, got


def test_one_line_per_cause_that_is_not_the_students():
    """Outcomes as the workers report them: the student's causes make no line; the kit's make one
    line per cause, with how many and the first submission (a worker that died twice, a permission)."""
    from nnkit.batch.summary import kit_failures
    from nnkit.gradebook.outcomes import Outcome

    outcomes = [
        Outcome("ann", "activations", True),
        Outcome("bob", "activations", False, "activations.ipynb is not a notebook (not JSON)", "not_json"),
        Outcome("cy", "activations", False, "ValidationError: bad metadata", "jsonschema.exceptions.ValidationError"),
        Outcome("dee", "activations", False, "the grading process died while grading it, 2 times", "worker crashed"),
        Outcome("eve", "backprop", False, "the grading process died while grading it, 2 times", "worker crashed"),
        Outcome("fay", "activations", False, "PermissionError: [Errno 13] Permission denied: 'x'", "PermissionError"),
        Outcome("gus", "activations", False, "AttributeError: a defect of the kit", "AttributeError"),
    ]
    assert kit_failures(outcomes) == [
        "not graded, not the student's doing (2 submissions): the grading process died: the grading process died while "
        "grading it, 2 times (first: dee / activations)",
        "not graded, not the student's doing (1 submission): the grader was refused a permission: PermissionError: "
        "[Errno 13] Permission denied: 'x' (first: fay / activations)",
        "not graded, not the student's doing (1 submission): the kit failed: AttributeError: a defect of the kit "
        "(first: gus / activations)"]
    assert kit_failures(outcomes[:3]) == []
