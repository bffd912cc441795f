"""Before grading: the class's submissions and shards, the gradebook prepared (assignments entered
from source/, students added, so that workers only update rows), and the refusals (no sandbox, hard
links unprotected) and notices (per-process limits only) that come before any grading.
"""
import json
import os
import sys
from pathlib import Path

from nnkit import exits
from nnkit.batch import locks
from nnkit.collect import paths
from nnkit.gradebook.db import open_gradebook
from nnkit.gradebook.outcomes import submission_digest
from nnkit.sandbox import state_folders


def submissions(assignment: str, root: Path, among=None) -> list[str]:
    """The students who submitted an assignment (only those `among` the given ones, if given)."""
    return [student for student in paths.students(root)
            if (among is None or student in among) and paths.submitted(root, student, assignment).is_dir()]


def all_students(assignments: list[str], root: Path) -> list[str]:
    return sorted({student for assignment in assignments for student in submissions(assignment, root)})


def shard(students: list[str], index: int, count: int) -> list[str]:
    """Shard `index` of `count` (0-based): every count-th student of the sorted list. The shards
    are disjoint, cover every student, and differ in size by one at most."""
    return sorted(students)[index::count]


def prepare(assignments: list[str], root: Path) -> None:
    """Enter the assignments (from source/, whatever state release/ is in) and the students of
    submitted/ in the gradebook, so that workers running at once only ever update rows, never race
    to create the same one. An assignment whose source notebook is unchanged since it was last
    entered in this gradebook is not entered again (outcomes/entered.json holds their digests, by
    the gradebook's URL without its password). Two preparations run one after the other."""
    with locks.preparing(root):
        enter(assignments, root)


def enter(assignments: list[str], root: Path) -> None:
    from nnkit.execution.autograde import CourseAPI
    from nnkit.gradebook.db import db_label

    record = state_folders.course_state(root) / "entered.json"
    entered = json.loads(record.read_text()) if record.is_file() else {}
    with open_gradebook(root) as gradebook:
        known = {a.name for a in gradebook.assignments}
    api = None
    for assignment in assignments:
        key, digest = f"{db_label(root)} {assignment}", source_digest(root, assignment)
        if assignment in known and entered.get(key) == digest:
            continue
        api = api or CourseAPI(root)
        api.enter_assignment(assignment)
        entered[key] = digest
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(entered, indent=1))
    with open_gradebook(root) as gradebook:
        known = {s.id for s in gradebook.students}
        for student in all_students(assignments, root):
            if student not in known:
                gradebook.add_student(student)


def source_digest(root: Path, assignment: str) -> str:
    return submission_digest(paths.source(root, assignment))


def unprepared(assignments: list[str], root: Path) -> list[str]:
    with open_gradebook(root) as gradebook:
        known = {a.name for a in gradebook.assignments}
    return [a for a in assignments if a not in known]


def require_sandbox() -> None:
    """Refuse to grade student code bare unless told to (--no-sandbox, for code you trust), or where a
    student's hard link could reach a file they may not read."""
    from nnkit.collect.nofollow import hardlinks_unprotected
    from nnkit.sandbox import bwrap

    if not os.environ.get(bwrap.OPT_OUT_VARIABLE) and bwrap.unavailable():
        raise exits.KitFailure(f"refusing to grade: no sandbox for student code: {bwrap.unavailable()}")
    # nnkit.collect.nofollow: a hard link would give a student another file's bytes
    unprotected = hardlinks_unprotected()
    if unprotected:
        raise exits.KitFailure(f"refusing to grade: {unprotected}")


def announce_limits(stream=None) -> None:
    """Remove the cgroups a crashed grader left; say once when the kernels get per-process limits only
    (no cgroup can be had here: docs/grading.md). Not a failure: grading goes on."""
    from nnkit.sandbox import bwrap, cgroups

    if os.environ.get(bwrap.OPT_OUT_VARIABLE):
        return
    cgroups.sweep()
    if cgroups.probe():
        print(f"{cgroups.PER_PROCESS_ONLY}: {cgroups.probe()}", file=stream or sys.stderr, flush=True)
    else:
        cgroups.share_parent()  # the workers make their groups where this batch sweeps
