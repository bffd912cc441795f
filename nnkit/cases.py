"""The hidden-test cases: the fixed inputs each graded check feeds to a student's function.

A case builds its inputs deterministically (real MNIST digits from the bundled sample, random
kernels and weights from a fixed seed), so the student's kernel, which records what the function
returns, and the grader, which judges that answer, rebuild exactly the same arguments. Each case
is used by exactly one hidden-test cell of a source notebook (tests/test_cases.py checks).
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np

from nnkit import mnist


@dataclass(frozen=True)
class Case:
    name: str
    function: str  # the student's function under test
    what: str  # the input, in words a student can act on (shown in the feedback)
    make_args: Callable[[], list[tuple[str, object]]]  # positional arguments, named for messages
    hint: str = ""  # what a failure on this case usually means
    returns: tuple[str, ...] = ()  # the names of the values a function returns as a tuple, for messages
    check: str = "values"  # how the judge compares the answer (nnkit.judge.CHECKS)


CASES: dict[str, Case] = {}


def case(function: str, what: str, hint: str = "", **options):
    def register(make_args):
        name = make_args.__name__
        CASES[name] = Case(name, function, what, make_args, hint, **options)
        return make_args
    return register


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def digits(n: int, split: str = "train", start: int = 0) -> np.ndarray:
    """n real MNIST images as float64 in [0, 1], shape (n, 28, 28)."""
    images, _ = mnist.load(split)
    return images[start:start + n].astype(np.float64) / 255.0


def digit_batch(n: int, c: int = 1, h: int = 28, w: int = 28, start: int = 0) -> np.ndarray:
    """(n, c, h, w) crops of real MNIST digits (top-left 4 rows/cols skipped, where digits rarely are)."""
    images = digits(n * c, start=start)
    if (h, w) != (28, 28):
        images = images[:, 4:4 + h, 4:4 + w]
    return np.ascontiguousarray(images.reshape(n, c, h, w))


def binary_digits(split: str, positive: int = 1, negative: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Flattened digits of two classes: x (N, 784) in [0, 1], y (N, 1) = 1.0 for `positive`."""
    images, labels = mnist.load(split)
    keep = (labels == positive) | (labels == negative)
    x = images[keep].reshape(int(keep.sum()), -1).astype(np.float64) / 255.0
    y = (labels[keep] == positive).astype(np.float64).reshape(-1, 1)
    return x, y


def exact(values: np.ndarray) -> np.ndarray:
    """Values computed with a matrix product or exp, rounded to multiples of 2**-32: BLAS's
    summation order and numpy's SIMD exp differ in the last bit between machines, and a case's
    inputs must be the same bytes everywhere (the grader checks their digest, and torch's stored
    results are keyed by it)."""
    return np.round(values * 2.0**32) / 2.0**32


