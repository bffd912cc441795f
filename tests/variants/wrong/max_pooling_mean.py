"""Average pooling instead of max pooling."""
import numpy as np


def max_pooling(x, kernel_size, stride):
    N, C, H, W = x.shape
    out_h, out_w = (H - kernel_size) // stride + 1, (W - kernel_size) // stride + 1
    out = np.empty((N, C, out_h, out_w), dtype=x.dtype)
    for i in range(out_h):
        for j in range(out_w):
            out[:, :, i, j] = x[
                :, :, i * stride : i * stride + kernel_size, j * stride : j * stride + kernel_size
            ].mean(axis=(2, 3))
    return out
