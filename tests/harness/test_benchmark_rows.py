"""benchmarks.rows: each line printed as soon as it is measured, a row that cannot be measured says
why in its place, and a failure anywhere makes `nnkit bench` exit KIT_FAILURE at the end."""
import io

import pytest

from benchmarks import suite as bench
from benchmarks.rows import Printer, Row, reason, shared
from nnkit import exits


def broken():
    raise ValueError("first line\nthe reason\n")


def test_a_row_that_cannot_be_measured_says_why_in_its_place_and_the_rows_after_it_print():
    out = io.StringIO()
    printer = Printer(out)
    printer.section(iter(["title", Row("   a: ", broken), Row("   b: ", lambda: 2.5, lambda v: f"{v:.1f} s")]))
    assert out.getvalue().splitlines() == ["title", "   a:   not measured: ValueError: the reason", "   b: 2.5 s", ""]
    assert printer.failures == ["a:: ValueError: the reason"]


def test_a_section_that_fails_part_way_keeps_what_it_printed_and_the_next_section_runs():
    def section():
        yield "kept"
        broken()
        yield "never"

    out = io.StringIO()
    printer = Printer(out)
    printer.section(section())
    printer.section(iter(["next"]))
    lines = out.getvalue().splitlines()
    assert lines[0] == "kept" and "not measured: ValueError: the reason" in lines[1] and "never" not in out.getvalue()
    assert lines[-2:] == ["next", ""] and len(printer.failures) == 1


def test_a_shared_measurement_runs_once_and_each_section_that_needs_it_fails_with_it():
    calls = []

    def measure():
        calls.append(1)
        broken()

    runs = shared(measure)
    for _ in range(2):
        with pytest.raises(ValueError):
            runs()
    assert len(calls) == 1
    assert shared(lambda: 7)() == 7


def test_reason_is_one_line_even_for_an_empty_message():
    assert reason(RuntimeError()) == "RuntimeError"
    assert reason(RuntimeError("a\n\n  b  \n")) == "RuntimeError: b"


def test_the_benchmark_prints_every_section_and_exits_kit_failure_when_a_row_failed(monkeypatch, capsys):
    monkeypatch.setattr(bench, "sections",
                        lambda size, only=(): [iter(["1. one", Row("   r ", broken)]), iter(["2. two"])])
    assert bench.main(["--smallest"]) == exits.KIT_FAILURE
    out = capsys.readouterr().out
    assert "1. one" in out and "2. two" in out and "1 rows not measured" in out
    monkeypatch.setattr(bench, "sections", lambda size, only=(): [iter(["1. one"])])
    assert bench.main([]) == exits.OK
