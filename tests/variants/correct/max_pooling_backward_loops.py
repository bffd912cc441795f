"""Loops over every sample, channel and window: np.argmax of the window, += at its position."""
import numpy as np


def max_pooling_backward(dout, x, kernel_size, stride):
    N, C, _, _ = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    window = x[n, c, i * stride:i * stride + kernel_size, j * stride:j * stride + kernel_size]
                    p, q = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * stride + p, j * stride + q] += dout[n, c, i, j]
    return dx
