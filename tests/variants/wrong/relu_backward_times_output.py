"""Multiplies by the forward's output relu(x) instead of its derivative [x > 0]."""
import numpy as np


def relu_backward(dout, x):
    return dout * np.maximum(x, 0)