def logits(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    return exact(x @ w + b)


def probabilities(z: np.ndarray) -> np.ndarray:
    return exact(1 / (1 + np.exp(-z)))


def logits_of(x: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Small random weights w (D, 1) and bias b (1,), for logits of a moderate size."""
    g = rng(seed)
    return g.normal(0, 0.05, (x.shape[1], 1)), g.normal(0, 0.5, (1,))


# --- activations -------------------------------------------------------------------------------

@case("sigmoid", "8 MNIST digits scaled to [-10, 10], float64, shape (8, 28, 28)")
def sigmoid_mnist():
    return [("x", (digits(8) - 0.5) * 20)]


@case("sigmoid", "x = ±1000, ±745, ±100, ±30, 0 under np.errstate(over='raise')",
      hint="1 / (1 + np.exp(-x)) overflows for large negative x; only ever take exp of a number <= 0. "
           "np.where(cond, a, b) computes both a and b for every element, so an overflowing branch "
           "still overflows: take e = np.exp(-np.abs(x)) first, then pick with np.where")
def sigmoid_extremes():
    return [("x", np.array([[-1000.0, -745.0, -100.0, -30.0, 0.0], [30.0, 100.0, 745.0, 1000.0, 0.5]]))]


@case("sigmoid", "4 MNIST digits scaled to [-6, 6], float32: the answer must be float32 too")
def sigmoid_float32():
    return [("x", ((digits(4, start=8) - 0.5) * 12).astype(np.float32))]


@case("relu", "a batch of MNIST digits shifted to [-0.5, 0.5], shape (6, 1, 28, 28)")
def relu_mnist():
    return [("x", digit_batch(6) - 0.5)]


@case("relu", "random normal float32 values, shape (3, 5, 7); the input must not change")
def relu_float32():
    return [("x", rng(1).standard_normal((3, 5, 7)).astype(np.float32))]


@case("cross_entropy", "labels 'is it a 1' and predictions of a logistic model on 64 MNIST digits, shape (64, 1)")
def cross_entropy_mnist():
    x, y = binary_digits("train")
    x, y = x[:64], y[:64]
    w, b = logits_of(x, seed=2)
    return [("y", y), ("y_hat", probabilities(logits(x, w, b)))]


@case("cross_entropy", "predictions of exactly 0 and 1, right and wrong (the eps clipping), shape (6,)",
      hint="clip y_hat to [1e-12, 1 - 1e-12] before taking the log")
def cross_entropy_saturated():
    return [("y", np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0])), ("y_hat", np.array([1.0, 0.0, 0.0, 1.0, 0.5, 0.25]))]


# --- convolution -------------------------------------------------------------------------------

@case("max_pooling", "8 MNIST digits (8, 1, 28, 28), kernel_size=2, stride=2")
def max_pooling_mnist():
    return [("x", digit_batch(8)), ("kernel_size", 2), ("stride", 2)]


@case("max_pooling", "overlapping windows: MNIST crops (2, 3, 11, 9), kernel_size=3, stride=1")
def max_pooling_overlap():
    return [("x", digit_batch(2, 3, 11, 9, start=16)), ("kernel_size", 3), ("stride", 1)]


@case("max_pooling", "stride larger than the window, H and W not multiples of it: (3, 2, 13, 17), kernel_size=2, stride=3")
def max_pooling_gapped():
    x = digit_batch(3, 2, 13, 17, start=32) + 0.01 * rng(3).standard_normal((3, 2, 13, 17))
    return [("x", x), ("kernel_size", 2), ("stride", 3)]


@case("max_pooling", "all-negative inputs (-1 - MNIST digits), (2, 2, 10, 12), kernel_size=2, stride=2",
      hint="the maximum of negative numbers is negative: do not start from 0")
def max_pooling_negative():
    return [("x", -1.0 - digit_batch(2, 2, 10, 12, start=48)), ("kernel_size", 2), ("stride", 2)]


@case("max_pooling", "float32 MNIST digits (2, 1, 28, 28), kernel_size=4, stride=4: the answer must be float32 too")
def max_pooling_float32():
    return [("x", digit_batch(2, start=60).astype(np.float32)), ("kernel_size", 4), ("stride", 4)]


def conv_inputs(seed, x, K, KH, KW):
    g = rng(seed)
    C = x.shape[1]
    return [("x", x), ("kernel", g.standard_normal((K, C, KH, KW))), ("bias", g.standard_normal(K))]


@case("conv", "4 MNIST digits (4, 1, 28, 28), 8 random 3x3 kernels, the defaults stride=2, padding=1")
def conv_mnist_defaults():
    return conv_inputs(4, digit_batch(4, start=64), K=8, KH=3, KW=3)


@case("conv", "MNIST crops (2, 3, 12, 10), 5 kernels 3x2 (K != C, KH != KW), stride=1, padding=0")
def conv_multichannel():
    return conv_inputs(5, digit_batch(2, 3, 12, 10, start=72), K=5, KH=3, KW=2) + [("stride", 1), ("padding", 0)]


@case("conv", "MNIST crops (3, 2, 13, 11), 4 kernels 4x3, stride=3, padding=2 (H, W not multiples of the stride)")
def conv_padded_stride3():
    return conv_inputs(6, digit_batch(3, 2, 13, 11, start=80), K=4, KH=4, KW=3) + [("stride", 3), ("padding", 2)]


@case("conv", "one MNIST digit (1, 1, 28, 28), one 5x5 kernel, stride=1, padding=2")
def conv_single():
    return conv_inputs(7, digit_batch(1, start=90), K=1, KH=5, KW=5) + [("stride", 1), ("padding", 2)]


@case("conv", "float32 MNIST digits (2, 1, 28, 28), 3 kernels 3x3, stride=2, padding=1: the answer must be float32 too")
def conv_float32():
    x = digit_batch(2, start=96).astype(np.float32)
    g = rng(8)
    return [("x", x), ("kernel", g.standard_normal((3, 1, 3, 3)).astype(np.float32)),
            ("bias", g.standard_normal(3).astype(np.float32)), ("stride", 2), ("padding", 1)]


# --- backprop ----------------------------------------------------------------------------------

@case("forward", "32 flattened MNIST digits x (32, 784), random w (784, 1) and b (1,)")
def forward_mnist():
    x, _ = binary_digits("train")
    x = x[:32]
    w, b = logits_of(x, seed=9)
    return [("x", x), ("w", w), ("b", b)]


@case("forward", "x (5, 3), w (3, 1), b (1,) with a large bias",
      hint="z = x @ w + b, shape (N, 1); do not forget the bias")
def forward_small():
    g = rng(10)
    return [("x", g.standard_normal((5, 3))), ("w", g.standard_normal((3, 1))), ("b", np.array([3.0]))]


@case("sigmoid_grad", "logits of a logistic model on 32 MNIST digits, shape (32, 1)")
def sigmoid_grad_mnist():
    (_, x), (_, w), (_, b) = forward_mnist()
    return [("z", logits(x, w, b))]


@case("sigmoid_grad", "z = ±1000, ±100, ±30, 0, 2 under np.errstate(over='raise')",
      hint="use a sigmoid that never overflows; sigmoid'(z) is 0 far from 0")
def sigmoid_grad_extremes():
    return [("z", np.array([-1000.0, -100.0, -30.0, 0.0, 2.0, 30.0, 100.0, 1000.0]))]


@case("cross_entropy_grad", "labels and predictions of a logistic model on 64 MNIST digits, shape (64, 1)",
      hint="the loss is a mean over N samples, so its gradient has a factor 1/N")
def cross_entropy_grad_mnist():
    return cross_entropy_mnist()


@case("cross_entropy_grad", "labels and predictions, shape (5, 1), including 0.999 and 0.001",
      hint="dL/dp = (-(y / p) + (1 - y) / (1 - p)) / N")
def cross_entropy_grad_small():
    return [("y", np.array([[1.0], [0.0], [1.0], [0.0], [1.0]])),
            ("p", np.array([[0.9], [0.2], [0.001], [0.999], [0.5]]))]


def backward_inputs(n, seed, lr):
    x, y = binary_digits("train")
    x, y = x[:n], y[:n]
    w, b = logits_of(x, seed)
    y_hat = probabilities(logits(x, w, b))
    return [("x", x), ("y", y), ("y_hat", y_hat), ("w", w), ("b", b), ("lr", lr)]


@case("backward", "64 MNIST digits 'is it a 1', w (784, 1), b (1,), lr=0.1: one step", returns=("w_new", "b_new"))
def backward_mnist():
    return backward_inputs(64, seed=11, lr=0.1)


@case("backward", "16 MNIST digits, another w and b, lr=1.5: one step; no input may change",
      hint="dL/dz = (y_hat - y) / N; dL/dw = x.T @ dL/dz; dL/db = sum of dL/dz", returns=("w_new", "b_new"))
def backward_lr():
    return backward_inputs(16, seed=12, lr=1.5)


TRAIN_LR, TRAIN_EPOCHS = 0.5, 30


@case("train", f"the 800 training 0s and 1s of the sample, lr={TRAIN_LR}, epochs={TRAIN_EPOCHS}, from w = 0 and b = 0: "
      "the losses, one per epoch, and the final w and b must be the reference's (the held-out accuracy is reported)",
      returns=("w", "b", "losses"), check="training")
def train_mnist_0_vs_1():
    x, y = binary_digits("train")
    return [("x", x), ("y", y), ("lr", TRAIN_LR), ("epochs", TRAIN_EPOCHS)]
