"""The judge's verdicts and messages, without nbgrader: what a student reads in the feedback."""
import numpy as np
from nbformat.v4 import new_code_cell, new_output

from assignments.activations.key import solution as A
from assignments.backprop.key import solution as B
from assignments.convolution.key import solution as C
from nnkit.judging.judge import judge
from nnkit.judging.step import judge_cell, verdict_outputs
from nnkit.kernel.record import run_case


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
    assert "expected a tuple of 2 values (w_new, b_new)" in verdict("backward_lr", lambda *a: B.backward(*a)[0]).message


def test_a_scalar_answer_may_be_a_numpy_scalar_or_a_size_one_array():
    assert verdict("cross_entropy_mnist", lambda y, p: np.float64(A.cross_entropy(y, p))).passed
    assert verdict("cross_entropy_mnist", lambda y, p: np.array([A.cross_entropy(y, p)])).passed


def test_nan_is_never_close():
    result = verdict("sigmoid_mnist", lambda x: np.full_like(x, np.nan))
    assert not result.passed and "NaN" in result.message


def test_training_is_judged_by_its_losses_and_weights():
    def flipped(x, y, lr, epochs):
        return B.train(x, 1 - y, lr, epochs)

    def loss_after_each_step(x, y, lr, epochs):
        w, b, losses = np.zeros((x.shape[1], 1)), np.zeros(1), []
        for _ in range(epochs):
            w, b = B.backward(x, y, A.sigmoid(B.forward(x, w, b)), w, b, lr)
            losses.append(A.cross_entropy(y, A.sigmoid(B.forward(x, w, b))))
        return w, b, losses

    def summed_loss(x, y, lr, epochs):
        w, b, losses = B.train(x, y, lr, epochs)
        return w, b, [loss * len(y) for loss in losses]

    assert "w: wrong values" in verdict("train_mnist_0_vs_1", flipped).message  # same losses, opposite weights
    after = verdict("train_mnist_0_vs_1", loss_after_each_step)
    assert not after.passed and "before its step" in after.message and "expected 0.693147" in after.message
    assert "losses: wrong values" in verdict("train_mnist_0_vs_1", summed_loss).message
    right = verdict("train_mnist_0_vs_1", B.train)
    assert right.passed and "held-out accuracy 0.99" in right.message


def test_a_keyboard_interrupt_the_function_raises_is_its_own_not_a_timeout():
    def interrupts(x):
        raise KeyboardInterrupt

    result = verdict("relu_mnist", interrupts)
    assert not result.passed and "your function raised KeyboardInterrupt" in result.message
    assert "time limit" not in result.message


def test_every_kind_of_runtime_warning_counts_and_other_warnings_do_not():
    import warnings

    class MyNumericWarning(RuntimeWarning):
        pass

    def warns(kind):
        def relu(x):
            warnings.warn("careful", kind, stacklevel=1)
            return A.relu(x)
        return relu

    assert "MyNumericWarning: careful" in verdict("relu_mnist", warns(MyNumericWarning)).message
    assert not verdict("relu_mnist", warns(np.exceptions.ComplexWarning)).passed
    assert verdict("relu_mnist", warns(DeprecationWarning)).passed


def test_a_blank_answer_reads_not_written_yet_without_unrelated_hints():
    def blank(x):
        raise NotImplementedError()

    result = verdict("sigmoid_extremes", blank)
    assert "not written yet" in result.message and "Hint" not in result.message


def test_a_cell_whose_record_never_ran_scores_zero_with_the_reason():
    cell = new_code_cell('from nnkit.kernel.record import record\nrecord("relu_mnist", relu)')
    cell.outputs = [new_output("error", ename="NameError", evalue="name 'relu' is not defined", traceback=[])]
    (result,) = judge_cell(cell)
    assert not result.passed and "NameError: name 'relu' is not defined" in result.message
    silent = new_code_cell('record("relu_mnist", relu)')  # e.g. record replaced by a no-op
    (result,) = judge_cell(silent)
    assert not result.passed and "did not run" in result.message


def test_what_the_grader_saw_decides_over_the_cells_own_outputs():
    from nnkit.judging.review import Review
    from nnkit.kernel.schema import MIME

    cell = new_code_cell('record("relu_mnist", relu)')
    cell.outputs = [new_output("display_data", data={MIME: run_case("relu_mnist", A.relu)})]
    (result,) = judge_cell(cell, Review("timeout", "test_relu_mnist", "it did not finish within the time limit"))
    assert not result.passed and "time limit" in result.message


def test_verdict_outputs_are_an_error_exactly_when_something_failed():
    passed = verdict("relu_mnist", A.relu)
    failed = verdict("relu_mnist", lambda x: x)
    assert [o.output_type for o in verdict_outputs([passed])] == ["stream"]
    assert [o.output_type for o in verdict_outputs([passed, failed])] == ["stream", "error"]


def test_a_record_forged_by_the_function_under_test_fails():
    from nbformat.v4 import new_output as output

    from nnkit.kernel.schema import MIME

    honest = run_case("relu_mnist", A.relu)
    cell = new_code_cell('record("relu_mnist", relu)')
    cell.outputs = [output("display_data", data={MIME: honest}), output("display_data", data={MIME: honest})]
    (result,) = judge_cell(cell)
    assert not result.passed and "recorded more than once" in result.message


def test_a_hint_is_shown_for_the_cause_it_was_written_for_and_no_other():
    """sigmoid_extremes' hint is about overflow (exception, warning); max_pooling_negative's about
    values; cross_entropy_grad_mnist's about the 1/N of the values."""
    def modifies_only(x):
        answer = A.sigmoid(x)
        x[...] = 0
        return answer

    only_modified = verdict("sigmoid_extremes", modifies_only)
    assert "modified its input `x`" in only_modified.message and "Hint" not in only_modified.message
    assert "Hint: 1 / (1 + np.exp(-x)) overflows" in verdict("sigmoid_extremes", lambda x: 1 / (1 + np.exp(-x))).message
    values = verdict("max_pooling_negative", lambda x, k, s: np.maximum(C.max_pooling(x, k, s), 0))
    assert "wrong values" in values.message and "Hint: the maximum of negative numbers" in values.message
    shape = verdict("max_pooling_negative", lambda x, k, s: C.max_pooling(x, k, s)[:1])
    assert "wrong shape" in shape.message and "Hint" not in shape.message
    summed = verdict("cross_entropy_grad_mnist", lambda y, p: B.cross_entropy_grad(y, p) * len(y))
    assert "Hint: the loss is a mean over N samples" in summed.message
