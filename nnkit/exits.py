"""The exit codes of every command of the kit, defined once: a script or a CI job tells a student's
result from the kit's own failure by the code alone (what each means for a command: its
--help, written by `epilog`). `run(main)` is every command's entry point: it exits with `main()`'s
code and turns any exception that escapes the kit into KIT_FAILURE with its traceback, so a crash
never reads as "loses points"; a `KitFailure` exits KIT_FAILURE with its one line. Whose a failure
of grading is, is its cause (nnkit.gradebook.outcomes.STUDENT_CAUSES), not its text.
"""
import argparse
import sys
import textwrap
import traceback
from collections.abc import Callable

OK = 0  # the command did its job (every state the student's doing; full marks; no unexplained survivor)
POINTS_LOST = 1  # judged and found wanting: the self-check's notebook, `try`'s variant, a mutant survivor
CANNOT_CHECK = 2  # the input cannot be judged (not a notebook, a bad argument), and the message says why
KIT_FAILURE = 3  # the kit failed, not the student: one line per cause
NAMES = {OK: "OK", POINTS_LOST: "POINTS_LOST", CANNOT_CHECK: "CANNOT_CHECK", KIT_FAILURE: "KIT_FAILURE"}


def epilog(ok: str, points_lost: str | None = None, cannot_check: str = "a bad argument",
           kit_failure: str = "the kit failed, not the student: one line per cause (a crash: its traceback)") -> str:
    """The exit codes a command's --help lists, with what each means for that command (a code it
    never returns: None). The numbers and names are this module's."""
    meanings = {OK: ok, POINTS_LOST: points_lost, CANNOT_CHECK: cannot_check, KIT_FAILURE: kit_failure}
    return "exit codes (nnkit.exits):\n" + "\n".join(
        textwrap.fill(meaning, 100, initial_indent=f"  {code} {NAMES[code]:<13}", subsequent_indent=" " * 17)
        for code, meaning in meanings.items() if meaning)


def command_parser(prog: str, description: str, **meanings: str | None) -> argparse.ArgumentParser:
    """A command's parser whose --help (and each of its subcommands') ends with `epilog(**meanings)`;
    a subcommand's --help starts with its help line."""
    listed = epilog(**meanings)

    class Parser(argparse.ArgumentParser):
        def __init__(self, **kwargs):
            super().__init__(**{"epilog": listed, "formatter_class": argparse.RawDescriptionHelpFormatter, **kwargs})

        def add_subparsers(self, **kwargs):
            action = super().add_subparsers(**kwargs)
            add = action.add_parser
            action.add_parser = lambda name, **options: add(name, **{"description": options.get("help"), **options})
            return action

    return Parser(prog=prog, description=description)


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
