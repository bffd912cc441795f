"""One grading worker: a process that holds one nbgrader API object and grades the submissions it is
sent, one at a time, until its input ends. Started and supervised by nnkit.batch.supervisor, which
writes each outcome it sends back (nnkit.gradebook.outcomes). Its own output (nbgrader's log, the
kernels' stderr) goes to a log file, never to a pipe the batch reads, escaped (a student's file
name or message in it is one line, with no control character: nnkit.collect.escape).
"""
import json
import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path

from nnkit import exits
from nnkit.collect import paths
from nnkit.collect.escape import EscapingStream
from nnkit.gradebook.outcomes import Outcome


def grade_submission(api, root: Path, student: str, assignment: str, digest: str) -> Outcome:
    """Grade one submission; `digest`, what the supervisor hashed before handing it out, goes with the outcome."""
    outcome = replace(api.autograde(assignment, student), submission=digest)
    if not outcome.gradable:  # a graded copy left from an earlier run is not this submission's
        stale = paths.autograded(root, student, assignment)
        if stale.is_dir():
            shutil.rmtree(stale)
    return outcome


def main(argv=None) -> int:
    """python -m nnkit.batch.worker ROOT RESULTS_FD: tasks [student, assignment, digest] as JSON lines on
    stdin, outcomes as JSON lines on fd RESULTS_FD."""
    root, results_fd = (argv or sys.argv[1:])[:2]
    sys.stdout, sys.stderr = EscapingStream(sys.stdout), EscapingStream(sys.stderr)  # before nbgrader's log is made
    results = os.fdopen(int(results_fd), "w", buffering=1)
    from nnkit.execution.autograde import CourseAPI

    api = CourseAPI(Path(root))
    for line in sys.stdin:
        student, assignment, digest = json.loads(line)
        results.write(json.dumps(grade_submission(api, Path(root), student, assignment, digest).as_dict()) + "\n")
    return exits.OK


if __name__ == "__main__":
    exits.run(main)
