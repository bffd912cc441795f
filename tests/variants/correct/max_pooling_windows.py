"""sliding_window_view and a strided slice: no Python loop."""
from numpy.lib.stride_tricks import sliding_window_view


def max_pooling(x, kernel_size, stride):
    windows = sliding_window_view(x, (kernel_size, kernel_size), axis=(2, 3))
    return windows[:, :, ::stride, ::stride].max(axis=(-2, -1))
