"""The judge's verdicts and messages, without nbgrader: what a student reads in the feedback."""
import numpy as np
from nbformat.v4 import new_code_cell, new_output

from nnkit.judge import judge
from nnkit.preprocessor import judge_cell, verdict_outputs
from nnkit.record import run_case
from solutions import activations as A
from solutions import backprop as B
from solutions import convolution as C


def verdict(case, function):
    return judge(run_case(case, function))


def test_reference_passes_with_its_error():
    result = verdict("conv_multichannel", C.conv)
    assert result.passed and "largest error" in result.message


def test_wrong_shape_names_both_shapes_and_spots_swapped_axes():
    result = verdict("conv_multichannel", lambda *a: C.conv(*a).swapaxes(2, 3))
    assert not result.passed
    assert "wrong shape: expected (2, 5, 10, 9), got (2, 5, 9, 10) (are H and W swapped?)" in result.message


def test_wrong_dtype():
    result = verdict("conv_float32", lambda *a: C.conv(*a).astype(np.float64))
    assert not result.passed and "wrong dtype: expected float32 (the input's), got float64" in result.message


def test_wrong_values_give_count_largest_error_and_where():
    result = verdict("max_pooling_mnist", lambda x, k, s: C.max_pooling(x, k, s) * 0.5)
    assert not result.passed
    assert "values are wrong; the largest error is" in result.message and "at index (" in result.message


def test_mutated_input_is_named():
    def relu_in_place(x):
        x[x < 0] = 0
        return x
    result = verdict("relu_mnist", relu_in_place)
    assert not result.passed and "modified its input `x`" in result.message


def test_overflow_is_reported_with_the_hint():
    result = verdict("sigmoid_extremes", lambda x: 1 / (1 + np.exp(-x)))
    assert not result.passed and "FloatingPointError: overflow" in result.message and "Hint:" in result.message


def test_none_and_wrong_types_are_described():
    assert "got None" in verdict("relu_mnist", lambda x: None).message
    assert "expected a tuple of 2 arrays" in verdict("backward_lr", lambda *a: B.backward(*a)[0]).message


def test_a_scalar_answer_may_be_a_numpy_scalar_or_a_size_one_array():
    assert verdict("cross_entropy_mnist", lambda y, p: np.float64(A.cross_entropy(y, p))).passed
    assert verdict("cross_entropy_mnist", lambda y, p: np.array([A.cross_entropy(y, p)])).passed


def test_nan_is_never_close():
    result = verdict("sigmoid_mnist", lambda x: np.full_like(x, np.nan))
    assert not result.passed and "NaN" in result.message


def test_training_below_threshold_fails_with_accuracy():
    def train_badly(x, y, lr, epochs):
        w, b, losses = B.train(x, 1 - y, lr, epochs)
        return w, b, losses
    result = verdict("train_mnist_0_vs_1", train_badly)
    assert not result.passed and "held-out accuracy" in result.message


def test_a_cell_whose_record_never_ran_scores_zero_with_the_reason():
    cell = new_code_cell('from nnkit.record import record\nrecord("relu_mnist", relu)')
    cell.outputs = [new_output("error", ename="NameError", evalue="name 'relu' is not defined", traceback=[])]
    (result,) = judge_cell(cell)
    assert not result.passed and "NameError: name 'relu' is not defined" in result.message
    silent = new_code_cell('record("relu_mnist", relu)')  # e.g. record replaced by a no-op
    (result,) = judge_cell(silent)
    assert not result.passed and "did not run" in result.message


def test_verdict_outputs_are_an_error_exactly_when_something_failed():
    passed = verdict("relu_mnist", A.relu)
    failed = verdict("relu_mnist", lambda x: x)
    assert [o.output_type for o in verdict_outputs([passed])] == ["stream"]
    assert [o.output_type for o in verdict_outputs([passed, failed])] == ["stream", "error"]


def test_a_record_forged_by_the_function_under_test_fails():
    from nnkit.codec import MIME
    from nbformat.v4 import new_output as output

    honest = run_case("relu_mnist", A.relu)
    cell = new_code_cell('record("relu_mnist", relu)')
    cell.outputs = [output("display_data", data={MIME: honest}), output("display_data", data={MIME: honest})]
    (result,) = judge_cell(cell)
    assert not result.passed and "recorded more than once" in result.message
