"""The verdict on one recorded call: passed or not, and a message a student can act on.

Runs in the grader's process only (nnkit.judging.step). A record is hostile data: whatever it holds,
`judge` returns a verdict and never raises, so one malformed record never costs the other cells
their grades. The kit's own errors are not the student's: a KitError (the references disagree)
stops the grader loudly, and an unexpected error while comparing fails the check with a message that
blames the kit. The comparison is nnkit.judging.compare's, or the check an assignment's key names
for the case; a cause's hint (nnkit.kernel.case.CAUSES) is shown only when that cause failed.
"""
from functools import cache
from typing import NamedTuple

from nnkit.judging.compare import Wrong
from nnkit.judging.references import KitError, check_of, expected
from nnkit.kernel import limits
from nnkit.kernel import schema as records
from nnkit.kernel.codec import Malformed, decode, digest
from nnkit.kernel.course_cases import CASES
from nnkit.kernel.i18n import _


class Verdict(NamedTuple):
    passed: bool
    message: str
    review: str = ""  # set when the instructor should look at this check: the kit failed to judge it


def heading(case) -> str:
    return f"{case.function}: {_(case.what)}"


def judge(record) -> Verdict:
    """The verdict on a record as received (JSON: nnkit.kernel.schema)."""
    case = CASES.get(records.case_of(record))
    if case is None:
        return Verdict(False, _("a check the kit does not know was recorded: the record is not the grader's"))
    try:
        problems, detail = assess(case, records.parse(record))
    except Malformed as malformed:
        problems, detail = (
            [(None, _("the grader could not read what this check recorded: {why}").format(why=malformed))],
            "",
        )
    except KitError:
        raise
    except Exception as error:  # a bug of the kit's; the student loses this check only, and it is reviewed
        return Verdict(
            False,
            heading(case)
            + "\n  "
            + _(
                "the grader could not judge this answer: an error in the kit, "
                "not in your code; your instructor will review it"
            ),
            review=f"the judge failed on {case.name}: {type(error).__name__}: {error}"[:300],
        )
    if problems:
        return Verdict(
            False, heading(case) + "".join(f"\n  {text}" for _cause, text in problems) + hints(case, problems)
        )
    return Verdict(True, heading(case) + "\n  " + _("passed") + detail)


def hints(case, problems: list) -> str:
    """The case's hint for each cause that failed (nnkit.kernel.case.CAUSES), each once, and no other."""
    shown = []
    for cause, _text in problems:
        hint = case.hint(cause) if cause else ""
        if hint and hint not in shown:
            shown.append(hint)
    return "".join("\n  " + _("Hint: {hint}").format(hint=_(hint)) for hint in shown)


def assess(case, record: records.Record) -> tuple[list[tuple[str | None, str]], str]:
    """([(cause, problem)...], detail when right). A cause is one of nnkit.kernel.case.CAUSES, or None
    where no hint of the case can fit (an answer not written yet, a forbidden import, a record the
    grader cannot read)."""
    if isinstance(record, records.Oversized):  # the grader dropped it on arrival (nnkit.execution.execute)
        if record.left is not None:
            raise Malformed(
                _(
                    "the answer was too large to record ({size:.1f} MiB): the records of a notebook may take "
                    "{limit} MiB together, and {left:.1f} MiB were left"
                ).format(
                    size=record.oversized / 2**20,
                    limit=limits.RECORDS_BYTES_PER_NOTEBOOK // 2**20,
                    left=record.left / 2**20,
                )
            )
        raise Malformed(_("the answer was too large to record ({size:.1f} MiB; the limit is {limit} MiB)").format(
            size=record.oversized / 2**20, limit=limits.RECORD_BYTES // 2**20))
    if isinstance(record, records.Repeated):  # nnkit.judging.step fails the case before; never judged alone
        raise Malformed(_("the check was recorded more than once"))
    if record.input_digest != case_digest(case.name):
        return [
            (None, _("the check ran on other inputs than the grader's: the kit's files were changed in this notebook"))
        ], ""
    error = record.exception
    if error is not None:
        cause = None if not_written(error) or error.type == "ModuleNotFoundError" else "exception"
        return [(cause, exception_problem(error))], ""
    problems = []
    numeric = [w for w in record.warnings if w.numeric]
    if numeric:  # other warnings (deprecations...) are noise, not a wrong answer
        problems.append(("warning", _("your function emitted warnings: {warnings}").format(warnings="; ".join(
            f"{w.category[:60]}: {w.message[:200]}" for w in numeric[:3]))))
    mutated = [name[:40] for name in record.mutated]
    if mutated:
        names = ", ".join(f"`{name}`" for name in mutated)
        problems.append(("modified", _("your function modified its input {names}; compute a new array instead "
                                       "(e.g. no in-place `x[x < 0] = 0`, `w -= ...`)").format(names=names)))
    detail = ""
    if record.result is None:
        raise Malformed(_("no answer was recorded"))
    try:
        detail = check_of(case)(decode(record.result), case, expected(case.name))
    except Wrong as wrong:
        problems.append((wrong.cause, str(wrong)))
    return problems, detail


@cache
def case_digest(name: str) -> str:
    return digest(CASES[name].make_args())


def not_written(error: records.Raised) -> bool:
    return error.type == "NotImplementedError" and not error.message


def forbidden_import(message: str) -> str:
    """ModuleNotFoundError's message, as the student should read it: only NumPy (and the standard
    library, Matplotlib) can be imported while the hidden tests run."""
    module = message.removeprefix("No module named ").strip("'\"").split(".")[0] or "that module"
    return _("NumPy only: {module} is not available when grading (your function raised ModuleNotFoundError: "
             "{message})").format(module=module, message=message)


def exception_problem(error: records.Raised) -> str:
    if not_written(error):
        return _("not written yet: replace `raise NotImplementedError()` with your code")
    if error.type == "ModuleNotFoundError":
        return forbidden_import(error.message)
    message, kind = error.message[:500], error.type[:100]
    return _("your function raised {kind}: {message}").format(kind=kind, message=message) if message else \
        _("your function raised {kind}").format(kind=kind)
