"""Running max started from 0: wrong for negative inputs."""
import numpy as np


def max_pooling(x, kernel_size, stride):
    N, C, H, W = x.shape
    out_h, out_w = (H - kernel_size) // stride + 1, (W - kernel_size) // stride + 1
    out = np.zeros((N, C, out_h, out_w), dtype=x.dtype)
    for i in range(out_h):
        for j in range(out_w):
            for p in range(kernel_size):
                for q in range(kernel_size):
                    out[:, :, i, j] = np.maximum(out[:, :, i, j], x[:, :, i * stride + p, j * stride + q])
    return out
