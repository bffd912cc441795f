"""The CS231n-style naive loop: every (n, k, i, j) output position sends its gradient to its window."""
import numpy as np


def conv_backward(dout, x, kernel, bias, stride=2, padding=1):
    N, C, H, W = x.shape
    K, _, KH, KW = kernel.shape
    _, _, out_h, out_w = dout.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dx_pad = np.zeros_like(x_pad)
    dkernel = np.zeros_like(kernel)
    dbias = np.zeros_like(bias)
    for n in range(N):
        for k in range(K):
            for i in range(out_h):
                for j in range(out_w):
                    rows = slice(i * stride, i * stride + KH)
                    cols = slice(j * stride, j * stride + KW)
                    dkernel[k] += dout[n, k, i, j] * x_pad[n, :, rows, cols]
                    dx_pad[n, :, rows, cols] += dout[n, k, i, j] * kernel[k]
                    dbias[k] += dout[n, k, i, j]
    return dx_pad[:, :, padding:padding + H, padding:padding + W], dkernel, dbias
