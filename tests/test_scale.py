"""Grading at class scale: several workers at once on one machine (SQLite), and workers on
disjoint shards of the students sharing one PostgreSQL gradebook, as a Slurm array runs them on
several machines. Either way the gradebook must end up exactly as a single worker leaves it:
no grade lost, none duplicated."""
import os
import shutil
import subprocess
import sys

import pytest

from nnkit.batch import shard
from nnkit.course import gradebook_problems, nbgrader_env, scratch_course
from nnkit.gradebook import DB_URL_VARIABLE, open_gradebook
from nnkit.mnist import COURSE_ROOT
from postgres import PostgresServer, server_bin
from scripts.make_submissions import DEMO_STUDENTS


def make_class(root, copies: int, assignments):
    """The demo class `copies` times over (blank, correct, seed, blank_2, ...), one broken notebook too."""
    scratch_course(root)
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
    command = [sys.executable, "-m", "nnkit.batch", "--course", str(root), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=True, **popen)


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


def test_shards_are_disjoint_cover_everyone_and_balance():
    students = [f"s{i}" for i in range(11)]
    shards = [shard(students, i, 3) for i in range(3)]
    assert sorted(s for part in shards for s in part) == sorted(students)
    assert {len(part) for part in shards} == {3, 4}


def test_a_shard_refuses_an_unprepared_gradebook(course):
    result = subprocess.run([sys.executable, "-m", "nnkit.batch", "--course", str(course), "--shard", "0/2"],
                            env=nbgrader_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and "--prepare" in result.stderr


def test_two_workers_on_one_machine_give_the_single_worker_gradebook(tmp_path):
    assignments = ["activations", "convolution"]
    single = make_class(tmp_path / "single", 2, assignments)
    double = make_class(tmp_path / "double", 2, assignments)
    flags = [f"--assignment={a}" for a in assignments]
    batch(single, *flags)
    out = batch(double, *flags, "--jobs", "2").stdout
    assert "2 workers" in out and "broken / activations" in out
    grades = snapshot(single)
    assert grades == snapshot(double)
    assert grades[("correct_1", "convolution", "test_conv_single")] == (1, 1)
    assert grades[("seed_1", "convolution", "test_conv_float32")][0] == 0
    assert not grades[("broken", "activations", "test_sigmoid_mnist")][0]  # could not be graded, in both


@pytest.fixture(scope="module")
def postgres():
    bin_dir = server_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server here (Debian's postgresql package; `make test` installs it as root)")
    server = PostgresServer(bin_dir).start()
    yield server
    server.stop()


def test_shards_on_a_postgresql_gradebook_give_the_single_worker_gradebook(tmp_path, postgres):
    """A real PostgreSQL server; the sharded run is the committed Slurm array script, run twice at
    once as Slurm runs the array's tasks (SLURM_ARRAY_TASK_ID 0 and 1 of 2)."""
    assignments = ["activations", "convolution", "backprop"]
    single, sharded = make_class(tmp_path / "single", 1, assignments), make_class(tmp_path / "sharded", 1, assignments)
    single_db, sharded_db = postgres.create_database("single"), postgres.create_database("sharded")

    batch(single, db_url=single_db)

    batch(sharded, "--prepare", db_url=sharded_db)
    env = nbgrader_env() | {DB_URL_VARIABLE: sharded_db, "SLURM_SUBMIT_DIR": str(sharded),
                            "SLURM_ARRAY_TASK_COUNT": "2", "SLURM_CPUS_PER_TASK": "1"}
    tasks = [subprocess.Popen(["bash", str(COURSE_ROOT / "cluster" / "autograde-shard.sbatch")],
                              env=env | {"SLURM_ARRAY_TASK_ID": str(i)}, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for i in range(2)]
    assert all(task.poll() is None for task in tasks), "the two shards run at the same time"
    outputs = [task.communicate(timeout=900)[0] for task in tasks]
    assert [task.returncode for task in tasks] == [0, 0], outputs
    assert "shard 0/2: 6 submissions" in outputs[0] and "shard 1/2: 4 submissions" in outputs[1], outputs
    collected = batch(sharded, "--collect", db_url=sharded_db).stdout

    assert not (single / "gradebook.db").exists() and not (sharded / "gradebook.db").exists()
    grades = snapshot(single, single_db)
    assert grades == snapshot(sharded, sharded_db)
    assert grades[("seed", "backprop", "test_backward_lr")] == (0, 2)
    assert "broken / activations" in collected and "correct        12/12        16/16     14/14  42/42" in collected


@pytest.mark.parametrize("reason, graded_again", [
    ("RuntimeError: Kernel died before replying to kernel_info", True),  # two kernels raced for a port
    ("sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database is locked", True),
    ("nbformat.reader.NotJSONError: Notebook does not appear to be JSON", False),  # the student's
])
def test_a_failure_that_is_never_the_students_is_graded_again_alone(monkeypatch, tmp_path, reason, graded_again):
    from nnkit import batch as batch_module

    (tmp_path / "submitted" / "s1" / "activations").mkdir(parents=True)
    monkeypatch.setattr(batch_module, "prepare", lambda assignments, root: None)
    calls = []

    def autograde(assignments, root, progress, among=None, threads=None):
        calls.append((assignments, sorted(among)))
        return [{"assignment": "activations", "student": "s1", "reason": reason}] if len(calls) == 1 else []

    monkeypatch.setattr(batch_module, "autograde_with_progress", autograde)
    summary = batch_module.run(["activations"], tmp_path)
    assert calls == [(["activations"], ["s1"])] * (2 if graded_again else 1)
    assert (summary["failures"] == []) == graded_again
