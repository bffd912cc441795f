"""Forgets the 1/N of the mean in the gradient."""
import numpy as np


def softmax_loss(z, y):
    n = z.shape[0]
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    dz = np.exp(log_p)
    dz[np.arange(n), y] -= 1
    return -log_p[np.arange(n), y].mean(), dz
