"""The exit codes of every command of the kit, defined once. A script or a CI job can tell a
student's result from the kit's own failure by the code alone:

| code | name | meaning |
| --- | --- | --- |
| 0 | OK | the command did its job: every submission has a state that reflects the student's work (graded, to review for the student's own crash, timeout or flagged answer, or not gradable for the student's own reason: a broken, empty or renamed notebook, metadata nbgrader rejects); the self-check or `try` found full marks; the mutation report found no unexplained survivor |
| 1 | POINTS_LOST | the work was judged and found wanting: the self-check's notebook, or `try`'s variant, loses points; the mutation report has an unexplained survivor or a stale entry |
| 2 | CANNOT_CHECK | the input cannot be judged, and the message says why: no notebook, not a notebook, a renamed one, a bad argument (argparse uses 2 too) |
| 3 | KIT_FAILURE | the kit failed, not the student: a kernel that cannot start in its sandbox, a permission, a locked or missing gradebook, a worker that died, a crash of the kit itself; one line per cause is printed |

`run(main)` is every command's entry point: it exits with `main()`'s code, and turns any exception
that escapes the kit into KIT_FAILURE with its traceback, so that a crash never reads as
"loses points"; a `KitFailure` (the kit cannot work here, and says why in one line) exits
KIT_FAILURE with that line alone. A submission that could not be graded for a reason that is not
the student's is told apart by its cause (`nnkit.gradebook.outcomes.STUDENT_CAUSES`), not by its text.

`make` itself exits 2 whenever a command fails, and names the command's own code in its last line
(`make: *** [Makefile:NN: demo] Error 3`): for the code as a number, run the command behind the
make target (`python -m scripts.demo`, `python -m nnkit.batch.cli`, `python -m nnkit.batch.selfcheck`).
"""
import sys
import traceback
from typing import Callable

OK = 0
POINTS_LOST = 1
CANNOT_CHECK = 2
KIT_FAILURE = 3


class KitFailure(Exception):
    """The kit cannot do its job here, for a reason its message gives in one line (no sandbox, a
    gradebook that cannot be opened, a permission): `run` prints it, with no traceback, and exits
    KIT_FAILURE."""


def run(main: Callable[[], int]) -> None:
    """Exit with `main()`'s code; an exception that escapes it is the kit's failure."""
    try:
        code = main()
    except KitFailure as failure:
        print(f"error: {failure}", file=sys.stderr)
        code = KIT_FAILURE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        code = 130
    except SystemExit:
        raise
    except BaseException:  # noqa: BLE001 - the kit's own crash, reported as such
        traceback.print_exc()
        print("the kit failed (not the student's work): see the traceback above", file=sys.stderr)
        code = KIT_FAILURE
    sys.exit(code)
