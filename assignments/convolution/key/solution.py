"""Max pooling and 2-D convolution on (N, C, H, W) batches (assignment `convolution`).

`max_pooling` and `conv` are the loop versions: what students are expected to write (loops over
output positions), and the code of the notebook's reference solution. Read these.

`max_pooling_fast` and `conv_fast` compute exactly the same thing vectorized; the grader uses
them as its references (nnkit.judging.references), and tests/course/test_solutions.py checks them against torch
and against the loop versions. `conv_windows` is the vectorized conv a student may write instead
(every window at once, one tensordot): the mutation report plays it, with the loop versions and
`max_pooling_fast`, as a student's answer. `nnkit bench --only kernels` times them against
torch.nn.functional on MNIST-sized batches.
"""
import numpy as np


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
    """Same contract as max_pooling, vectorized: the elementwise maximum of the k * k strided views
    x[:, :, p::s, q::s] (one per position (p, q) in the window), each of the output's shape."""
    N, C, H, W = x.shape
    k, s = kernel_size, stride
    out_h = (H - k) // s + 1
    out_w = (W - k) // s + 1
    out = None
    for p in range(k):
        for q in range(k):
            view = x[:, :, p:p + s * (out_h - 1) + 1:s, q:q + s * (out_w - 1) + 1:s]
            if out is None:
                out = view.copy()
            else:
                np.maximum(out, view, out=out)
    return out


def conv_windows(x, kernel, bias, stride=2, padding=1):
    """Same contract as conv, vectorized as a student may: every (KH, KW) window of the padded batch
    at once with sliding_window_view, every stride-th of them, then one tensordot with the kernels."""
    KH, KW = kernel.shape[2:]
    s, P = stride, padding
    x_pad = np.pad(x, ((0, 0), (0, 0), (P, P), (P, P)))
    windows = np.lib.stride_tricks.sliding_window_view(x_pad, (KH, KW), axis=(2, 3))[:, :, ::s, ::s]
    out = np.tensordot(windows, kernel, axes=([1, 4, 5], [1, 2, 3]))  # (N, OH, OW, K)
    return (out + bias).transpose(0, 3, 1, 2).astype(x.dtype, copy=False)


def conv_fast(x, kernel, bias, stride=2, padding=1):
    """Same contract as conv, vectorized as im2col and one matrix product (GEMM).

    cols[(c, p, q), (n, i, j)] = x_pad[n, c, i*s + p, j*s + q] is filled with one copy per kernel
    offset (p, q) of a strided view of the padded batch; then out = kernel (K, C*KH*KW) @ cols.
    The padded images are stored flat, row after row, so a view's row may run on past the
    row's end into the next one: with stride 1, each view row is taken a whole stored row long
    (one long contiguous run to copy per image instead of OH short ones), and the output
    columns j >= OW that this computes from wrapped-around values are dropped at the end.
    """
    N, C, H, W = x.shape
    K, _, KH, KW = kernel.shape
    s, P = stride, padding
    Hp, Wp = H + 2 * P, W + 2 * P
    out_h = (Hp - KH) // s + 1
    out_w = (Wp - KW) // s + 1
    # Stored row length: up to P columns of a row's right padding double as the next row's left
    # padding (both zero), so fewer wrapped-around columns are computed for nothing.
    R = Wp - min(P, KW - 1)
    width = R if s == 1 else out_w  # output columns computed per output row
    dtype = np.result_type(x, kernel, bias)
    # the padded images, flat, then the zeros that the last view's last row runs into
    flat = np.zeros((N, C, (Hp + s - 1) * R + KW - 1), dtype)
    flat[:, :, :Hp * R].reshape(N, C, Hp, R)[:, :, P:P + H, P:P + W] = x
    cols = np.empty((C, KH, KW, N, out_h, width), dtype)
    for p in range(KH):
        for q in range(KW):
            start = p * R + q  # x_pad[n, c, p, q]; output row i starts i * s rows further
            rows = flat[:, :, start:start + out_h * s * R].reshape(N, C, out_h, s * R)
            cols[:, p, q] = rows[:, :, :, :s * width:s].transpose(1, 0, 2, 3)
    out = kernel.reshape(K, -1).astype(dtype, copy=False) @ cols.reshape(C * KH * KW, -1)
    out += bias.reshape(K, 1)
    return np.ascontiguousarray(out.reshape(K, N, out_h, width)[..., :out_w].transpose(1, 0, 2, 3), dtype=x.dtype)
