"""The reference solutions are right: against torch (float64), autograd and finite differences;
the loop versions equal the fast ones; and the seed's maths is shown wrong, not assumed."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from assignments.activations.key import solution as A
from assignments.backprop.cases import TRAIN_EPOCHS, TRAIN_LR
from assignments.backprop.key import solution as B
from assignments.convolution.key import solution as C
from assignments.gradients.key import solution as G
from nnkit.judging.references import expected, torch_reference
from nnkit.judging.references import key as references_key
from nnkit.kernel.course_cases import CASES
from nnkit.kernel.inputs import binary_digits


def load_seed():
    spec = importlib.util.spec_from_file_location("seed", Path(__file__).parent.parent / "variants" / "seed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The one case torch cannot check: torch's binary cross-entropy clamps log at -100 instead of clipping
# the predictions at eps, so it differs from ours exactly where that case looks (predictions of 0 and 1).
WITHOUT_TORCH = {"cross_entropy_saturated"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_case_reference_agrees_with_torch(name):
    """expected() raises KitError when the solution and torch's stored result disagree; every case
    but WITHOUT_TORCH has one."""
    from nnkit.judging import references

    stored = references.stored_torch_result(name, CASES[name].make_args())
    assert (stored is None) == (name in WITHOUT_TORCH)
    expected(name)


def test_stored_torch_results_are_what_live_torch_computes_now():
    """The grader compares with torch's results stored in data/torch_results.npz (it does not
    import torch): they must be exactly what torch computes for the cases' current inputs."""
    from nnkit.judging import references

    for name, case in CASES.items():
        stored = references.stored_torch_results(case.assignment)
        args = case.make_args()
        live = torch_reference(name, args)
        if live is None:
            assert name not in stored, name
            continue
        for got, want in zip(references.stored_torch_result(name, args), references.parts(live), strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15, err_msg=name)


def test_a_stored_torch_result_for_other_inputs_is_refused(monkeypatch):
    from nnkit.judging import references

    monkeypatch.setitem(references.stored_torch_results("convolution"), "conv_single",
                        ("0" * 64, references.stored_torch_results("convolution")["conv_single"][1]))
    with pytest.raises(references.KitError, match="other inputs"):
        references.stored_torch_result("conv_single", CASES["conv_single"].make_args())


