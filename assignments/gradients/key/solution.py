"""The backward passes of ReLU, max pooling and convolution (assignment `gradients`).

For a layer out = f(x) inside a network with loss L, the backward pass takes dout = dL/dout
(out's shape) and returns dx = dL/dx (x's shape): the gradient of sum(f(x) * dout) with respect
to x (conv_backward: also to the kernel and the bias). The forward functions (`relu`,
`max_pooling`, `conv`) are the students' own, pasted from the earlier assignments; the backward
passes never call them. `conv_backward_fast` is the grader's reference for `conv_backward`.
"""
import numpy as np

from assignments.activations.key.solution import relu
from assignments.convolution.key.solution import conv, max_pooling

__all__ = ["conv", "conv_backward", "conv_backward_fast", "max_pooling", "max_pooling_backward", "relu",
           "relu_backward"]


def relu_backward(dout, x):
    """The gradient of ReLU: dout where x > 0, 0 elsewhere.

    Inputs:
    - dout: upstream gradient, of x's shape and dtype; not modified.
    - x: the input of the forward pass relu(x); not modified.

    Returns dx, a new array of x's shape and dtype: dout where x > 0, and 0 where x <= 0,
    also at exactly x == 0 (as PyTorch does).
    """
    return dout * (x > 0)


def max_pooling_backward(dout, x, kernel_size, stride):
    """The gradient of max_pooling(x, kernel_size, stride).

    Inputs:
    - dout: upstream gradient (N, C, OH, OW), the shape of max_pooling's output; not modified.
    - x: the input (N, C, H, W) of the forward pass; not modified.
    - kernel_size: window side k; stride: step s between windows, on both axes.

    Returns dx, a new array of x's shape and dtype. Each window's dout[n, c, i, j] goes to the
    position of the maximum of x[n, c, i*s : i*s + k, j*s : j*s + k]; where windows overlap,
    their gradients add up. A tied maximum sends it to the first maximum in row-major order (as
    PyTorch's max_pool2d on the CPU). Rows and columns no window reads get 0.
    """
    N, C, _, _ = x.shape
    dx = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            top, left = i * stride, j * stride
            window = x[:, :, top:top + kernel_size, left:left + kernel_size].reshape(N, C, -1)
            rows, cols = np.unravel_index(window.argmax(axis=2), (kernel_size, kernel_size))
            n, c = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
            dx[n, c, top + rows, left + cols] += dout[:, :, i, j]
    return dx


def conv_backward(dout, x, kernel, bias, stride=2, padding=1):
    """The gradients of conv(x, kernel, bias, stride, padding), given dout = dL/dout.

    Inputs:
    - dout: array (N, K, OH, OW), the upstream gradient, one value per output of conv.
    - x, kernel, bias, stride, padding: conv's inputs (x (N, C, H, W), kernel (K, C, KH, KW),
      bias (K,)); none is modified.

    Returns (dx, dkernel, dbias), each of its input's shape and dtype, with x_pad as in conv and
    s = stride:
    dbias[k] = sum over n, i, j of dout[n, k, i, j];
    dkernel[k, c, p, q] = sum over n, i, j of dout[n, k, i, j] * x_pad[n, c, i*s + p, j*s + q];
    dx_pad[n, c, i*s + p, j*s + q] += dout[n, k, i, j] * kernel[k, c, p, q] over every n, k, i, j, p, q
    (windows that overlap add up; the kernel is not flipped), and dx is dx_pad without its padding.
    """
    N, C, H, W = x.shape
    K, _, KH, KW = kernel.shape
    _, _, out_h, out_w = dout.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dx_pad = np.zeros_like(x_pad)
    dkernel = np.zeros_like(kernel)
    for i in range(out_h):
        for j in range(out_w):
            rows = slice(i * stride, i * stride + KH)
            cols = slice(j * stride, j * stride + KW)
            for k in range(K):
                g = dout[:, k, i, j].reshape(N, 1, 1, 1)
                dkernel[k] += np.sum(g * x_pad[:, :, rows, cols], axis=0)
                dx_pad[:, :, rows, cols] += g * kernel[k]
    dbias = dout.sum(axis=(0, 2, 3)).astype(bias.dtype)
    return dx_pad[:, :, padding:padding + H, padding:padding + W], dkernel, dbias


def conv_backward_fast(dout, x, kernel, bias, stride=2, padding=1):
    """Same contract as conv_backward, vectorized and summed in float64 whatever the inputs' dtype
    (each answer rounded once to its input's): the grader's reference, as near the exact sums as a
    float32 answer can be judged against (nnkit.judging.compare.summation_slack). dkernel is one
    tensordot of dout with the strided windows of the padded batch; dx_pad gets, for each kernel
    offset (p, q), dout times that offset's weights at the positions i*s + p, j*s + q."""
    N, C, H, W = x.shape
    K, _, KH, KW = kernel.shape
    _, _, out_h, out_w = dout.shape
    s, P = stride, padding
    g = np.asarray(dout, np.float64)
    weights = np.asarray(kernel, np.float64)
    x_pad = np.pad(np.asarray(x, np.float64), ((0, 0), (0, 0), (P, P), (P, P)))
    windows = np.lib.stride_tricks.sliding_window_view(x_pad, (KH, KW), axis=(2, 3))[:, :, ::s, ::s]
    dkernel = np.tensordot(g, windows[:, :, :out_h, :out_w], axes=([0, 2, 3], [0, 2, 3]))  # (K, C, KH, KW)
    dx_pad = np.zeros(x_pad.shape)
    for p in range(KH):
        for q in range(KW):
            spread = np.tensordot(g, weights[:, :, p, q], axes=([1], [0]))  # (N, OH, OW, C)
            dx_pad[:, :, p:p + s * (out_h - 1) + 1:s, q:q + s * (out_w - 1) + 1:s] += spread.transpose(0, 3, 1, 2)
    return (dx_pad[:, :, P:P + H, P:P + W].astype(x.dtype), dkernel.astype(kernel.dtype),
            g.sum(axis=(0, 2, 3)).astype(bias.dtype))
