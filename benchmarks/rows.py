"""How `make bench` prints: each line as soon as it is measured, so that a later failure never
loses an earlier figure, and a row that cannot be measured says why in its place.

A section is a generator of lines (str) and rows (Row). A row is measured when the printer
reaches it; if its measurement raises, the row's place says "not measured" with the reason and
the section goes on. If the section itself raises, the rest of it says so and the next section
runs. Every failure is kept, so that the run exits KIT_FAILURE once everything was printed.
"""
import sys
from collections.abc import Callable, Iterable
from typing import NamedTuple, TextIO


class Row(NamedTuple):
    label: str  # printed first, measured or not
    measure: Callable[[], object]
    show: Callable[[object], str] = str  # the measured value as the rest of the line


def reason(error: BaseException) -> str:
    """An exception in one line: its type and its message's last non-empty line."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return type(error).__name__ + (f": {lines[-1]}" if lines else "")


class Printer:
    def __init__(self, out: TextIO | None = None):
        self.out = out or sys.stdout
        self.failures: list[str] = []

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def not_measured(self, label: str, error: BaseException) -> None:
        self.failures.append(f"{label.strip()}: {reason(error)}")
        self.say(f"{label}  not measured: {reason(error)}")

    def row(self, row: Row) -> None:
        try:
            value = row.measure()
        except Exception as error:  # noqa: BLE001 - said in the row's place; the run goes on
            self.not_measured(row.label, error)
        else:
            self.say(f"{row.label}{row.show(value)}")

    def section(self, items: Iterable[str | Row]) -> None:
        try:
            for item in items:
                self.row(item) if isinstance(item, Row) else self.say(item)
        except Exception as error:  # noqa: BLE001 - said in place; the next section runs
            self.not_measured("   (the rest of this section)", error)
        self.say()


def shared(measure: Callable[[], object]) -> Callable[[], object]:
    """`measure` run once for the sections that print its figures: each call returns its value, or
    raises its exception again (each of those sections then says why in its place)."""
    outcome: list = []

    def value():
        if not outcome:
            try:
                outcome.append((True, measure()))
            except Exception as error:  # noqa: BLE001 - raised again at every call
                outcome.append((False, error))
        ok, result = outcome[0]
        if not ok:
            raise result
        return result
    return value
