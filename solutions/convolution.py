"""Max pooling and 2-D convolution on (N, C, H, W) batches (assignment `convolution`).

`max_pooling` and `conv` are the loop versions students are expected to write.
`max_pooling_fast` and `conv_fast` compute the same thing vectorized (sliding_window_view and
einsum); the grader uses them as references.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def max_pooling(x, kernel_size, stride):
    """Max pooling with a square kernel_size x kernel_size window.

    Inputs:
    - x: array (N, C, H, W); not modified.
    - kernel_size: window side k.
    - stride: step s between windows, on both axes.

    Returns an array (N, C, (H - k) // s + 1, (W - k) // s + 1) of x's dtype, where
    out[n, c, i, j] = max of x[n, c, i*s : i*s + k, j*s : j*s + k].
    """
    N, C, H, W = x.shape
    out_h = (H - kernel_size) // stride + 1
    out_w = (W - kernel_size) // stride + 1
    out = np.empty((N, C, out_h, out_w), dtype=x.dtype)
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, :, i * stride:i * stride + kernel_size, j * stride:j * stride + kernel_size]
            out[:, :, i, j] = window.max(axis=(2, 3))
    return out


def conv(x, kernel, bias, stride=2, padding=1):
    """2-D cross-correlation with zero padding, exactly like torch.nn.functional.conv2d.

    Inputs:
    - x: array (N, C, H, W); not modified.
    - kernel: array (K, C, KH, KW), K filters over C channels.
    - bias: array (K,), one per filter.
    - stride: step between windows, on both axes.
    - padding: zeros added on each side of H and W.

    Returns an array (N, K, OH, OW) of x's dtype with OH = (H + 2p - KH) // s + 1,
    OW = (W + 2p - KW) // s + 1 and
    out[n, k, i, j] = sum over c, p, q of x_pad[n, c, i*s + p, j*s + q] * kernel[k, c, p, q] + bias[k].
    The kernel is not flipped (that would be a true convolution; deep learning uses this one).
    """
    N, C, H, W = x.shape
    K, _, KH, KW = kernel.shape
    out_h = (H + 2 * padding - KH) // stride + 1
    out_w = (W + 2 * padding - KW) // stride + 1
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.empty((N, K, out_h, out_w), dtype=x.dtype)
    for i in range(out_h):
        for j in range(out_w):
            window = x_pad[:, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
            for k in range(K):
                out[:, k, i, j] = np.sum(window * kernel[k], axis=(1, 2, 3)) + bias[k]
    return out


def max_pooling_fast(x, kernel_size, stride):
    """Same contract as max_pooling, vectorized."""
    windows = sliding_window_view(x, (kernel_size, kernel_size), axis=(2, 3))[:, :, ::stride, ::stride]
    return windows.max(axis=(4, 5))


def conv_fast(x, kernel, bias, stride=2, padding=1):
    """Same contract as conv, vectorized."""
    KH, KW = kernel.shape[2:]
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    windows = sliding_window_view(x_pad, (KH, KW), axis=(2, 3))[:, :, ::stride, ::stride]
    out = np.einsum("nchwpq,kcpq->nkhw", windows, kernel, optimize=True)
    return (out + bias.reshape(1, -1, 1, 1)).astype(x.dtype, copy=False)
