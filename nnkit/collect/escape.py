"""Text a student controls (file, folder and student names, exception messages), made safe to show:
every control character (C0, DEL, C1: a terminal's escape sequences, a newline that forges a line)
and every byte of a name that is not UTF-8 (kept by Python as a lone surrogate, which no terminal,
file or page can encode) written as a visible escape, `\\x1b`, `\\n`, `\\udcff`. Printable text,
accents and CJK included, is left as it is. Why: docs/grading.md (Names and sizes a student controls).
"""
import re

UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")


def _visible(match: re.Match) -> str:
    return match.group(0).encode("unicode_escape", "backslashreplace").decode("ascii")


def escaped(text: str) -> str:
    """`text` with each character a terminal, a log or a page could act on written as its escape."""
    text = str(text)
    return UNSAFE.sub(_visible, text) if UNSAFE.search(text) else text


def shortened(text: str, most: int = 160) -> str:
    """`escaped`, its middle elided when longer than `most` characters: one line, however long the name."""
    text = escaped(text)
    return text if len(text) <= most else f"{text[:most // 2]}...{text[-most // 2:]}"


class EscapingStream:
    """A text stream (a log) that writes every line through `escaped`, its line ends kept: a file
    name or a message a student controls cannot forge a line or a terminal's state in it."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write("\n".join(map(escaped, str(text).split("\n"))))
        return len(text)

    def __getattr__(self, name):
        return getattr(self.stream, name)
