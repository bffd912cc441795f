"""Sends a window's gradient to every position equal to its maximum: a tied window counts it several times."""
import numpy as np


def max_pooling_backward(dout, x, kernel_size, stride):
    dx = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows = slice(i * stride, i * stride + kernel_size)
            cols = slice(j * stride, j * stride + kernel_size)
            window = x[:, :, rows, cols]
            mask = window == window.max(axis=(2, 3), keepdims=True)
            dx[:, :, rows, cols] += mask * dout[:, :, i, j][:, :, None, None]
    return dx
