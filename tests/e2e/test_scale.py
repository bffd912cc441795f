"""Grading at class scale: several workers at once on one machine (SQLite), and workers on
disjoint shards of the students sharing one PostgreSQL gradebook, as a Slurm array runs them on
several machines. Either way the gradebook must end up exactly as a single worker leaves it:
no grade lost, none duplicated."""
import os
import shutil
import subprocess
import time

import pytest

from batches import run_batch, start_batch
from components import require
from nnkit.authoring.democlass import DEMO_STUDENTS, demo_score
from nnkit.batch.preparation import shard
from nnkit.gradebook.db import DB_URL_VARIABLE, open_gradebook
from nnkit.gradebook.scratch import scratch_course
from nnkit.kernel.config import COURSE_ROOT
from nnkit.testing import gradebook_problems, nbgrader_env
from postgres import PostgresServer, server_bin
from processes import Watch

pytestmark = pytest.mark.slow  # every test grades


def make_class(root, copies: int, assignments, own_gradebook=True):
    """The demo class `copies` times over (blank, correct, seed, blank_2, ...), one broken notebook too."""
    scratch_course(root, own_gradebook=own_gradebook)
    for copy in range(copies):
        for student in DEMO_STUDENTS:
            for assignment in assignments:
                shutil.copytree(COURSE_ROOT / "submitted" / student / assignment,
                                root / "submitted" / (student + (f"_{copy}" if copy else "")) / assignment)
    broken = root / "submitted" / "broken" / assignments[0] / f"{assignments[0]}.ipynb"
    broken.parent.mkdir(parents=True)
    broken.write_text("{ this is not a notebook")
    return root


def batch(root, *args, db_url=None, **popen):
    env = nbgrader_env()
    if db_url:
        env[DB_URL_VARIABLE] = db_url
    return run_batch(root, *args, env=env, check=True, **popen)


def snapshot(root, db_url=None) -> dict:
    """Every grade of the gradebook: {(student, assignment, cell): (score, max_score)}, plus the
    submissions as ("submission", student, assignment)."""
    saved = os.environ.get(DB_URL_VARIABLE)
    if db_url:
        os.environ[DB_URL_VARIABLE] = db_url
    try:
        grades = {}
        with open_gradebook(root) as gradebook:
            for assignment in gradebook.assignments:
                for submission in assignment.submissions:
                    grades[("submission", submission.student.id, assignment.name)] = submission.max_score
                    for notebook in submission.notebooks:
                        for grade in notebook.grades:
                            key = (submission.student.id, assignment.name, grade.name)
                            assert key not in grades, f"duplicated grade {key}"
                            grades[key] = (grade.score, grade.max_score)
        problems = gradebook_problems(root)
    finally:
        os.environ.pop(DB_URL_VARIABLE, None)
        if saved is not None:
            os.environ[DB_URL_VARIABLE] = saved
    assert problems == []
    return grades


def test_a_shard_refuses_an_unprepared_gradebook(course):
    result = run_batch(course, "--shard", "0/2")
    assert result.returncode != 0 and "--prepare" in result.stderr


def test_two_workers_on_one_machine_give_the_single_worker_gradebook(tmp_path):
    assignments = ["activations", "convolution"]
    single = make_class(tmp_path / "single", 1, assignments)
    double = make_class(tmp_path / "double", 1, assignments)
    flags = [f"--assignment={a}" for a in assignments]
    batch(single, *flags)
    process = start_batch(double, *flags, "--jobs", "2")
    watch = Watch(process.pid)
    out, err = process.communicate(timeout=900)
    watch.stop()
    assert process.returncode == 0, out + err
    # seen, not echoed: two worker processes, each with a kernel of its own at the same moment
    assert len(watch.workers) >= 2 and watch.most_grading >= 2, (watch.workers, watch.most_grading)
    assert "broken / activations" in out
    grades = snapshot(single)
    assert grades == snapshot(double)
    assert grades[("correct", "convolution", "test_conv_single")] == (1, 1)
    assert grades[("seed", "convolution", "test_conv_float32")][0] == 0
    assert ("broken", "activations", "test_sigmoid_mnist") not in grades  # could not be graded: no grades, in both


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer(server_bin(require("postgresql"))).start()
    yield server
    server.stop()


def test_shards_on_a_postgresql_gradebook_give_the_single_worker_gradebook(tmp_path, postgres):
    """A real PostgreSQL server; the sharded run is the committed Slurm array script, run twice at
    once as Slurm runs the array's tasks (SLURM_ARRAY_TASK_ID 0 and 1 of 2), and they are seen
    grading at the same time."""
    assignments = ["activations", "convolution"]
    single = make_class(tmp_path / "single", 1, assignments, own_gradebook=False)
    sharded = make_class(tmp_path / "sharded", 1, assignments, own_gradebook=False)
    single_db, sharded_db = postgres.create_database("single"), postgres.create_database("sharded")

    batch(single, db_url=single_db)

    batch(sharded, "--prepare", db_url=sharded_db)
    env = nbgrader_env() | {DB_URL_VARIABLE: sharded_db, "SLURM_SUBMIT_DIR": str(sharded),
                            "SLURM_ARRAY_TASK_COUNT": "2", "SLURM_CPUS_PER_TASK": "1"}
    tasks = [subprocess.Popen(["bash", str(COURSE_ROOT / "cluster" / "autograde-shard.sbatch")],
                              env=env | {"SLURM_ARRAY_TASK_ID": str(i)}, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for i in range(2)]
    students = sorted(p.name for p in (sharded / "submitted").iterdir())
    overlapped = False
    while any(task.poll() is None for task in tasks):
        done = {p.stem for p in (sharded / "outcomes").glob("*/*.json")}
        overlapped |= all(task.poll() is None for task in tasks) and all(
            done & set(shard(students, i, 2)) for i in range(2))
        time.sleep(0.1)
    outputs = [task.communicate(timeout=900)[0] for task in tasks]
    assert [task.returncode for task in tasks] == [0, 0], outputs
    assert overlapped, "the two shards never graded at the same time"
    assert "shard 0/2: 4 submissions" in outputs[0] and "shard 1/2: 3 submissions" in outputs[1], outputs
    collected = batch(sharded, "--collect", db_url=sharded_db).stdout

    assert not (single / "gradebook.db").exists() and not (sharded / "gradebook.db").exists()
    grades = snapshot(single, single_db)
    assert grades == snapshot(sharded, sharded_db)
    assert grades[("seed", "convolution", "test_conv_float32")][0] == 0
    full = [f"{demo_score('correct', a):g}/{demo_score('correct', a):g}" for a in assignments]
    assert "broken / activations" in collected and " ".join(["correct", *full]) in " ".join(collected.split())


def test_a_scratch_course_never_writes_into_a_shared_gradebook(tmp_path, postgres):
    """With NNKIT_DB_URL exported (as the cluster section says), a throwaway course (the tests',
    the self-check's) still has its own embedded gradebook."""
    shared = postgres.create_database("shared")
    root = make_class(tmp_path / "scratch", 1, ["activations"])
    batch(root, "--assignment", "activations", db_url=shared)
    from nbgrader.api import Gradebook

    from nnkit.kernel.config import COURSE_ID

    assert (root / "gradebook.db").exists() and snapshot(root)  # graded, into its own gradebook
    with Gradebook(shared, COURSE_ID) as server:
        assert server.students == [] and server.assignments == []