@pytest.mark.parametrize("seed", range(12))
def test_loop_and_vectorized_versions_match_torch_on_random_shapes(seed):
    g = np.random.default_rng(seed)
    N, C_in, K = g.integers(1, 4), g.integers(1, 4), g.integers(1, 5)
    KH, KW = g.integers(1, 5), g.integers(1, 5)
    stride, padding = int(g.integers(1, 4)), int(g.integers(0, 3))
    H, W = int(g.integers(KH, 12)), int(g.integers(KW, 12))
    x, kernel, bias = g.standard_normal((N, C_in, H, W)), g.standard_normal((K, C_in, KH, KW)), g.standard_normal(K)
    want = F.conv2d(torch.tensor(x), torch.tensor(kernel), torch.tensor(bias), stride=stride, padding=padding).numpy()
    np.testing.assert_allclose(C.conv(x, kernel, bias, stride, padding), want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(C.conv_fast(x, kernel, bias, stride, padding), want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(C.conv_windows(x, kernel, bias, stride, padding), want, rtol=1e-12, atol=1e-12)
    k = int(g.integers(1, min(H, W) + 1))
    pooled = F.max_pool2d(torch.tensor(x), k, stride).numpy()
    assert np.array_equal(C.max_pooling(x, k, stride), pooled)
    assert np.array_equal(C.max_pooling_fast(x, k, stride), pooled)


def test_sigmoid_is_stable_and_keeps_dtype():
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with np.errstate(all="raise", under="ignore"):
        np.testing.assert_allclose(A.sigmoid(x), torch.sigmoid(torch.tensor(x)).numpy(), rtol=1e-15, atol=0)
    assert A.sigmoid(x.astype(np.float32)).dtype == np.float32


def numeric_gradient(f, x, h=1e-6):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        grad[index] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


def small_problem(seed=0, n=7, d=4):
    g = np.random.default_rng(seed)
    x, w, b = g.standard_normal((n, d)), g.normal(0, 0.5, (d, 1)), g.normal(0, 0.5, (1,))
    y = (g.random((n, 1)) < 0.5).astype(np.float64)
    return x, y, w, b


def test_cross_entropy_grad_is_the_finite_difference_of_the_mean_loss():
    _, y, _, _ = small_problem()
    p = np.random.default_rng(1).uniform(0.05, 0.95, y.shape)
    numeric = numeric_gradient(lambda q: A.cross_entropy(y, q), p)
    np.testing.assert_allclose(B.cross_entropy_grad(y, p), numeric, rtol=1e-6, atol=1e-9)


def test_sigmoid_grad_is_the_finite_difference_of_sigmoid():
    z = np.linspace(-8, 8, 17)
    np.testing.assert_allclose(B.sigmoid_grad(z), (A.sigmoid(z + 1e-6) - A.sigmoid(z - 1e-6)) / 2e-6, atol=1e-9)


def test_backward_is_one_step_along_the_finite_difference_gradient_and_autograd():
    x, y, w, b = small_problem()
    lr = 0.3

    def loss_w(w_):
        return A.cross_entropy(y, A.sigmoid(B.forward(x, w_, b)))

    def loss_b(b_):
        return A.cross_entropy(y, A.sigmoid(B.forward(x, w, b_)))

    y_hat = A.sigmoid(B.forward(x, w, b))
    inputs = [a.copy() for a in (x, y, y_hat, w, b)]
    w_new, b_new = B.backward(x, y, y_hat, w, b, lr)
    np.testing.assert_allclose(w_new, w - lr * numeric_gradient(loss_w, w), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(b_new, b - lr * numeric_gradient(loss_b, b), rtol=1e-6, atol=1e-9)
    want_w, want_b = references_key("backprop").torch_reference("backward", x, y, y_hat, w, b, lr)
    np.testing.assert_allclose(w_new, want_w, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b_new, want_b, rtol=1e-12, atol=1e-14)
    assert all(np.array_equal(a, c) for a, c in zip((x, y, y_hat, w, b), inputs, strict=True)), (
        "backward changed an input"
    )


def test_reference_training_learns_and_matches_torchs_training():
    x, y = binary_digits("train")
    w, b, losses = B.train(x, y, TRAIN_LR, TRAIN_EPOCHS)
    x_test, y_test = binary_digits("test")
    accuracy = np.mean((B.forward(x_test, w, b) > 0) == (y_test == 1))
    assert accuracy >= 0.98 and np.all(np.diff(losses) < 0) and losses[0] == pytest.approx(np.log(2))
    torch_w, torch_b, torch_losses = torch_reference("train_mnist_0_vs_1", CASES["train_mnist_0_vs_1"].make_args())
    np.testing.assert_allclose(losses, torch_losses, rtol=1e-12)
    np.testing.assert_allclose(w, torch_w, rtol=1e-10, atol=1e-14)


def test_the_seed_is_wrong_where_we_say():
    seed = load_seed()
    x, y, w, b = small_problem()
    y_hat = A.sigmoid(B.forward(x, w, b))
    # its cross_entropy_grad returns the loss, which is never negative: not the gradient
    assert np.all(seed.cross_entropy_grad(y, y_hat) >= 0)
    assert not np.allclose(seed.cross_entropy_grad(y, y_hat), B.cross_entropy_grad(y, y_hat))
    # its backward makes the loss worse on MNIST, and changes w in place
    x, y = binary_digits("train")
    w, b = np.zeros((784, 1)), np.zeros(1)
    y_hat = A.sigmoid(B.forward(x, w, b))
    before = A.cross_entropy(y, y_hat)
    w_new, b_new = seed.backward(x, y, y_hat, w, b, 0.5)
    assert w_new is w and np.any(w != 0), "the seed's backward updates w in place"
    assert A.cross_entropy(y, A.sigmoid(B.forward(x, w_new, b_new))) > before
    # its sigmoid overflows
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        seed.sigmoid(np.array([-1000.0]))


def test_max_pooling_backward_breaks_ties_as_torch_does_on_the_cpu():
    """The rule the gradients notebook states: a tied window's gradient goes to its first maximum in
    row-major order, which is what torch's max_pool2d backward does on the CPU."""
    for window, first in (([[1.0, 1.0], [1.0, 1.0]], [1.0, 0.0, 0.0, 0.0]),
                          ([[0.0, 2.0], [2.0, 2.0]], [0.0, 1.0, 0.0, 0.0])):
        x = torch.tensor([[window]], dtype=torch.float64, requires_grad=True)
        F.max_pool2d(x, 2, 2).sum().backward()
        assert x.grad.flatten().tolist() == first
        assert G.max_pooling_backward(np.ones((1, 1, 1, 1)), np.array([[window]]), 2, 2).ravel().tolist() == first


def test_the_finite_difference_proof_of_a_backward_pass_refuses_a_wrong_one_and_skips_kinks():
    check = references_key("gradients").CROSS_CHECKS["relu_backward"]
    dout, x = np.array([1.0, -2.0, 3.0, 4.0]), np.array([0.5, 1.0, 0.0, -1.0])
    assert check(dout * (x > 0), dout, x) == ""
    assert check(dout * (x >= 0), dout, x) == ""  # x == 0 is a kink: torch's results prove the rule there
    assert "finite differences" in check(dout * (dout > 0), dout, x)


def test_the_grader_refuses_a_reference_that_disagrees_with_torch_or_finite_differences(monkeypatch):
    from nnkit.judging import references

    monkeypatch.setitem(references.key("convolution").REFERENCES, "conv",
                        lambda x, k, b, *rest: C.conv_fast(x, k[:, :, ::-1, ::-1], b, *rest))
    references.expected.cache_clear()
    with pytest.raises(references.KitError, match="torch"):
        references.expected("conv_single")
    monkeypatch.setitem(references.key("backprop").REFERENCES, "backward",
                        lambda x, y, y_hat, w, b, lr: (w - lr * x.T @ (y_hat - y), b))
    monkeypatch.setattr(references, "stored_torch_result", lambda name, args: None)
    with pytest.raises(references.KitError, match="finite differences"):
        references.expected("backward_lr")
    references.expected.cache_clear()
