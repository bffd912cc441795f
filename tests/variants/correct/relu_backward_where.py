"""np.where on the mask, 0 elsewhere."""
import numpy as np


def relu_backward(dout, x):
    return np.where(x > 0, dout, 0)
