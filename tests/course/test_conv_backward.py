"""conv_backward's references are right (torch autograd in float64, finite differences), and its
float32 slack (nnkit.judging.compare.summation_slack, applied by the key's `summed_gradients`
check) is what a correct answer needs and no more than a wrong one can hide in: every correct
variant of the catalogue passes every case, one of them only thanks to the slack, and every wrong
variant fails a case."""
import importlib.util

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from assignments.convolution.key.solution import conv_fast
from assignments.gradients.key import reference as R
from assignments.gradients.key import solution as S
from catalogue import CORRECT, VARIANTS, WRONG
from nnkit.judging.compare import Wrong, check_values
from nnkit.judging.references import expected
from nnkit.kernel.course_cases import CASES

CASE_NAMES = [name for name, case in CASES.items() if case.function == "conv_backward"]
FLOAT32 = [name for name in CASE_NAMES if dict(CASES[name].make_args())["x"].dtype == np.float32]


def variant(kind, name):
    spec = importlib.util.spec_from_file_location(name, VARIANTS / kind / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.conv_backward


def answer(function, case_name):
    case = CASES[case_name]
    args, named = case.split(case.make_args())
    return function(*args, **named)


@pytest.mark.parametrize("seed", range(8))
def test_loop_and_fast_versions_are_torch_autograds_gradients_on_random_shapes(seed):
    g = np.random.default_rng(seed)
    N, C, K = (int(v) for v in g.integers(1, 4, 3))
    KH, KW = (int(v) for v in g.integers(1, 5, 2))
    stride, padding = int(g.integers(1, 4)), int(g.integers(0, 3))
    H, W = int(g.integers(KH, 12)), int(g.integers(KW, 12))
    x, kernel, bias = g.standard_normal((N, C, H, W)), g.standard_normal((K, C, KH, KW)), g.standard_normal(K)
    tensors = [torch.tensor(v, requires_grad=True) for v in (x, kernel, bias)]
    out = F.conv2d(*tensors, stride=stride, padding=padding)
    dout = g.standard_normal(out.shape)
    out.backward(torch.tensor(dout))
    for version in (S.conv_backward, S.conv_backward_fast):
        for ours, tensor in zip(version(dout, x, kernel, bias, stride, padding), tensors, strict=True):
            np.testing.assert_allclose(ours, tensor.grad.numpy(), rtol=1e-12, atol=1e-12)
    assert R.conv_backward_by_finite_differences(S.conv_backward_fast(dout, x, kernel, bias, stride, padding),
                                                 dout, x, kernel, bias, stride, padding) == ""
    wrong = S.conv_backward_fast(dout, x, kernel[:, :, ::-1, ::-1], bias, stride, padding)
    if KH * KW > 1:
        assert "disagrees with finite differences" in R.conv_backward_by_finite_differences(
            wrong, dout, x, kernel, bias, stride, padding)


@pytest.mark.parametrize("name", sorted(n for n in CORRECT if n.startswith("conv_backward_")))
def test_every_correct_variant_passes_every_case(name):
    function = variant("correct", name)
    for case_name in CASE_NAMES:
        R.check_summed_gradients(answer(function, case_name), CASES[case_name], expected(case_name))


def test_the_float32_slack_is_needed_where_sums_cancel():
    """The loop's float32 dbias, summed one term at a time over a batch whose gradients cancel,
    lies farther from the reference than FLOAT32 alone allows; within the slack it passes."""
    (cancelling,) = [name for name in FLOAT32 if "cancel" in name]
    got = answer(variant("correct", "conv_backward_loops"), cancelling)
    with pytest.raises(Wrong, match="dbias: wrong values"):
        check_values(got, CASES[cancelling], expected(cancelling))
    R.check_summed_gradients(got, CASES[cancelling], expected(cancelling))


@pytest.mark.parametrize("name", sorted(n for n in WRONG if n.startswith("conv_backward_")))
def test_every_wrong_variant_fails_a_case(name):
    function, failed = variant("wrong", name), []
    for case_name in CASE_NAMES:
        try:
            R.check_summed_gradients(answer(function, case_name), CASES[case_name], expected(case_name))
        except (Wrong, ValueError, IndexError):
            failed.append(case_name)
    assert failed, f"{name} passes every case"


def test_the_float32_cases_sum_in_float32():
    """The float32 cases' inputs are all float32, so a student's sums are float32 sums."""
    assert FLOAT32
    for name in FLOAT32:
        assert {np.asarray(v).dtype for _, v in CASES[name].make_args() if isinstance(v, np.ndarray)} == {
            np.dtype(np.float32)}
        assert [g.dtype for g in expected(name)] == [np.float32] * 3
    assert conv_fast  # the forward the finite differences use
