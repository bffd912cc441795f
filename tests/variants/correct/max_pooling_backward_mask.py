"""A mask of each window's maxima, kept only at its first one in row-major order (a cumulative sum), times
the window's gradient, added into dx."""
import numpy as np


def max_pooling_backward(dout, x, kernel_size, stride):
    k, s = kernel_size, stride
    N, C, _, _ = x.shape
    dx = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            window = x[:, :, i * s:i * s + k, j * s:j * s + k].reshape(N, C, k * k)
            maxima = window == window.max(axis=2, keepdims=True)
            first = maxima & (np.cumsum(maxima, axis=2) == 1)
            dx[:, :, i * s:i * s + k, j * s:j * s + k] += (first * dout[:, :, i, j][:, :, None]).reshape(N, C, k, k)
    return dx
