"""Loops over n, k, i, j, like the formula."""
import numpy as np


def conv(x, kernel, bias, stride=2, padding=1):
    N, C, H, W = x.shape
    K, _, KH, KW = kernel.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.zeros((N, K, (H + 2 * padding - KH) // stride + 1, (W + 2 * padding - KW) // stride + 1), dtype=x.dtype)
    for n in range(N):
        for k in range(K):
            for i in range(out.shape[2]):
                for j in range(out.shape[3]):
                    window = x_pad[n, :, i * stride:i * stride + KH, j * stride:j * stride + KW]
                    out[n, k, i, j] = np.sum(window * kernel[k]) + bias[k]
    return out
