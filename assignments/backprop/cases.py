"""The hidden-test cases of `backprop`, each used by one hidden-test cell of its notebook. Kernel side:
nothing secret here (nnkit.kernel.case says what a case is and what this file may hold)."""
import numpy as np

from nnkit.kernel.case import case
from nnkit.kernel.i18n import N_
from nnkit.kernel.inputs import binary_digits, logits, logits_of, probabilities, rng


@case("forward", N_("32 flattened MNIST digits x (32, 784), random w (784, 1) and b (1,)"))
def forward_mnist():
    x, _ = binary_digits("train")
    x = x[:32]
    w, b = logits_of(x, seed=9)
    return [("x", x), ("w", w), ("b", b)]


@case("forward", N_("x (5, 3), w (3, 1), b (1,) with a large bias"),
      hints={cause: N_("z = x @ w + b, shape (N, 1); do not forget the bias") for cause in ("values", "shape")})
def forward_small():
    g = rng(10)
    return [("x", g.standard_normal((5, 3))), ("w", g.standard_normal((3, 1))), ("b", np.array([3.0]))]


@case("sigmoid_grad", N_("logits of a logistic model on 32 MNIST digits, shape (32, 1)"))
def sigmoid_grad_mnist():
    (_, x), (_, w), (_, b) = forward_mnist()
    return [("z", logits(x, w, b))]


@case("sigmoid_grad", N_("z = ±1000, ±100, ±30, 0, 2 under np.errstate(over='raise')"),
      hints={"exception": N_("use a sigmoid that never overflows; sigmoid'(z) is 0 far from 0"),
             "warning": N_("use a sigmoid that never overflows; sigmoid'(z) is 0 far from 0")})
def sigmoid_grad_extremes():
    return [("z", np.array([-1000.0, -100.0, -30.0, 0.0, 2.0, 30.0, 100.0, 1000.0]))]


@case("cross_entropy_grad", N_("labels and predictions of a logistic model on 64 MNIST digits, shape (64, 1)"),
      hints={"values": N_("the loss is a mean over N samples, so its gradient has a factor 1/N")})
def cross_entropy_grad_mnist():
    x, y = binary_digits("train")
    x, y = x[:64], y[:64]
    w, b = logits_of(x, seed=2)  # the inputs of activations' cross_entropy_mnist
    return [("y", y), ("y_hat", probabilities(logits(x, w, b)))]


@case(
    "cross_entropy_grad",
    N_("labels and predictions, shape (7, 1), including 0.999, 0.001 and exactly 0 and 1 (the clipping)"),
    hints={cause: N_("dL/dp = (-(y / p) + (1 - y) / (1 - p)) / N") for cause in ("values", "exception", "warning")},
)
def cross_entropy_grad_small():
    return [("y", np.array([[1.0], [0.0], [1.0], [0.0], [1.0], [1.0], [0.0]])),
            ("p", np.array([[0.9], [0.2], [0.001], [0.999], [0.5], [0.0], [1.0]]))]


def backward_inputs(n, seed, lr):
    x, y = binary_digits("train")
    x, y = x[:n], y[:n]
    w, b = logits_of(x, seed)
    y_hat = probabilities(logits(x, w, b))
    return [("x", x), ("y", y), ("y_hat", y_hat), ("w", w), ("b", b), ("lr", lr)]


@case("backward", N_("64 MNIST digits 'is it a 1', w (784, 1), b (1,), lr=0.1: one step"), returns=("w_new", "b_new"))
def backward_mnist():
    return backward_inputs(64, seed=11, lr=0.1)


@case(
    "backward",
    N_("16 MNIST digits, another w and b, lr=1.5: one step; no input may change"),
    hints={"values": N_("dL/dz = (y_hat - y) / N; dL/dw = x.T @ dL/dz; dL/db = sum of dL/dz")},
    returns=("w_new", "b_new"),
)
def backward_lr():
    return backward_inputs(16, seed=12, lr=1.5)


TRAIN_LR, TRAIN_EPOCHS = 0.5, 30


@case("train", N_("the 800 training 0s and 1s of the sample, lr=0.5, epochs=30, from w = 0 and b = 0: "
      "the losses, one per epoch, and the final w and b must be the reference's (the held-out accuracy is reported)"),
      returns=("w", "b", "losses"), check="training")
def train_mnist_0_vs_1():
    x, y = binary_digits("train")
    return [("x", x), ("y", y), ("lr", TRAIN_LR), ("epochs", TRAIN_EPOCHS)]
