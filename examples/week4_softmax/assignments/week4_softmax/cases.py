"""The hidden-test cases of `week4_softmax`. Kernel side: nothing here is secret."""
import numpy as np

from nnkit.kernel.case import case
from nnkit.kernel.i18n import N_
from nnkit.kernel.inputs import digits, exact, rng
from nnkit.kernel.mnist import load

OVERFLOW = N_("subtract the maximum along `axis` before np.exp: the largest exponent is then 0")
LOG_OF_ZERO = N_("take the log as z - max - log(sum(exp(z - max))): the probability of a label can be 0")


def mnist_logits():
    return exact(digits(8).reshape(8, -1) @ rng(21).normal(0, 0.05, (784, 10)))


@case("softmax", N_("logits of 8 MNIST digits for 10 classes (random weights), shape (8, 10)"),
      hints={"modified": N_("z - z.max(...) makes a new array; z -= ... changes the caller's logits")})
def softmax_mnist():
    return [("z", mnist_logits())]


@case("softmax", N_("rows with logits of ±1000 under np.errstate(over='raise'), shape (2, 3)"),
      hints={"exception": OVERFLOW, "warning": OVERFLOW})
def softmax_extremes():
    return [("z", np.array([[1000.0, 0.0, -1000.0], [-1000.0, -999.0, -1001.0]]))]


@case("softmax", N_("random float32 logits, shape (2, 4, 5), along the last axis: the answer must be float32 too"),
      hints={"dtype": N_("np.exp and arithmetic keep float32; a buffer from np.zeros(shape) is float64")})
def softmax_float32():
    return [("z", rng(22).standard_normal((2, 4, 5)).astype(np.float32))]


@case("softmax_loss", N_("the logits of softmax_mnist and the digits' labels: loss and dz"), returns=("loss", "dz"),
      hints={"values": N_("dz = (softmax(z) - one_hot(y)) / N: the 1 at each label, and the mean's 1/N")})
def softmax_loss_mnist():
    return [("z", mnist_logits()), ("y", load("train")[1][:8].astype(np.int64))]


@case("softmax_loss", N_("logits of ±1000 whose labels have probability 0 under np.errstate(divide='raise')"),
      returns=("loss", "dz"), hints={"exception": LOG_OF_ZERO, "warning": LOG_OF_ZERO})
def softmax_loss_extremes():
    return [("z", np.array([[1000.0, 0.0, -1000.0], [-1000.0, -999.0, -1001.0]])), ("y", np.array([2, 0]))]
