"""Output height computed from W and width from H."""
import numpy as np


def max_pooling(x, kernel_size, stride):
    N, C, H, W = x.shape
    out_h, out_w = (W - kernel_size) // stride + 1, (H - kernel_size) // stride + 1
    out = np.empty((N, C, out_h, out_w), dtype=x.dtype)
    for i in range(out_h):
        for j in range(out_w):
            out[:, :, i, j] = x[:, :, i * stride : i * stride + kernel_size, j * stride : j * stride + kernel_size].max(
                axis=(2, 3)
            )
    return out
