"""One grading worker: a process that holds one nbgrader API object and grades the submissions it is
sent, one at a time, until its input ends. Started and supervised by nnkit.batch.

Each outcome goes back to the batch as data over a pipe and is written to
outcomes/<assignment>/<student>.json (nnkit.states) before the next submission starts, so a
worker that crashes loses nothing it graded. Its own output (nbgrader's log, kernels' stderr) goes
to a log file, never to a pipe the batch reads.
"""
import json
import os
import sys
from pathlib import Path

from nnkit import exits


def grade_submission(api, root: Path, student: str, assignment: str):
    from nnkit import paths
    from nnkit.states import submitted_digest, write_outcome

    digest = submitted_digest(root, student, assignment)
    write_outcome(root, student, assignment, digest, False, "its grading was cut off", "interrupted")  # until replaced
    outcome = api.autograde(assignment, student)
    if not outcome.gradable:  # a graded copy left from an earlier run is not this submission's
        stale = paths.autograded(root, student, assignment)
        if stale.is_dir():
            import shutil
            shutil.rmtree(stale)
    write_outcome(root, student, assignment, digest, outcome.gradable, outcome.reason, outcome.cause)
    return outcome


def main(argv=None) -> int:
    """python -m nnkit.worker ROOT RESULTS_FD: tasks as JSON lines on stdin, outcomes as JSON lines on fd RESULTS_FD."""
    root, results_fd = (argv or sys.argv[1:])[:2]
    results = os.fdopen(int(results_fd), "w", buffering=1)
    from nnkit.autograde import CourseAPI

    api = CourseAPI(Path(root))
    for line in sys.stdin:
        student, assignment = json.loads(line)
        results.write(json.dumps(grade_submission(api, Path(root), student, assignment).as_dict()) + "\n")
    return exits.OK


if __name__ == "__main__":
    exits.run(main)
