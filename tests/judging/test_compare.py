"""An answer against the reference (nnkit.judging.compare): every form of a right answer passes, a
wrong one says what is wrong (shape, dtype, values) with a cause that picks the case's hint, and
values within the dtype's tolerance agree."""
import numpy as np
import pytest

from nnkit.judging.compare import (
    FLOAT32,
    FLOAT64,
    Wrong,
    check_answer,
    compare_values,
    summation_slack,
    tolerance_for,
)


def test_the_tolerance_follows_the_expected_dtype():
    dtypes = (np.float64, np.float32, np.float16, np.int64)
    assert [tolerance_for(d) for d in dtypes] == [FLOAT64, FLOAT32, FLOAT32, FLOAT64]
    want = np.ones(3, dtype=np.float32)
    compare_values(want + FLOAT32.atol / 2, want, "answer")  # within float32's bound, outside float64's
    with pytest.raises(Wrong):
        compare_values(np.ones(3) + FLOAT32.atol / 2, np.ones(3), "answer")


@pytest.mark.parametrize("got", [np.array([1.0, 2.0]), [np.array(1.0), np.array(2.0)], (np.array(1.0), np.array(2.0))])
def test_an_array_may_be_answered_as_a_list_or_tuple_of_numbers_as_the_codec_decodes_them(got):
    assert "largest error 0" in check_answer(got, np.array([1.0, 2.0]))


@pytest.mark.parametrize("got, cause, said", [
    (np.ones((3, 2)), "shape", "wrong shape: expected (2, 3), got (3, 2)"),
    (np.ones((2, 3), dtype=np.float32), "dtype", "wrong dtype: expected float64 (the input's), got float32"),
    (None, "shape", "answer: expected"),
    (np.array(["a"] * 6).reshape(2, 3), "dtype", "expected real numbers"),
])


def test_a_wrong_form_names_what_is_wrong_and_its_cause(got, cause, said):
    with pytest.raises(Wrong, match=r"wrong|expected") as wrong:
        check_answer(got, np.ones((2, 3)))
    assert said in str(wrong.value) and wrong.value.cause == cause


def test_a_tuple_answer_is_checked_item_by_item_under_its_names():
    right = check_answer((np.ones(2), np.array(3.0)), (np.ones(2), np.float64(3.0)), names=("w", "b"))
    assert right.count("largest error") == 2
    with pytest.raises(Wrong, match=r"b: wrong values") as wrong:
        check_answer((np.ones(2), np.array(4.0)), (np.ones(2), np.float64(3.0)), names=("w", "b"))
    assert wrong.value.cause == "values"
    with pytest.raises(Wrong, match=r"expected a tuple of 2 values \(w, b\)") as wrong:
        check_answer(np.ones(2), (np.ones(2), np.float64(3.0)), names=("w", "b"))
    assert wrong.value.cause == "shape"


def test_equal_infinities_agree_and_nan_never_does():
    want = np.array([np.inf, -np.inf, 1.0])
    assert compare_values(want.copy(), want, "answer") == " (answer largest error 0)"
    for wrong in ([np.inf, np.inf, 1.0], [np.nan, -np.inf, 1.0], [1e308, -np.inf, 1.0]):
        with pytest.raises(Wrong, match="wrong values"):
            compare_values(np.array(wrong), want, "answer")


@pytest.mark.parametrize("want, got", [(1.0150301, 1.0150312), (1.01503, 1.0150302), (-2.5e-5, -2.4998e-5)])
def test_a_wrong_value_is_printed_with_digits_enough_to_differ_and_the_difference(want, got):
    """'expected 1.01503, got 1.01503' reads as equal: the two numbers differ as printed, and the
    message gives got - expected and the bound it broke."""
    for shape in ((), (3,)):
        w, g = np.full(shape, want), np.full(shape, want)
        g[...] = got
        with pytest.raises(Wrong) as wrong:
            compare_values(g, w, "answer")
        message = str(wrong.value)
        shown = message.split("expected ", 1)[1].split(", a difference of ")[0]
        expected, answered = shown.split(", got ")
        assert expected != answered, message
        for printed, true in ((expected, want), (answered, got)):  # each nearer its own value than the other's
            assert abs(float(printed) - true) < abs(got - want) / 2, message
        assert f"a difference of {got - want:+.2g}" in message, message
        bound = 1e-9 + 1e-7 * abs(want)
        assert f"<= 1e-9 + 1e-7·|expected| = {bound:.2g})" in message, message


def test_a_long_float32_sum_may_carry_its_rounding_and_a_float64_one_may_not():
    """A float32 sum of 20000 terms that cancel, added one by one as a loop does, lies farther from
    the exact sum than FLOAT32 allows; summation_slack (γ(n)·Σ|terms|) lets it pass, and a sum
    that misses one term still fails. float64 answers get no slack."""
    terms = np.random.default_rng(0).standard_normal(20000)
    terms = (terms - terms.mean()).astype(np.float32)
    exact = np.array([terms.astype(np.float64).sum()]).astype(np.float32)
    looped = np.zeros(1, np.float32)
    for t in terms:
        looped += t
    with pytest.raises(Wrong, match="wrong values"):
        compare_values(looped, exact, "dbias")
    slack = summation_slack(terms.size, np.abs(terms.astype(np.float64)).sum(), np.float32)
    assert compare_values(looped, exact, "dbias", slack=slack).startswith(" (dbias largest error")
    with pytest.raises(Wrong, match=r"γ\(n\)·Σ\|terms\|"):
        compare_values(looped - np.float32(terms[0]) * 2e3, exact, "dbias", slack=slack)
    assert summation_slack(terms.size, 1.0, np.float64) == 0


def test_each_item_of_a_tuple_gets_its_own_slack_and_hint():
    want = (np.zeros(2, np.float32), np.zeros(2, np.float32))
    got = (np.full(2, 0.5, np.float32), np.full(2, 0.5, np.float32))
    assert "largest error" in check_answer(got[:1] + want[1:], want, ("a", "b"), slack=(1.0, 0.0), hints=("", "; B"))
    with pytest.raises(Wrong, match=r"^b: wrong values.*; B$"):
        check_answer(got, want, ("a", "b"), slack=(1.0, 0.0), hints=("; A", "; B"))
