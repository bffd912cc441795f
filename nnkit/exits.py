"""The exit codes of every command of the kit, defined once: a script or a CI job tells a student's
result from the kit's own failure by the code alone (what each means for each command:
docs/state.md, Exit codes). `run(main)` is every command's entry point: it exits with `main()`'s
code and turns any exception that escapes the kit into KIT_FAILURE with its traceback, so a crash
never reads as "loses points"; a `KitFailure` exits KIT_FAILURE with its one line. Whose a failure
of grading is, is its cause (nnkit.gradebook.outcomes.STUDENT_CAUSES), not its text.
"""
import sys
import traceback
from collections.abc import Callable

OK = 0  # the command did its job (every state the student's doing; full marks; no unexplained survivor)
POINTS_LOST = 1  # judged and found wanting: the self-check's notebook, `try`'s variant, a mutant survivor
CANNOT_CHECK = 2  # the input cannot be judged (not a notebook, a bad argument), and the message says why
KIT_FAILURE = 3  # the kit failed, not the student: one line per cause


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
