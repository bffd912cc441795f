"""A class graded by a real Slurm cluster: a one-node cluster started here (tests/support/slurm.py), the
commands of docs/instructors.md's Slurm section run as shown, by an ordinary user (runuser), into a
real PostgreSQL gradebook, with the three faults a cluster has: a task cancelled mid-way, a task
past its --time, slurmd killed and restarted while a task runs. Then the tasks run again, as the
page says, and the gradebook must equal a single-machine run (`--jobs 2`) of the same class, every
grade cell compared; Slurm's own record (scontrol, the job-completion log) must say what happened.

The class: honest (correct, seed), broken (invalid_json, renamed_notebook) and hostile students
(tests/support/hostile.py: os_exit, steals_solution_file, and over_budget twice). The course's notebook
budget is OVER_BUDGET_SECONDS: a task holding both over_budget students needs twice that, more than
the 60 to 95 s in which Slurm stops a task given `TimeLimit=1` (it checks time limits every 30 s).
No time is asserted; the wall times are printed (pytest -s)."""
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

import users
from components import require, unusable
from docpages import FENCE
from hostile import CATALOGUE, Context, write_submission
from nnkit.batch.preparation import shard
from nnkit.collect.notebooks import notebook_path, read
from nnkit.gradebook.db import DB_URL_VARIABLE
from nnkit.gradebook.states import State, class_submissions
from nnkit.kernel.config import COURSE_ROOT
from postgres import PostgresServer, server_bin
from slurm import SlurmCluster, cgroup_plugins

PAGE = COURSE_ROOT / "docs" / "instructors.md"
SCRIPT = "cluster/autograde-shard.sbatch"
OVER_BUDGET_SECONDS = 60
TIMEOUT = 900  # the whole class through Slurm on a loaded 2-core machine: wide
# student: where the submission comes from (a demo student's notebook, or a catalogue entry)
CLASS = {"a_over_budget": "over_budget", "b_correct": "correct", "c_invalid_json": "invalid_json",
         "d_over_budget": "over_budget", "e_seed": "seed", "f_os_exit": "os_exit",
         "g_renamed": "renamed_notebook", "h_steals": "steals_solution_file"}
TASKS = 3
CUT = "interrupted"  # the cause of a grading cut off (nnkit.autograde.KIT_CAUSES)


def page_blocks() -> tuple[list[str], str]:
    """The Slurm section's commands: (the submission block's lines, the rerun command)."""
    blocks = [
        fence[3] for fence in FENCE.finditer(PAGE.read_text()) if fence[2].strip() == "bash" and SCRIPT in fence[3]
    ]
    submit = next(b for b in blocks if "--prepare" in b).strip().splitlines()
    rerun = next(b for b in blocks if "--prepare" not in b).strip()
    return submit, rerun


def make_course(folder: Path, user, python: Path) -> Path:
    """A copy of the course owned by `user`, its class CLASS, its venv (.venv) the grading environment."""
    course = users.course_copy(folder)
    shutil.rmtree(course / "submitted")
    release = read(notebook_path("release", "activations", COURSE_ROOT))
    ctx = Context(str(course), str(user.home), 9)
    for student, source in CLASS.items():
        target = course / "submitted" / student / "activations"
        if source in CATALOGUE:
            write_submission(target, CATALOGUE[source], release, ctx)
        else:
            shutil.copytree(COURSE_ROOT / "submitted" / source / "activations", target)
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.ResilientExecute.notebook_timeout = {OVER_BUDGET_SECONDS}\n")
    (course / ".venv").symlink_to(python.parent.parent)
    for path in [course, *course.rglob("*")]:
        os.chown(path, user.uid, user.gid, follow_symlinks=False)
    return course


