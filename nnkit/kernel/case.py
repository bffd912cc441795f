"""How an assignment states its hidden-test cases: the `Case` record and the `@case` decorator.

An assignment's `assignments/<name>/cases.py` declares each case with `@case(...)` on the function
that builds its arguments, a list of (name, value) pairs: those named in `keywords` are passed by
name, the others by position (`Case.apply`), to the student's function, the reference and torch's
version alike. `hints` maps a cause of failure (CAUSES) to what it usually means on this case; the
texts a student reads are marked with `N_` (nnkit.kernel.i18n). nnkit.kernel.course_cases collects
the declared cases. The grading kernel imports cases modules, so they hold nothing secret (the
references are in `key/`). How to write one: docs/authoring.md.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

# What can fail in an answer, each a cause a hint may be attached to: the values (within tolerance),
# the dtype, the shape (or the form: a tuple of the wrong length, None), an input the function
# modified, an exception it raised, a numeric warning it emitted.
CAUSES = ("values", "dtype", "shape", "modified", "exception", "warning")


class CaseError(RuntimeError):
    """An assignment's cases are declared wrongly: the kit's author's error, never a student's."""


@dataclass(frozen=True)
class Case:
    name: str
    assignment: str
    functions: tuple[str, ...]  # the student's functions it calls; the first is the one under test
    what: str  # the input, in words a student can act on (shown in the feedback)
    make_args: Callable[[], list[tuple[str, object]]]  # the arguments, named for messages and for `keywords`
    hints: dict = field(default_factory=dict, compare=False)  # {cause: what a failure of that kind usually means}
    returns: tuple[str, ...] = ()  # the names of the values a function returns as a tuple, for messages
    check: str = "values"  # how the judge compares the answer: "values", or a check of the assignment's key
    keywords: tuple[str, ...] = ()  # the arguments passed by name; the others by position
    call: Callable | None = field(default=None, compare=False)  # (functions, args) -> answer; default Case.call

    @property
    def function(self) -> str:
        return self.functions[0]

    def split(self, args: list) -> tuple[list, dict]:
        """(positional values, {name: value}) of the arguments, as they are passed."""
        named = {name: value for name, value in args if name in self.keywords}
        if len(named) != len(self.keywords):
            raise CaseError(f"case {self.name}: keywords {sorted(set(self.keywords) - set(named))} are not among "
                            f"its arguments {[name for name, _ in args]}")
        return [value for name, value in args if name not in self.keywords], named

    def apply(self, function: Callable, args: list, *before):
        """`function(*before, *positional, **named)`: any function called with this case's arguments
        (the student's, the reference, torch's version, a cross-check given the answer first)."""
        positional, named = self.split(args)
        return function(*before, *positional, **named)

    def run(self, functions: tuple, args: list):
        """Call the student's function(s) on the arguments (copies, made by the caller)."""
        if self.call is not None:
            return self.call(functions, args)
        return self.apply(functions[0], args)

    def hint(self, cause: str) -> str:
        return self.hints.get(cause, "")


def case(function: str | tuple[str, ...], what: str, hints: dict | None = None, **options):
    """Declare the decorated argument builder a case of its module's assignment (collected by
    nnkit.kernel.course_cases)."""
    functions = (function,) if isinstance(function, str) else tuple(function)
    hints = dict(hints or {})
    if "hint" in options:
        raise CaseError(
            f"{what!r}: a hint belongs to a cause of failure: hints={{cause: text}}, cause one of {', '.join(CAUSES)}"
        )
    if set(hints) - set(CAUSES):
        raise CaseError(f"{what!r}: hints for {sorted(set(hints) - set(CAUSES))}: the causes are {', '.join(CAUSES)}")
    options["keywords"] = tuple(options.get("keywords", ()))
    options["returns"] = tuple(options.get("returns", ()))

    def declare(make_args):
        module = make_args.__module__.split(".")
        if len(module) < 3 or module[0] != "assignments" or module[-1] != "cases":
            raise CaseError(
                f"{make_args.__qualname__}: cases live in assignments/<name>/cases.py, not {make_args.__module__}"
            )
        make_args.declared_case = Case(make_args.__name__, module[1], functions, what, make_args, hints, **options)
        return make_args
    return declare
