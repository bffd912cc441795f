"""Four nested loops over n, c, i, j."""
import numpy as np


def max_pooling(x, kernel_size, stride):
    N, C, H, W = x.shape
    out = np.empty((N, C, (H - kernel_size) // stride + 1, (W - kernel_size) // stride + 1), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(out.shape[2]):
                for j in range(out.shape[3]):
                    out[n, c, i, j] = np.max(
                        x[n, c, i * stride : i * stride + kernel_size, j * stride : j * stride + kernel_size]
                    )
    return out
