"""What a student names, shown (nnkit/collect/escape.py): no control character, no byte that is not
UTF-8 reaches a terminal, a log or a page; printable text stays as it is."""
import io

from nnkit.collect.escape import EscapingStream, escaped, shortened

CONTROL = [chr(c) for c in [*range(0x20), *range(0x7f, 0xa0)]] + ["\u2028", "\u2029"]


def test_every_control_character_and_undecodable_byte_is_shown_as_its_escape():
    hostile = "".join(CONTROL) + "\udcff"
    shown = escaped(hostile)
    assert shown.isprintable() and shown.isascii() and "\\x1b" in shown and "\\n" in shown and "\\udcff" in shown
    shown.encode("utf-8")  # a lone surrogate would raise here


def test_printable_text_is_left_as_it_is():
    text = "o'brien, jr [ab]*? é 日本 \\x1b"
    assert escaped(text) == text


def test_a_long_name_is_one_short_line():
    shown = shortened("d" * 5000 + "\n")
    assert len(shown) < 200 and shown.endswith("\\n") and "..." in shown


def test_a_log_keeps_its_lines_and_escapes_the_rest():
    out = io.StringIO()
    EscapingStream(out).write("Copying a\x1b[2J.txt -> b\ntwo\r\n")
    assert out.getvalue() == "Copying a\\x1b[2J.txt -> b\ntwo\\r\n"
