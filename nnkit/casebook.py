"""How an assignment states its hidden-test cases: the `Case` record and the `@case` decorator.

An assignment's `assignments/<name>/cases.py` (kernel side: the grading kernel imports it to build
the inputs) declares each case with `@case(...)` on a function that builds its arguments; the
decorator registers it under the function's name, for the assignment of its module. Cases are
found through nnkit.cases, which imports every assignment's cases module in course order.

Because the grading kernel imports it, a cases module holds nothing a student must not see: the
references are in the assignment's `key/`, which the sandbox never shows. Each case is used by
exactly one hidden-test cell of the assignment's source notebook (tests/test_notebooks.py checks).

The texts a student reads (`what`, `hint`) are marked for translation with `N_` (nnkit.i18n) and
translated where they are shown.
"""
from dataclasses import dataclass, field
from typing import Callable

REGISTRY: dict[str, "Case"] = {}


class CaseError(RuntimeError):
    """An assignment's cases are declared wrongly: the kit's author's error, never a student's."""


@dataclass(frozen=True)
class Case:
    name: str
    assignment: str
    functions: tuple[str, ...]  # the student's functions it calls; the first is the one under test
    what: str  # the input, in words a student can act on (shown in the feedback)
    make_args: Callable[[], list[tuple[str, object]]]  # positional arguments, named for messages
    hint: str = ""  # what a failure on this case usually means
    returns: tuple[str, ...] = ()  # the names of the values a function returns as a tuple, for messages
    check: str = "values"  # how the judge compares the answer: "values", or a check of the assignment's key
    call: Callable | None = field(default=None, compare=False)  # (functions, args) -> answer; default f(*args)

    @property
    def function(self) -> str:
        return self.functions[0]

    def run(self, functions: tuple, args: list):
        """Call the student's function(s) on the arguments (copies, made by the caller)."""
        if self.call is not None:
            return self.call(functions, args)
        return functions[0](*args)


def case(function: str | tuple[str, ...], what: str, hint: str = "", **options):
    """Register the decorated argument builder as a case of its module's assignment."""
    functions = (function,) if isinstance(function, str) else tuple(function)

    def register(make_args):
        module = make_args.__module__.split(".")
        if len(module) < 3 or module[0] != "assignments" or module[-1] != "cases":
            raise CaseError(f"{make_args.__qualname__}: cases live in assignments/<name>/cases.py, not {make_args.__module__}")
        name = make_args.__name__
        if name in REGISTRY:
            raise CaseError(f"two cases named {name} (in {REGISTRY[name].assignment} and {module[1]}): names are unique in the course")
        REGISTRY[name] = Case(name, module[1], functions, what, make_args, hint, **options)
        return make_args
    return register
