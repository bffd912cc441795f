"""The hidden-test cases of `gradients`, each used by one hidden-test cell of its notebook. Kernel side:
nothing secret here (nnkit.kernel.case says what a case is and what this file may hold). Each case
is built to fail for one reason, and its hints name that reason."""
import numpy as np

from nnkit.kernel.case import case
from nnkit.kernel.i18n import N_
from nnkit.kernel.inputs import digit_batch, digits, exact, rng

POOLING = ("kernel_size", "stride")
MASK_OF_X = N_("dx = dout where x > 0, else 0: the mask comes from the forward's input x, whatever the sign of dout")
NEW_ARRAY = N_("dout * (x > 0) makes a new array; dout[x <= 0] = 0 changes the caller's gradient")
FIRST_MAX = N_("a window whose maximum is tied (all-equal windows too) sends its whole gradient to its first "
               "maximum in row-major order (np.argmax of the flattened window), as PyTorch")
WINDOW_START = N_("the window of output (i, j) starts at (i * stride, j * stride)")


def pooled_gradient(seed, x, kernel_size, stride):
    """A random upstream gradient of max_pooling(x, kernel_size, stride)'s shape and x's dtype."""
    N, C, H, W = x.shape
    shape = (N, C, (H - kernel_size) // stride + 1, (W - kernel_size) // stride + 1)
    return rng(seed).standard_normal(shape).astype(x.dtype)


def untied(x, seed):
    """MNIST crops with a little noise: no two values of a window are equal."""
    return x + 0.01 * rng(seed).standard_normal(x.shape)


@case("relu_backward", N_("pre-activations of 8 MNIST digits (8, 16) (random weights, none exactly 0), "
                          "random upstream gradient of both signs"),
      hints={"values": MASK_OF_X, "modified": NEW_ARRAY})
def relu_backward_mnist():
    x = exact(digits(8, start=100).reshape(8, -1) @ rng(40).normal(0, 0.05, (784, 16)))
    return [("dout", rng(41).standard_normal((8, 16))), ("x", x)]


@case("relu_backward", N_("x = 4 MNIST digits (4, 1, 28, 28), >= 0 with many exact zeros (the background); "
                          "upstream gradient > 0 on the strokes, < 0 on the background"),
      hints={"values": N_("dx is dout where x > 0 and 0 elsewhere, also at exactly x == 0: the mask is x > 0, "
                          "strictly (as PyTorch)"),
             "modified": NEW_ARRAY})
def relu_backward_zeros():
    x = digit_batch(4, start=108)
    g = rng(42).uniform(0.5, 1.5, x.shape)
    return [("dout", np.where(x > 0, g, -g)), ("x", x)]


@case("relu_backward", N_("float32 pre-activations (2, 3, 5, 4), none exactly 0: the answer must be float32 too"),
      hints={"dtype": N_("dout * (x > 0) keeps float32; a buffer from np.zeros(x.shape) is float64"),
             "values": MASK_OF_X, "modified": NEW_ARRAY})
def relu_backward_float32():
    g = rng(43)
    return [("dout", g.standard_normal((2, 3, 5, 4)).astype(np.float32)),
            ("x", g.standard_normal((2, 3, 5, 4)).astype(np.float32))]


@case("max_pooling_backward", N_("8 MNIST digits (8, 1, 28, 28), kernel_size=2, stride=2: the background's "
                                 "windows are all 0, ties"),
      hints={"values": FIRST_MAX, "exception": WINDOW_START})
def max_pooling_backward_mnist():
    x = digit_batch(8, start=120)
    return [("dout", pooled_gradient(44, x, 2, 2)), ("x", x), ("kernel_size", 2), ("stride", 2)]


@case("max_pooling_backward", N_("ties by hand (2, 1, 4, 6), kernel_size=2, stride=2: all-equal windows "
                                 "and windows like [[0, 2], [2, 2]]"), keywords=POOLING,
      hints={"values": FIRST_MAX})
def max_pooling_backward_ties():
    tied = np.array([[1.0, 1.0, 0.0, 2.0, 3.0, 0.0],  # all equal; [[0, 2], [2, 2]]; [[3, 0], [3, 3]]
                     [1.0, 1.0, 2.0, 2.0, 3.0, 3.0],
                     [0.0, 0.0, 5.0, 5.0, -1.0, -2.0],  # all 0; [[5, 5], [1, 5]]; [[-1, -2], [-1, -1]]
                     [0.0, 0.0, 1.0, 5.0, -1.0, -1.0]])
    x = np.stack([tied, 4.0 - tied])[:, None]
    return [("dout", pooled_gradient(45, x, 2, 2)), ("x", x), ("kernel_size", 2), ("stride", 2)]


@case("max_pooling_backward", N_("overlapping windows: MNIST crops with noise (2, 3, 12, 9), no ties, "
                                 "kernel_size=3, stride=1"), keywords=POOLING,
      hints={"values": N_("the windows overlap (stride < kernel_size): a pixel that is the maximum of several "
                          "windows receives the sum of their gradients (+=, not =)"),
             "exception": WINDOW_START})
def max_pooling_backward_overlap():
    x = untied(digit_batch(2, 3, 12, 9, start=130), 46)
    return [("dout", pooled_gradient(47, x, 3, 1)), ("x", x), ("kernel_size", 3), ("stride", 1)]


@case("max_pooling_backward", N_("gapped windows: MNIST crops with noise (3, 2, 16, 13), no ties, kernel_size=2, "
                                 "stride=3: H and W are not multiples of the stride"),
      hints={"values": N_("windows start every `stride` pixels: the rows and columns between them, and those "
                          "after the last window, get gradient 0"), "exception": WINDOW_START})
def max_pooling_backward_gapped():
    x = untied(digit_batch(3, 2, 16, 13, start=140), 48)
    return [("dout", pooled_gradient(49, x, 2, 3)), ("x", x), ("kernel_size", 2), ("stride", 3)]


@case("max_pooling_backward", N_("one MNIST crop with noise (1, 1, 15, 10), H != W, no ties, kernel_size=2, "
                                 "stride=2: the last row is never read (its gradient is 0)"), keywords=POOLING,
      hints={"values": N_("rows and columns the forward pass never reads get gradient 0"),
             "exception": WINDOW_START})
def max_pooling_backward_single():
    x = untied(digit_batch(1, 1, 15, 10, start=150), 50)
    return [("dout", pooled_gradient(51, x, 2, 2)), ("x", x), ("kernel_size", 2), ("stride", 2)]


@case("max_pooling_backward", N_("float32 MNIST digits with noise (2, 1, 28, 28), no ties, kernel_size=4, "
                                 "stride=4: the answer must be float32 too"),
      hints={"dtype": N_("np.zeros_like(x) keeps float32; a buffer from np.zeros(x.shape) is float64")})
def max_pooling_backward_float32():
    x = untied(digit_batch(2, start=160), 52).astype(np.float32)
    return [("dout", pooled_gradient(53, x, 4, 4)), ("x", x), ("kernel_size", 4), ("stride", 4)]


# conv_backward: conv's inputs with a random upstream gradient dout of conv's output shape.
CONV_SHAPES = N_("dx, dkernel and dbias have the shapes of x, kernel and bias: crop the padding off dx_pad")
KERNEL_ROWS = N_("KH != KW here: a kernel is KH rows by KW columns (K, C, KH, KW = kernel.shape), and so is "
                 "each window it multiplies")


def conv_backward_inputs(seed, x, K, KH, KW, stride=2, padding=1, dtype=np.float64, centered=False):
    """conv_backward's arguments: x, K random KH x KW kernels and biases, and dout. `centered`: each
    filter's dout has mean 0, as behind a batch normalization: its sums cancel."""
    g = rng(seed)
    N, C, H, W = x.shape
    shape = (N, K, (H + 2 * padding - KH) // stride + 1, (W + 2 * padding - KW) // stride + 1)
    dout = g.standard_normal(shape)
    if centered:
        dout = exact(dout - dout.mean(axis=(0, 2, 3), keepdims=True))
    kernel = g.standard_normal((K, C, KH, KW))
    return [("dout", dout.astype(dtype)), ("x", x.astype(dtype)), ("kernel", kernel.astype(dtype)),
            ("bias", g.standard_normal(K).astype(dtype))]


@case("conv_backward", N_("4 MNIST digits (4, 1, 28, 28), 8 random 3x3 kernels, the defaults stride=2, padding=1"),
      returns=("dx", "dkernel", "dbias"), check="summed_gradients", hints={"shape": CONV_SHAPES})
def conv_backward_mnist_defaults():
    return conv_backward_inputs(40, digit_batch(4, start=200), K=8, KH=3, KW=3)


@case("conv_backward", N_("MNIST crops (2, 3, 12, 10), 5 kernels 3x2 (K != C, KH != KW), stride=1, padding=0"),
      returns=("dx", "dkernel", "dbias"), check="summed_gradients", keywords=("stride", "padding"),
      hints={"shape": CONV_SHAPES, "exception": KERNEL_ROWS})
def conv_backward_multichannel():
    return conv_backward_inputs(41, digit_batch(2, 3, 12, 10, start=210), K=5, KH=3, KW=2, stride=1, padding=0) + [
        ("stride", 1), ("padding", 0)]


@case("conv_backward", N_("MNIST crops (3, 2, 13, 11), 4 kernels 4x3, stride=3, padding=1: the last row and column "
                          "are never read, their gradient is 0"),
      returns=("dx", "dkernel", "dbias"), check="summed_gradients", keywords=("padding",),
      hints={"shape": CONV_SHAPES, "exception": KERNEL_ROWS})
def conv_backward_stride3():
    return conv_backward_inputs(42, digit_batch(3, 2, 13, 11, start=220), K=4, KH=4, KW=3, stride=3, padding=1) + [
        ("stride", 3), ("padding", 1)]


@case("conv_backward", N_("MNIST crops (2, 2, 11, 14), 3 kernels 5x5, stride=2, padding=2"),
      returns=("dx", "dkernel", "dbias"), check="summed_gradients", hints={"shape": CONV_SHAPES})
def conv_backward_padded_stride2():
    return conv_backward_inputs(43, digit_batch(2, 2, 11, 14, start=230), K=3, KH=5, KW=5, stride=2, padding=2) + [
        ("stride", 2), ("padding", 2)]


@case("conv_backward", N_("one MNIST digit (1, 1, 28, 28), one 5x5 kernel, stride=1, padding=2"),
      returns=("dx", "dkernel", "dbias"), check="summed_gradients", hints={"shape": CONV_SHAPES})
def conv_backward_single():
    return conv_backward_inputs(44, digit_batch(1, start=240), K=1, KH=5, KW=5, stride=1, padding=2) + [
        ("stride", 1), ("padding", 2)]


@case("conv_backward", N_("float32 MNIST digits (2, 1, 28, 28), 3 kernels 3x3, stride=2, padding=1: the answers must "
                          "be float32 too"),
      returns=("dx", "dkernel", "dbias"), check="summed_gradients", hints={"shape": CONV_SHAPES})
def conv_backward_float32():
    return conv_backward_inputs(45, digit_batch(2, start=250), K=3, KH=3, KW=3, dtype=np.float32) + [
        ("stride", 2), ("padding", 1)]


@case("conv_backward", N_("float32, 16 MNIST digits (16, 1, 28, 28), 2 kernels 5x3, stride=1, padding=2, each filter's "
                          "dout of mean 0: dbias and dkernel are sums of 13440 terms that cancel"),
      returns=("dx", "dkernel", "dbias"), check="summed_gradients", keywords=("stride", "padding"),
      hints={"shape": CONV_SHAPES, "exception": KERNEL_ROWS})
def conv_backward_float32_cancelling():
    return conv_backward_inputs(46, digit_batch(16, start=260), K=2, KH=5, KW=3, stride=1, padding=2,
                                dtype=np.float32, centered=True) + [("stride", 1), ("padding", 2)]
