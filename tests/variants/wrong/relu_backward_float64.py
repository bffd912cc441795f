"""Fills a buffer from np.zeros(x.shape): float32 inputs give a float64 gradient."""
import numpy as np


def relu_backward(dout, x):
    dx = np.zeros(x.shape)
    dx[x > 0] = dout[x > 0]
    return dx