def start_as_user(user, python: Path, course: Path, script: str, **env) -> subprocess.Popen:
    return users.run_as(user, ["bash", "-c", script], users.user_environment(user, python, **env), cwd=course,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> subprocess.CompletedProcess:
    out, err = process.communicate(timeout=TIMEOUT)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def as_user(user, python: Path, course: Path, script: str, **env) -> subprocess.CompletedProcess:
    return finish(start_as_user(user, python, course, script, **env))


def with_db(url: str):
    """NNKIT_DB_URL set in this process while reading a gradebook."""
    class Scope:
        def __enter__(self):
            self.saved = os.environ.get(DB_URL_VARIABLE)
            os.environ[DB_URL_VARIABLE] = url

        def __exit__(self, *exc):
            os.environ.pop(DB_URL_VARIABLE, None)
            if self.saved is not None:
                os.environ[DB_URL_VARIABLE] = self.saved
    return Scope()


def states(course: Path, url: str) -> dict[str, State]:
    with with_db(url):
        return {e.student: e.state for e in class_submissions(course, ["activations"])}


def outcome_file(course: Path, student: str) -> Path:
    return course / "outcomes" / "activations" / f"{student}.json"


def cut_off(course: Path, student: str) -> bool:
    """Its grading started and never ended: the supervisor's mark (nnkit.batch.supervisor) is still its outcome."""
    return (
        outcome_file(course, student).exists() and json.loads(outcome_file(course, student).read_text())["cause"] == CUT
    )


def finished(course: Path, student: str) -> bool:
    return outcome_file(course, student).exists() and not cut_off(course, student)


def printed_table(text: str) -> str:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("student "))
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return "\n".join(lines[start:end])


@pytest.fixture(scope="module")
def cluster():
    if os.geteuid() != 0:
        unusable("the Slurm test starts slurmd and munged, and makes a Unix user: run it as root")
    for package in ("munge", "slurmctld", "slurmd", "slurm-client"):
        require(package)
    made = SlurmCluster()
    try:
        made.start()
    except RuntimeError as error:
        made.stop()
        made.remove()
        unusable(f"the one-node Slurm cluster did not start: {error}")
    yield made
    made.stop()
    made.remove()


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer(server_bin(require("postgresql"))).start()
    server.folder.chmod(0o755)  # the ordinary user's tasks reach its socket
    yield server
    server.stop()


@pytest.mark.parametrize(
    "tree, expected",
    [
        (["cgroup.controllers"], ("proctrack/cgroup", "task/cgroup", "cgroup/v2")),
        (
            ["freezer/", "cpuset/", "memory/", "unified/cgroup.controllers"],
            ("proctrack/cgroup", "task/cgroup", "cgroup/v1"),
        ),
        ([], ("proctrack/linuxproc", "task/none", None)),
    ],
)
def test_the_cluster_tracks_tasks_with_the_cgroup_version_the_machine_has(tmp_path, tree, expected):
    """v2 where the unified hierarchy is /sys/fs/cgroup itself, v1 (a hybrid's unified mount aside)
    where the freezer and cpuset hierarchies are, no cgroup plugin where neither is."""
    for name in tree:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).mkdir() if name.endswith("/") else (tmp_path / name).write_text("cpu memory pids\n")
    chosen = cgroup_plugins(tmp_path)
    assert (chosen["ProctrackType"], chosen["TaskPlugin"], chosen["CgroupPlugin"]) == expected


