"""im2col: gather every window into a matrix row, then one matrix product."""
import numpy as np


def conv(x, kernel, bias, stride=2, padding=1):
    N, C, H, W = x.shape
    K, _, KH, KW = kernel.shape
    out_h, out_w = (H + 2 * padding - KH) // stride + 1, (W + 2 * padding - KW) // stride + 1
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    cols = np.empty((N, out_h, out_w, C * KH * KW), dtype=x.dtype)
    for i in range(out_h):
        for j in range(out_w):
            cols[:, i, j, :] = x_pad[:, :, i * stride:i * stride + KH, j * stride:j * stride + KW].reshape(N, -1)
    out = cols @ kernel.reshape(K, -1).T + bias
    return out.transpose(0, 3, 1, 2).astype(x.dtype)
