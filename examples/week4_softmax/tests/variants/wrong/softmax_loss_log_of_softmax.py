"""The log of the probabilities: log(0) for a label whose probability underflows."""
import numpy as np


def softmax_loss(z, y):
    n = z.shape[0]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(n), y]).mean()
    dz = p.copy()
    dz[np.arange(n), y] -= 1
    return loss, dz / n
