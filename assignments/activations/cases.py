"""The hidden-test cases of `activations`, each used by one hidden-test cell of its notebook. Kernel side:
nothing secret here (nnkit.kernel.case says what a case is and what this file may hold)."""
import numpy as np

from nnkit.kernel.case import case
from nnkit.kernel.i18n import N_
from nnkit.kernel.inputs import binary_digits, digit_batch, digits, logits, logits_of, probabilities, rng


@case("sigmoid", N_("8 MNIST digits scaled to [-10, 10], float64, shape (8, 28, 28)"))
def sigmoid_mnist():
    return [("x", (digits(8) - 0.5) * 20)]


OVERFLOW = N_("1 / (1 + np.exp(-x)) overflows for large negative x; only ever take exp of a number <= 0. "
               "np.where(cond, a, b) computes both a and b for every element, so an overflowing branch "
               "still overflows: take e = np.exp(-np.abs(x)) first, then pick with np.where")


@case("sigmoid", N_("x = ±1000, ±745, ±100, ±30, 0 under np.errstate(over='raise')"),
      hints={cause: OVERFLOW for cause in ("exception", "warning")})
def sigmoid_extremes():
    return [("x", np.array([[-1000.0, -745.0, -100.0, -30.0, 0.0], [30.0, 100.0, 745.0, 1000.0, 0.5]]))]


@case("sigmoid", N_("4 MNIST digits scaled to [-6, 6], float32: the answer must be float32 too"))
def sigmoid_float32():
    return [("x", ((digits(4, start=8) - 0.5) * 12).astype(np.float32))]


@case("relu", N_("a batch of MNIST digits shifted to [-0.5, 0.5], shape (6, 1, 28, 28)"))
def relu_mnist():
    return [("x", digit_batch(6) - 0.5)]


@case("relu", N_("random normal float32 values, shape (3, 5, 7); the input must not change"))
def relu_float32():
    return [("x", rng(1).standard_normal((3, 5, 7)).astype(np.float32))]


@case("cross_entropy", N_("labels 'is it a 1' and predictions of a logistic model on 64 MNIST digits, shape (64, 1)"))
def cross_entropy_mnist():
    x, y = binary_digits("train")
    x, y = x[:64], y[:64]
    w, b = logits_of(x, seed=2)
    return [("y", y), ("y_hat", probabilities(logits(x, w, b)))]


@case(
    "cross_entropy",
    N_("predictions of exactly 0 and 1, right and wrong (the eps clipping), shape (6,)"),
    hints={
        cause: N_("clip y_hat to [1e-12, 1 - 1e-12] before taking the log")
        for cause in ("values", "exception", "warning")
    },
)
def cross_entropy_saturated():
    return [("y", np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0])), ("y_hat", np.array([1.0, 0.0, 0.0, 1.0, 0.5, 0.25]))]
