"""The record: what a hidden test publishes from the student's kernel for the grader, one schema.

nnkit.kernel.record builds a `CallRecord` and publishes it (`bundle`), nnkit.execution.execute keeps it
or an `Oversized` / `Repeated` stub in its place, nnkit.judging.step finds it (`record_in`) and
nnkit.judging.judge reads it (`parse`). It travels as a display output of MIME type `MIME`: JSON whose
keys are one kind's fields (`as_data`), the answer encoded by nnkit.kernel.codec. The class names
never travel: only the fields do. A record is hostile data: `parse` returns a record of the right
kind, every field of its type, or raises codec.Malformed (a failed check, never a kit crash).
"""
from dataclasses import MISSING, dataclass, fields
from types import NoneType, UnionType
from typing import get_args, get_origin, get_type_hints

from nnkit.kernel.codec import Malformed
from nnkit.kernel.i18n import _

MIME = "application/vnd.nnkit.record+json"


@dataclass(frozen=True)
class Raised:
    """An exception the student's function raised: its type's name and its message (both cut short)."""
    type: str
    message: str


@dataclass(frozen=True)
class Warned:
    """A warning the function emitted; `numeric` for a RuntimeWarning (overflow, division by zero...)."""
    category: str
    message: str
    numeric: bool


@dataclass(frozen=True)
class CallRecord:
    """What record() saw when it called the function: the answer (nnkit.kernel.codec's encoding) or the
    exception, the warnings, the inputs it modified, the digest of the inputs it was given, the
    seconds the call took."""
    case: str
    input_digest: str | None = None
    exception: Raised | None = None
    result: object = None
    seconds: float | None = None
    warnings: tuple[Warned, ...] = ()
    mutated: tuple[str, ...] = ()


@dataclass(frozen=True)
class Oversized:
    """The stub nnkit.execution.execute keeps instead of a record too large to keep: its size, and what was
    left of the notebook's budget for records when that is what it broke (None: over RECORD_BYTES)."""
    case: str
    oversized: int
    left: int | None = None


@dataclass(frozen=True)
class Repeated:
    """The stub nnkit.execution.execute keeps for a case's second record in one cell."""
    case: str
    repeated: bool = True


Record = CallRecord | Oversized | Repeated
KINDS = (CallRecord, Oversized, Repeated)
PARTS = (Raised, Warned)  # the kinds a record holds inside it


# Bound at import, as nnkit.kernel.record's are: the kernel builds its record with these after the student's
# code has run, and a student cell that reassigns a builtin does not change what is recorded.
_isinstance, _getattr, _tuple = isinstance, getattr, tuple


def as_data(value):
    """A record (or a part of one) as the JSON the display output carries: its fields in order."""
    if _isinstance(value, KINDS + PARTS):
        return {name: as_data(_getattr(value, name)) for name in value.__dataclass_fields__}
    if _isinstance(value, _tuple):
        return [as_data(item) for item in value]
    return value


def bundle(record: dict) -> dict:
    """The display data that carries a record (as_data's form): the record, and a line for anyone
    who looks at the notebook."""
    return {MIME: record, "text/plain": f"recorded {record.get('case')} for the grader"}


def holds_record(data) -> bool:
    """Whether an output's data (its MIME bundle) carries something under the record's MIME type."""
    return isinstance(data, dict) and MIME in data


def record_in(data):
    """What an output's data carries under the record's MIME type (None: nothing)."""
    return data.get(MIME) if isinstance(data, dict) else None


def without_record(data: dict) -> dict:
    """An output's data with the record's MIME type removed: what remains is ordinary output."""
    return {key: value for key, value in data.items() if key != MIME}


def case_of(record) -> str | None:
    """The case a record names, whatever else it holds (None: it names none)."""
    case = record.get("case") if isinstance(record, dict) else None
    return case if isinstance(case, str) else None


def parse(record) -> Record:
    """The record in `record` (JSON as received), of its kind, or Malformed with the reason."""
    if not isinstance(record, dict):
        raise Malformed(_("the record is {got}, not a dict").format(got=type(record).__name__))
    if "oversized" in record:
        return _build(Oversized, record)
    if "repeated" in record:
        return _build(Repeated, record)
    return _build(CallRecord, record)


def _build(kind, record: dict):
    """An instance of `kind` from its JSON: each field checked against its annotation."""
    hints, values = get_type_hints(kind), {}
    for f in fields(kind):
        if f.name in record:
            values[f.name] = _checked(hints[f.name], record[f.name], f.name)
        elif f.default is MISSING:  # a field without a default is required
            raise Malformed(_("its {name} is missing").format(name=f.name))
    return kind(**values)


def _checked(hint, value, name: str):
    """`value` as the annotation `hint` says (str, int, float, bool, a part, a tuple of them, or
    None where the annotation allows it), or Malformed. JSON has no tuples (a list stands for
    one), and an int is a float (but a bool is no number)."""
    if hint is object:  # the answer: nnkit.kernel.codec reads it, as hostile as the rest
        return value
    if isinstance(hint, UnionType):
        if value is None and NoneType in get_args(hint):
            return None
        (hint,) = [h for h in get_args(hint) if h is not NoneType]
    if get_origin(hint) is tuple:
        return tuple(_checked(get_args(hint)[0], item, name) for item in _checked(list, value, name))
    if hint in PARTS:
        return _build(hint, _checked(dict, value, name))
    kinds = (int, float) if hint is float else (hint,)
    if isinstance(value, kinds) and (hint is bool or not isinstance(value, bool)):
        return value
    raise Malformed(
        _("its {name} is {got}, not {kind}").format(name=name, got=type(value).__name__, kind=hint.__name__)
    )


KEYS = frozenset(f.name for kind in KINDS + PARTS for f in fields(kind))  # every key a record's JSON may hold
