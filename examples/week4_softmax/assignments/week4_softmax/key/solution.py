"""Softmax and its cross-entropy loss (assignment `week4_softmax`)."""
import numpy as np


def softmax(z, axis=-1):
    """Softmax along `axis`: exp(z) / sum(exp(z)), computed without overflow.

    Inputs:
    - z: array of logits, float64 or float32; not modified.
    - axis: the axis along which the answer sums to 1 (default: the last, one row per sample).

    Returns an array of z's shape and dtype, positive, summing to 1 along `axis`. The maximum along
    `axis` is subtracted first, so exp only ever sees numbers <= 0.
    """
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_loss(z, y):
    """The mean cross-entropy of softmax(z) for labels y, and its gradient.

    Inputs:
    - z: logits (N, K), float64; not modified.
    - y: integer labels (N,), each in 0..K-1.

    Returns (loss, dz): loss, the mean over i of -log softmax(z)[i, y_i], a number; dz (N, K), its
    gradient (softmax(z) - one_hot(y)) / N. The log is taken as z - max - log(sum(exp(z - max))),
    never of a probability, which can be 0.
    """
    n = z.shape[0]
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(n), y].mean()
    dz = np.exp(log_p)
    dz[np.arange(n), y] -= 1
    return loss, dz / n
