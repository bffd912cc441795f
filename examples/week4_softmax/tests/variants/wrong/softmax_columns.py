"""Ignores `axis`: always normalises each column."""
import numpy as np


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