@pytest.mark.slow  # it grades, through Slurm
@pytest.mark.long
def test_a_class_graded_by_a_slurm_array_with_its_faults_equals_one_machine(cluster, postgres, tmp_path):
    import test_scale

    submit, rerun = page_blocks()
    assert submit[0].startswith(f"export {DB_URL_VARIABLE}=")  # the one line an instructor makes their own
    assert any(f"--array=0-{TASKS - 1} {SCRIPT} {TASKS})" in line for line in submit), submit
    assert rerun.endswith(f"{SCRIPT} {TASKS}"), rerun  # the same shards
    python = users.grading_environment()
    students = sorted(CLASS)
    shards = [shard(students, i, TASKS) for i in range(TASKS)]
    assert [CLASS[s] for s in shards[0][:2]] == ["over_budget", "over_budget"]
    timings = {}
    with users.throwaway_user("nnks") as user:
        single, sliced = make_course(user.home / "single", user, python), make_course(user.home / "slurm", user, python)
        single_db, slurm_db = postgres.create_database("single"), postgres.create_database("slurm")

        # one machine, two workers: beside the Slurm run (its own course and gradebook; much of both is
        # the over_budget students' sleep), compared with it at the end
        single_started = time.monotonic()
        single_run = start_as_user(user, python, single, ".venv/bin/python -m nnkit.batch.cli --jobs 2",
                                   **{DB_URL_VARIABLE: single_db})

        # the page's commands, as the instructor, through sbatch
        script = "\n".join(
            ["set -euo pipefail", f"export {DB_URL_VARIABLE}='{slurm_db}'", *submit[1:], 'echo "$jobid"']
        )
        started = time.monotonic()
        submitted = as_user(user, python, sliced, script, **cluster.env())
        assert submitted.returncode == 0, submitted.stdout + submitted.stderr
        collect, array = submitted.stdout.split()[-2:]
        cluster.scontrol("update", f"JobId={array}_0", "TimeLimit=1").check_returncode()  # task 0: past its time

        cancelled_after, slurmd_killed_during = None, None
        while cluster.jobs(collect)[0]["JobState"] not in ("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT"):
            tasks = {r["ArrayTaskId"]: r["JobState"] for r in cluster.jobs(array) if "ArrayTaskId" in r}
            graded_1 = [s for s in shards[1] if finished(sliced, s)]
            if cancelled_after is None and graded_1 and tasks.get("1") == "RUNNING":
                users_scancel = as_user(user, python, sliced, f"scancel {array}_1", **cluster.env())
                assert users_scancel.returncode == 0, users_scancel.stderr
                cancelled_after = graded_1
            if slurmd_killed_during is None and tasks.get("2") == "RUNNING":
                slurmd_killed_during = [s for s in shards[2] if not finished(sliced, s)]
                cluster.kill_slurmd()
                time.sleep(2)
                cluster.start_slurmd()
            assert time.monotonic() - started < TIMEOUT, cluster.logs()
            time.sleep(0.5)
        timings["through Slurm, to the collect's end (3 faults)"] = round(time.monotonic() - started, 1)
        print("wall times:", timings, flush=True)
        records = {r.get("ArrayTaskId", "collect"): r for r in cluster.wait_done(array) + cluster.wait_done(collect)}
        shown = {task: (r["JobState"], r["ExitCode"]) for task, r in records.items()}
        shown_records = list(records.values())
        # the collect tells the truth too: submissions cut off are the kit's failure, not the students'
        assert shown == {"0": ("TIMEOUT", "0:15"), "1": ("CANCELLED", "0:15"), "2": ("COMPLETED", "0:0"),
                         "collect": ("FAILED", "3:0")}, (shown, cluster.logs())
        assert cancelled_after and slurmd_killed_during, (cancelled_after, slurmd_killed_during)

        # what the faults left: each student graded, not graded yet (*), or cut off mid-grading (!, the
        # kit's failure: at most one per stopped task), never a grade of a cut-off run
        left = states(sliced, slurm_db)
        waiting = {s for s, state in left.items() if state == State.UNGRADED}
        cut = {s for s in students if cut_off(sliced, s)}
        assert all(left[s] == State.NOT_GRADABLE for s in cut) and len(cut & set(shards[0])) <= 1 >= len(
            cut & set(shards[1])
        )
        ungraded = waiting | cut
        assert ungraded and ungraded <= set(shards[0]) | set(shards[1]), left
        assert not ungraded & set(shards[2]) and not ungraded & set(cancelled_after), left
        collected = (sliced / "outcomes" / f"slurm-{collect}.log").read_text()
        assert all(re.search(rf"^{s} +\*", collected, re.M) for s in waiting), collected
        assert all(re.search(rf"^{s} +!", collected, re.M) for s in cut), collected
        assert not cut or "its grading was cut off" in collected, collected
        print(
            "left by the faults:", {s: left[s].value + (" (cut off)" if s in cut else "") for s in students}, flush=True
        )
        before = {s: outcome_file(sliced, s).stat().st_mtime_ns for s in students if s not in ungraded}

        # the page's rerun, then the collect again
        again = "\n".join(["set -euo pipefail", f"export {DB_URL_VARIABLE}='{slurm_db}'", submit[1],
                           f"jobid=$({rerun})", submit[-1], 'echo "$jobid"'])
        started = time.monotonic()
        rerun_done = as_user(user, python, sliced, again, **cluster.env())
        assert rerun_done.returncode == 0, rerun_done.stdout + rerun_done.stderr
        collect_2, array_2 = rerun_done.stdout.split()[-2:]
        records_2 = cluster.wait_done(array_2, TIMEOUT) + cluster.wait_done(collect_2, TIMEOUT)
        shown_records += records_2
        timings["the rerun of tasks 0 and 1, to the collect's end"] = round(time.monotonic() - started, 1)
        assert {(r["JobState"], r["ExitCode"]) for r in records_2} == {("COMPLETED", "0:0")}, records_2
        for task in ("0", "1"):
            log = (sliced / "outcomes" / f"slurm-{array_2}_{task}.log").read_text()
            mine = len(ungraded & set(shards[int(task)]))
            assert f"shard {task}/{TASKS}: {mine} submissions" in log, log  # its own shard, only what it had not graded
            assert "graded with per-process limits only (no cgroup)" in log, log
        assert {s: outcome_file(sliced, s).stat().st_mtime_ns for s in before} == before, "graded twice"
        assert State.UNGRADED not in states(sliced, slurm_db).values()

        # the gradebook: exactly the single machine's, every grade cell; the table too
        plain = finish(single_run)
        timings["one machine, --jobs 2 (beside the Slurm run; at the latest)"] = round(
            time.monotonic() - single_started, 1)
        assert plain.returncode == 0, plain.stdout + plain.stderr
        assert test_scale.snapshot(single, single_db) == test_scale.snapshot(sliced, slurm_db)
        final = (sliced / "outcomes" / f"slurm-{collect_2}.log").read_text()
        assert printed_table(final) == printed_table(plain.stdout), final

        # the kit's failure is Slurm's FAILED, exit 3: a shard on a gradebook never prepared
        unprepared = postgres.create_database("unprepared")
        failing = as_user(user, python, sliced, f"export PATH=\"$PWD/.venv/bin:$PATH\"; sbatch --parsable --array=2 "
                          f"--export=ALL,{DB_URL_VARIABLE}='{unprepared}' {SCRIPT} {TASKS}", **cluster.env())
        assert failing.returncode == 0, failing.stderr
        (record,) = cluster.wait_done(failing.stdout.strip(), TIMEOUT)
        assert (record["JobState"], record["ExitCode"]) == ("FAILED", "3:0"), record

    completions = cluster.completions()
    print("\nwall times:", json.dumps(timings))
    print("scontrol show job:\n" + "\n".join(" ".join(f"{k}={r.get(k)}" for k in (
        "JobId", "ArrayJobId", "ArrayTaskId", "JobName", "JobState", "Reason", "ExitCode", "RunTime", "TimeLimit"))
        for r in shown_records))
    print("jobcomp:\n" + "\n".join(" ".join(f"{k}={line.get(k)}" for k in ("JobId", "Name", "JobState", "ExitCode",
                                                                              "StartTime", "EndTime", "ProcCnt"))
                                   for line in completions))
    # the job-completion log names every end (its ExitCode of a signalled job is 0:0, scontrol's 0:15)
    assert {c["JobState"] for c in completions} == {"TIMEOUT", "CANCELLED", "COMPLETED", "FAILED"}, completions
    assert ("FAILED", "3:0") in {(c["JobState"], c["ExitCode"]) for c in completions}, completions
