"""Vectorized: every window at once (sliding_window_view), the argmax of each, and np.add.at, which adds
up repeated positions (overlaps)."""
import numpy as np


def max_pooling_backward(dout, x, kernel_size, stride):
    k, s = kernel_size, stride
    N, C, OH, OW = dout.shape
    windows = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s][:, :, :OH, :OW]
    first = windows.reshape(N, C, OH, OW, k * k).argmax(axis=-1)
    n, c, i, j = np.indices((N, C, OH, OW))
    dx = np.zeros_like(x)
    np.add.at(dx, (n, c, i * s + first // k, j * s + first % k), dout)
    return dx
