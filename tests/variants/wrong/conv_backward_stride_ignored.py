"""dkernel is right, but dx adds each window's gradient at (i, j) instead of (i * stride, j * stride)."""
import numpy as np


def conv_backward(dout, x, kernel, bias, stride=2, padding=1):
    N, C, H, W = x.shape
    K, _, KH, KW = kernel.shape
    _, _, out_h, out_w = dout.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dx_pad = np.zeros_like(x_pad)
    dkernel = np.zeros_like(kernel)
    for i in range(out_h):
        for j in range(out_w):
            window = x_pad[:, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
            for k in range(K):
                g = dout[:, k, i, j].reshape(N, 1, 1, 1)
                dkernel[k] += np.sum(g * window, axis=0)
                dx_pad[:, :, i:i + KH, j:j + KW] += g * kernel[k]
    dbias = dout.sum(axis=(0, 2, 3))
    return dx_pad[:, :, padding:padding + H, padding:padding + W], dkernel, dbias
