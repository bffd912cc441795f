"""One entry at a time, into np.zeros_like(x)."""
import numpy as np


def relu_backward(dout, x):
    dx = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        if x[index] > 0:
            dx[index] = dout[index]
    return dx
