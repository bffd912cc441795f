"""The hidden-test cases of `convolution`, each used by one hidden-test cell of its notebook. Kernel side:
nothing secret here (nnkit.kernel.case says what a case is and what this file may hold)."""
import numpy as np

from nnkit.kernel.case import case
from nnkit.kernel.i18n import N_
from nnkit.kernel.inputs import digit_batch, rng


@case("max_pooling", N_("8 MNIST digits (8, 1, 28, 28), kernel_size=2, stride=2"))
def max_pooling_mnist():
    return [("x", digit_batch(8)), ("kernel_size", 2), ("stride", 2)]


@case("max_pooling", N_("overlapping windows: MNIST crops (2, 3, 12, 9), kernel_size=3, stride=1"))
def max_pooling_overlap():
    return [("x", digit_batch(2, 3, 12, 9, start=16)), ("kernel_size", 3), ("stride", 1)]


@case(
    "max_pooling",
    N_("stride larger than the window, H and W not multiples of it: (3, 2, 16, 13), kernel_size=2, stride=3"),
)
def max_pooling_gapped():
    x = digit_batch(3, 2, 16, 13, start=32) + 0.01 * rng(3).standard_normal((3, 2, 16, 13))
    return [("x", x), ("kernel_size", 2), ("stride", 3)]


@case("max_pooling", N_("all-negative inputs (-1 - MNIST digits), (2, 2, 10, 12), kernel_size=2, stride=2"),
      hints={"values": N_("the maximum of negative numbers is negative: do not start from 0")})
def max_pooling_negative():
    return [("x", -1.0 - digit_batch(2, 2, 10, 12, start=48)), ("kernel_size", 2), ("stride", 2)]


@case("max_pooling", N_("float32 MNIST digits (2, 1, 28, 28), kernel_size=4, stride=4: the answer must be float32 too"))
def max_pooling_float32():
    return [("x", digit_batch(2, start=60).astype(np.float32)), ("kernel_size", 4), ("stride", 4)]


def conv_inputs(seed, x, K, KH, KW):
    g = rng(seed)
    C = x.shape[1]
    return [("x", x), ("kernel", g.standard_normal((K, C, KH, KW))), ("bias", g.standard_normal(K))]


@case("conv", N_("4 MNIST digits (4, 1, 28, 28), 8 random 3x3 kernels, the defaults stride=2, padding=1"))
def conv_mnist_defaults():
    return conv_inputs(4, digit_batch(4, start=64), K=8, KH=3, KW=3)


@case("conv", N_("MNIST crops (2, 3, 12, 10), 5 kernels 3x2 (K != C, KH != KW), stride=1, padding=0"))
def conv_multichannel():
    return conv_inputs(5, digit_batch(2, 3, 12, 10, start=72), K=5, KH=3, KW=2) + [("stride", 1), ("padding", 0)]


@case("conv", N_("MNIST crops (3, 2, 13, 11), 4 kernels 4x3, stride=3, padding=2 (H, W not multiples of the stride)"))
def conv_padded_stride3():
    return conv_inputs(6, digit_batch(3, 2, 13, 11, start=80), K=4, KH=4, KW=3) + [("stride", 3), ("padding", 2)]


@case("conv", N_("one MNIST digit (1, 1, 28, 28), one 5x5 kernel, stride=1, padding=2"))
def conv_single():
    return conv_inputs(7, digit_batch(1, start=90), K=1, KH=5, KW=5) + [("stride", 1), ("padding", 2)]


@case(
    "conv",
    N_("float32 MNIST digits (2, 1, 28, 28), 3 kernels 3x3, stride=2, padding=1: the answer must be float32 too"),
)
def conv_float32():
    x = digit_batch(2, start=96).astype(np.float32)
    g = rng(8)
    return [("x", x), ("kernel", g.standard_normal((3, 1, 3, 3)).astype(np.float32)),
            ("bias", g.standard_normal(3).astype(np.float32)), ("stride", 2), ("padding", 1)]
