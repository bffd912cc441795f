"""What record() publishes from the student's kernel (nnkit.kernel.record): one call of the student's
function on copies of the case's inputs, every fact of it in the schema's form, nothing decided."""
import numpy as np

from assignments.activations.key import solution as A
from nnkit.judging.judge import judge
from nnkit.kernel import record as record_module
from nnkit.kernel.codec import decode, digest
from nnkit.kernel.course_cases import CASES
from nnkit.kernel.record import run_case
from nnkit.kernel.schema import MIME, CallRecord, parse


def verdict(case, function):
    return judge(run_case(case, function))


def test_the_record_holds_the_answer_and_the_digest_of_the_inputs_the_grader_rebuilds():
    made = parse(run_case("relu_mnist", A.relu))
    (x,) = [value for _, value in CASES["relu_mnist"].make_args()]
    assert isinstance(made, CallRecord) and made.case == "relu_mnist"
    assert made.input_digest == digest(CASES["relu_mnist"].make_args())
    assert np.array_equal(decode(made.result), np.maximum(x, 0))
    assert made.exception is None and made.mutated == () and made.warnings == () and made.seconds >= 0


def test_an_exception_is_data_with_its_type_and_message_cut_short():
    def raises(x):
        raise ValueError("no" * 1000)

    made = parse(run_case("relu_mnist", raises))
    assert made.exception.type == "ValueError" and len(made.exception.message) == 500 and made.result is None


def test_an_input_modified_in_place_is_named_and_the_cases_own_inputs_are_untouched():
    def relu_in_place(x):
        x[x < 0] = 0
        return x

    assert parse(run_case("relu_mnist", relu_in_place)).mutated == ("x",)
    assert parse(run_case("relu_mnist", A.relu)).mutated == ()


def test_numeric_warnings_are_raised_and_other_warnings_recorded_as_not_numeric():
    import warnings

    def deprecated(x):
        warnings.warn("old", DeprecationWarning, stacklevel=1)
        return A.relu(x)

    overflowing = parse(run_case("sigmoid_extremes", lambda x: 1 / (1 + np.exp(-x))))
    assert overflowing.exception.type == "FloatingPointError"  # np.errstate(over="raise") around the call
    (warned,) = parse(run_case("relu_mnist", deprecated)).warnings
    assert (warned.category, warned.message, warned.numeric) == ("DeprecationWarning", "old", False)


def test_record_publishes_the_record_under_its_mime_type(monkeypatch):
    published = []
    monkeypatch.setattr(record_module, "_publish", published.append)
    record_module.record("relu_mnist", A.relu)
    (data,) = published
    assert parse(data[MIME]).case == "relu_mnist" and "relu_mnist" in data["text/plain"]


def test_patching_what_record_uses_hides_nothing(monkeypatch):
    """A student cell can reassign module attributes before the hidden tests run; what record()
    reports does not depend on them (it bound its functions when the kernel started)."""
    import contextlib
    import copy
    import hashlib
    import warnings

    monkeypatch.setitem(vars(np), "array_equal", lambda *a, **k: True)
    monkeypatch.setitem(vars(np), "errstate", lambda **k: contextlib.nullcontext())
    monkeypatch.setattr(copy, "deepcopy", lambda value, *a: value)
    monkeypatch.setattr(hashlib, "sha256", lambda *a: hashlib.md5(b""))
    monkeypatch.setattr(warnings, "catch_warnings", lambda **k: contextlib.nullcontext([]))

    def relu_in_place(x):
        x[x < 0] = 0
        return x

    assert "modified its input `x`" in verdict("relu_mnist", relu_in_place).message
    assert "overflow" in verdict("sigmoid_extremes", lambda x: 1 / (1 + np.exp(-x))).message


